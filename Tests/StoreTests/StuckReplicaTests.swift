import Foundation
import FolderHub
import KtxWords
@testable import Store
import SyncCore
import Testing
import TestSupport

/// A replica holding an operation of its own that every receiver refuses (written by a ktx
/// before 0.4, which did not check rights at home) is never stuck: its next sync leaves that
/// operation out, names it, and its later records reach the county under a new replica id.
@Suite struct StuckReplicaTests {
    /// A governed folder, made by the county's replica, as `ktx hub init` makes it.
    struct Folder {
        let lab: ReplicaLab
        let county: Store
        let signer: CountySigner
        var path: String { lab.dir.file("hub") }

        init(_ lab: ReplicaLab, madeAt now: Int64 = 0) throws {
            self.lab = lab
            let county = try lab.replica("county", township: ReplicaLab.countyOffice)
            self.county = county
            signer = CountySigner(replica: try county.identity().replica, township: ReplicaLab.countyOffice,
                                  key: try county.publicKey().key, sign: { try county.sign($0) })
            _ = try FileHub.create(at: lab.dir.file("hub"), county: signer, now: now)
        }

        func hub(for store: Store) throws -> FileHub {
            FileHub(path: path, writer: try store.identity().replica, durable: false, pinnedKey: signer.key)
        }

        @discardableResult
        func sync(_ store: Store) async throws -> SyncReport { try await SyncSession(store: store, hub: hub(for: store)).run() }

        func approve(_ store: Store) async throws {
            _ = try await FileHub.approve(at: path, replicas: [try store.identity().replica], role: .township, signer: signer, now: 0)
        }
    }

    /// What a ktx before 0.4 did at a sync: seal and push every own operation, unchecked.
    static func publishAsOlderKtx(_ store: Store, to hub: any Hub) async throws {
        let me = try store.identity()
        let held = try await hub.versionVector()[me.replica]
        try store.sealOwnRuns(upTo: Int64.max, size: RunSeal.maxOperations)
        for run in try store.runs(of: me.replica, after: held) {
            let ops = try store.operations(of: me.replica, after: run.first - 1, limit: Int(run.last - run.first + 1))
            try store.markPublished(upTo: run.last)
            try await hub.push(ops, township: me.township, seal: run)
        }
    }

    static let indicator = IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率")

    @Test func aTownshipsIndicatorValuePublishedThroughAFolderIsLeftOutAndTheLaterRecordsArrive() async throws {
        let lab = ReplicaLab("stuck-folder")
        defer { lab.remove() }
        let folder = try Folder(lab)
        let a = try lab.replica("a", township: "河西镇")
        let before = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "果树修剪", quantities: ["attendance": 120]))
        try await folder.sync(a)
        try await folder.approve(a)
        try await folder.sync(a)
        // The mistake, as ktx before 0.4 let a township's clerk make it, then more work.
        try a.setIndicator(Self.indicator, value: "80", checkingRights: false)
        let after = try a.record(ActivityDraft(kind: "rural", date: "2023-06-02", title: "大棚蔬菜", quantities: ["attendance": 45]))
        try a.add(to: before, amount: 5)
        try await Self.publishAsOlderKtx(a, to: try folder.hub(for: a))
        let stuck = try await folder.sync(folder.county)
        #expect(stuck.refused.map(\.reason) == [.countyOnly])
        #expect(try folder.county.activity(after) == nil)
        #expect(try folder.county.activity(before)?.quantities["attendance"] == 120)

        let old = try a.identity().replica
        let recovered = try await folder.sync(a)
        let recovery = try #require(recovered.recovery)
        #expect(recovery.leftOut.map(\.reason) == [.countyOnly])
        #expect(recovery.leftOut.map(\.replica) == [old])
        #expect(recovery.continuation.previous == old && recovery.continuation.operations == 6)
        #expect(recovery.message(.en).hasPrefix("operation 6 of this PC (sets a manual indicator value: only the county's PCs may) is refused by every receiver and was left out; this PC's 6 later operations continue under the new replica"))
        #expect(recovered.enrolment == .waiting)
        #expect(recovered.refused.isEmpty)
        let renamed = try #require(recovery.continuation.renamed.first { $0.old == after }?.new)
        #expect(try a.indicatorValues(year: 2023).isEmpty)
        #expect(try a.leftOutOperations().map(\.seq) == [6])

        // The county enrols the new replica as it enrols any new PC; everything arrives.
        try await folder.approve(a)
        let county = try await folder.sync(folder.county)
        #expect(county.held.isEmpty)
        #expect(county.refused.map(\.reason) == [.countyOnly])   // named, the rest flows
        #expect(try folder.county.activity(renamed)?.quantities["attendance"] == 45)
        #expect(try folder.county.activity(before)?.quantities["attendance"] == 125)
        #expect(try folder.county.indicatorValues(year: 2023).isEmpty)
        let again = try await folder.sync(a)
        #expect(again.recovery == nil && again.refused.isEmpty && again.held.isEmpty)
        #expect(try a.stateDigest() == folder.county.stateDigest())
    }

    /// Another's file at an office's next seqs is noise: the office pushes its records all the
    /// same (never "pushed 0"), is not taken for a copy, says the file is there, and the county
    /// takes its records.
    @Test(arguments: Forgery.allCases) func aFileUnderAnOfficesNameThatItDidNotSignCannotStopIt(_ forgery: Forgery) async throws {
        let lab = ReplicaLab("forged-\(forgery.rawValue)")
        defer { lab.remove() }
        let folder = try Folder(lab)
        let a = try lab.replica("a", township: "河西镇")
        let first = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "果树修剪", quantities: ["attendance": 120]))
        try await folder.sync(a)
        try await folder.approve(a)
        try await folder.sync(folder.county)
        let me = try a.identity().replica

        // The office's next record will be seqs 6–10; someone writes a file for 6–10 first.
        let (name, bytes) = try forgery.file(for: me, seqs: 6...10, activity: first)
        try Data(bytes).write(to: URL(fileURLWithPath: folder.path + "/ops/\(me.hex)/\(name)"))

        let second = try a.record(ActivityDraft(kind: "rural", date: "2023-06-02", title: "大棚蔬菜", quantities: ["attendance": 45]))
        let pushed = try await folder.sync(a)
        #expect(pushed.pushed == 5)
        #expect(pushed.continuation == nil)
        #expect(try a.identity().replica == me)
        let county = try await folder.sync(folder.county)
        #expect(county.refused.isEmpty && county.held.isEmpty)
        // The office met the file where its own go, and says so.
        #expect(pushed.warnings.contains { $0.file == "tampered/\(me.hex)/\(name)" && $0.reason == .forged }, "\(pushed.warnings)")
        #expect(try folder.county.activity(second)?.quantities["attendance"] == 45)
        #expect(try folder.county.activity(first)?.quantities["attendance"] == 120)
        #expect(try a.stateDigest() == folder.county.stateDigest())
    }

    /// The first day of a roll-out: the first PC in a new folder has its clock five years
    /// ahead. The county's signed roster carries the county's time: the PC learns its clock is
    /// wrong at its first sync, publishes nothing dated in the future, and its records reach
    /// the county as soon as the clock is set right (not five years later).
    @Test func theFirstPCInANewFolderWithAClockYearsAheadIsToldAndItsRecordsArriveOnceFixed() async throws {
        let lab = ReplicaLab("first-day")
        defer { lab.remove() }
        let folder = try Folder(lab, madeAt: lab.clock.nowMillis())
        let fiveYears: Int64 = 5 * 365 * 86_400_000
        let pcClock = ManualClock(lab.clock.nowMillis() + fiveYears)
        let a = try Store.create(at: lab.dir.file("a.db"), township: "河西镇", wallClock: pcClock)
        let id = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "果树修剪", quantities: ["attendance": 120]))
        let first = try await folder.sync(a)
        #expect(first.clockAheadOfOthers.map { $0 >= fiveYears } == true)
        #expect(first.pushed == 0)
        #expect(first.enrolment == .waiting)
        try await folder.approve(a)

        pcClock.set(lab.clock.nowMillis() + 60_000)
        let fixed = try await folder.sync(a)
        #expect(fixed.clockAheadOfOthers == nil)
        #expect(fixed.clockRepair?.restamped == 5)
        #expect(fixed.pushed == 5)
        let county = try await folder.sync(folder.county)
        #expect(county.held.isEmpty && county.refused.isEmpty)
        #expect(try folder.county.activity(id)?.quantities["attendance"] == 120)
    }

    /// One rule at home, as a property: random local commands on two townships' PCs and the
    /// county's, mistakes included; every operation they write is accepted by every receiver
    /// of a governed folder (nothing refused, nothing held), and all converge.
    @Test(arguments: 1...12) func everyOperationALocalCommandWritesIsAcceptedByAFolderReceiver(seed: Int) async throws {
        let lab = ReplicaLab("home-rule-\(seed)")
        defer { lab.remove() }
        let folder = try Folder(lab)
        let offices = [try lab.replica("a", township: "河西镇"), try lab.replica("b", township: "东街镇"), try lab.replica("a2", township: "河西镇")]
        for office in offices {
            try await folder.sync(office)
            try await folder.approve(office)
        }
        var reports: [SyncReport] = []
        var rng = SeededGenerator(seed: UInt64(seed))
        let outcome = try await LocalCommands.run(offices + [folder.county], steps: 120, rng: &rng) { store in
            reports.append(try await folder.sync(store))
        }
        #expect(outcome.refused > 0 && outcome.written > 0)
        for _ in 0..<2 {
            for store in offices + [folder.county] { reports.append(try await folder.sync(store)) }
        }
        #expect(reports.flatMap(\.refused).isEmpty, "seed \(seed): \(reports.flatMap(\.refused).map { $0.message(.en) })")
        #expect(reports.flatMap(\.held).isEmpty)
        #expect(reports.allSatisfy { $0.recovery == nil })
        #expect(Set(try (offices + [folder.county]).map { try $0.stateDigest() }).count == 1)
    }
}

