@testable import FolderHub
import Foundation
import KtxWords
@testable import Store
import SyncCore
import Testing
import TestSupport

/// What a hostile township or a careless office can do to a shared folder, and what every
/// receiver does about it: each forged, altered or misplaced file is refused, named, and
/// skipped; copied databases lose nothing.
@Suite struct TrustTests {
    func draft(_ title: String, attendance: Int64 = 100) -> ActivityDraft {
        ActivityDraft(kind: "rural", date: "2023-05-20", title: title, quantities: ["attendance": attendance])
    }

    /// Writes a file into the hub folder as someone with the USB stick could.
    func plant(_ ops: [Op], seal: RunSeal?, writer: ReplicaID, in lab: ReplicaLab, township: String = "河西镇",
               alter: (inout [UInt8]) -> Void = { _ in }) throws -> String {
        var bytes = OperationFile.encode(ops, township: township, writer: writer, seal: seal)
        alter(&bytes)
        let name = OperationFile.name(first: ops.first!.seq, last: ops.last!.seq, writer: writer)
        let relative = "ops/\(ops[0].replica.hex)/\(name)"
        try FileManager.default.createDirectory(atPath: lab.dir.file("hub/ops/\(ops[0].replica.hex)"), withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: lab.dir.file("hub/" + relative)))
        return relative
    }

    /// Operations of `replica` from `seq` that cut an activity's attendance and retitle it.
    func sabotage(_ replica: ReplicaID, from seq: Int64, activity: ActivityID, clock: ManualClock) -> [Op] {
        let t = HLCTimestamp(millis: clock.nowMillis() + 1, counter: 0)
        return [Op(replica: replica, seq: seq, timestamp: t, activity: activity, change: .add(metric: "attendance", amount: -100)),
                Op(replica: replica, seq: seq + 1, timestamp: t, activity: activity, change: .set(.title, "被改的标题"))]
    }

    /// A file someone else put under a replica's name is set aside and named (`forged`), never
    /// a refusal that would stop taking that replica's genuine files.
    @Test func anUnsignedFileClaimingAnotherReplicasNextSeqsIsSetAsideAndItsRealOperationsStillArrive() async throws {
        let lab = ReplicaLab("forged")
        defer { lab.remove() }
        let jia = try lab.replica("jia", township: "河西镇")
        let yi = try lab.replica("yi", township: "东街镇")
        let county = try lab.replica("county", township: "县科协")
        let id = try jia.record(draft("甲镇的培训"))
        try await lab.sync(jia)
        let victim = try jia.identity().replica
        let file = try plant(sabotage(victim, from: 6, activity: id, clock: lab.clock), seal: nil,
                             writer: try yi.identity().replica, in: lab)

        let report = try await lab.sync(county)
        #expect(report.refused.isEmpty)
        let warning = report.warnings.first { $0.file == file }
        #expect(warning?.reason == .forged)
        #expect(warning?.message(.en).hasPrefix("\(file) in the hub folder was not written by the PC it names (not signed") == true)
        #expect(try county.activity(id)?.quantities["attendance"] == 100)

        // 甲镇's own next operations (the same seqs) reach the county as if nothing happened.
        try jia.add(to: id, amount: 20)
        try jia.edit(id, ActivityEdit(title: "甲镇的培训（下午）"))
        try await lab.sync(jia)
        try await lab.sync(county)
        #expect(try county.activity(id)?.quantities["attendance"] == 120)
        #expect(try county.activity(id)?.title == "甲镇的培训（下午）")
        #expect(try county.stateDigest() == jia.stateDigest())
    }

    @Test func aFileSignedWithAnotherKeyUnderAReplicasFolderIsSetAside() async throws {
        let lab = ReplicaLab("wrongkey")
        defer { lab.remove() }
        let jia = try lab.replica("jia", township: "河西镇")
        let yi = try lab.replica("yi", township: "东街镇")
        let id = try jia.record(draft("甲镇的培训"))
        try await lab.sync(jia)
        let victim = try jia.identity().replica
        let ops = sabotage(victim, from: 6, activity: id, clock: lab.clock)
        // Signed with 乙's key, chained as if it were 甲's.
        let raw = try yi.read("key") { try Data.fetchOne($0, sql: "SELECT signing_key FROM replica_self")! }
        let prev = try jia.read("run") { try Store.lastRun($0, num: 1, replica: victim)!.1 }
        let seal = try RunSigning.seal(ops, replica: victim, prev: prev, key: .init(rawRepresentation: raw))
        let file = try plant(ops, seal: seal, writer: try yi.identity().replica, in: lab)

        for receiver in [try lab.replica("county", township: "县科协"), jia] {
            let report = try await lab.sync(receiver)
            #expect(report.refused.isEmpty)
            // A reader names it where it is; the office it names moves it out of its place.
            let named = try receiver.identity().replica == victim ? "tampered/" + file.dropFirst("ops/".count) : file
            #expect(report.warnings.contains { $0.file == named && $0.reason == .forged }, "\(report.warnings)")
            #expect(try receiver.activity(id)?.quantities["attendance"] == 100)
        }
    }

    @Test func anAlteredFileWithAFreshChecksumIsSetAsideAndRestoredOnceDeleted() async throws {
        let lab = ReplicaLab("altered")
        defer { lab.remove() }
        let jia = try lab.replica("jia", township: "河西镇")
        let id = try jia.record(draft("甲镇的培训"))
        try await lab.sync(jia)
        let victim = try jia.identity().replica
        // Attendance 100 → 0 in 甲's own file, with the header's length and checksum made right.
        let dir = lab.dir.file("hub/ops/\(victim.hex)")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first)
        let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
        let (header, ops) = try OperationFile.decode(original, replica: victim, first: 1, last: 5)
        let altered = ops.map { op -> Op in
            var op = op
            if case .add(let metric, _) = op.change { op.change = .add(metric: metric, amount: 0) }
            return op
        }
        let bytes = OperationFile.encode(altered, township: header.township, writer: victim, seal: header.seal)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))

        let county = try lab.replica("county", township: "县科协")
        let report = try await lab.sync(county)
        #expect(report.refused.isEmpty)
        #expect(report.warnings.contains { $0.file == "ops/\(victim.hex)/\(name)" && $0.reason == .forged && $0.message(.en).contains("invalid signature") })
        #expect(try county.activity(id) == nil)

        // Deleted, the next sync of 甲 writes it again, and the county gets the truth.
        try FileManager.default.removeItem(atPath: dir + "/" + name)
        try await lab.sync(jia)
        try await lab.sync(county)
        #expect(try county.activity(id)?.quantities["attendance"] == 100)
    }

    /// Copies the database file of `store` (checkpointed) to `name`.db in the lab, opened on
    /// another PC, whose clock is a few seconds off.
    func copy(_ store: Store, to name: String, in lab: ReplicaLab) throws -> Store {
        try store.checkpoint()
        try FileManager.default.copyItem(atPath: store.path, toPath: lab.dir.file("\(name).db"))
        return try Store.open(at: lab.dir.file("\(name).db"), wallClock: OffsetClock(lab.clock, offset: 7_000))
    }

    @Test func aDatabaseCopiedToASecondPCLosesNothingThroughAFolder() async throws {
        let lab = ReplicaLab("copied")
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let county = try lab.replica("county", township: "县科协")
        let first = try a.record(draft("复制前的活动"))
        try await lab.sync(a)
        let b = try copy(a, to: "b", in: lab)

        // Both PCs record, as the same replica: the same next activity id on both.
        let onA = try a.record(draft("甲电脑的活动", attendance: 30))
        let onB = try b.record(draft("乙电脑的活动", attendance: 40))
        #expect(onA == onB)
        try b.add(to: first, amount: 7)
        try await lab.sync(a)
        let report = try await lab.sync(b)
        let continuation = try #require(report.continuation)
        #expect(continuation.previous == (try a.identity().replica))
        #expect(continuation.replica == (try b.identity().replica))
        #expect(continuation.published == 5)
        #expect(continuation.operations == 6)
        #expect(continuation.renamed.map(\.old) == [onB])
        let moved = continuation.renamed[0].new
        #expect(continuation.message(.en).hasPrefix("this PC's database is a copy of another PC's (or of a backup): replica \(continuation.previous.short) from seq 6 was written elsewhere."))

        for store in [county, a, b, county] { try await lab.sync(store) }
        for store in [a, b, county] {
            #expect(try store.activity(onA)?.title == "甲电脑的活动")
            #expect(try store.activity(moved)?.title == "乙电脑的活动")
            #expect(try store.activity(moved)?.quantities["attendance"] == 40)
            #expect(try store.activity(first)?.quantities["attendance"] == 107)
        }
        #expect(Set(try [a, b, county].map { try $0.stateDigest() }).count == 1)
        #expect(try await county.totals().first?.activities == 3)
        for store in [a, b, county] { #expect(try store.check().isSound) }
    }

    @Test func aBackupRestoredAndUsedBeforeSyncingGetsBackItsLaterWorkAndLosesNothing() async throws {
        let lab = ReplicaLab("restored")
        defer { lab.remove() }
        let office = try lab.replica("office", township: "河西镇")
        let county = try lab.replica("county", township: "县科协")
        try office.record(draft("周一以前"))
        try await lab.sync(office)
        let monday = try copy(office, to: "monday", in: lab)
        let tuesday = try office.record(draft("周二记的", attendance: 20))
        try await lab.sync(office)

        // The PC is restored from Monday's backup, and a clerk records before syncing.
        let wednesday = try monday.record(draft("周三记的", attendance: 30))
        let report = try await lab.sync(monday)
        let moved = try #require(report.continuation?.renamed.first { $0.old == wednesday }?.new)
        #expect(try monday.activity(tuesday)?.quantities["attendance"] == 20)
        #expect(try monday.activity(moved)?.quantities["attendance"] == 30)
        try await lab.sync(county)
        #expect(try await county.totals().first?.activities == 3)
        #expect(try county.stateDigest() == monday.stateDigest())
    }

    @Test func aBackupRestoredBeforeRecordingPullsItsOwnLaterWorkAndGoesOn() async throws {
        let lab = ReplicaLab("restored2")
        defer { lab.remove() }
        let office = try lab.replica("office", township: "河西镇")
        try office.record(draft("周一以前"))
        try await lab.sync(office)
        let monday = try copy(office, to: "monday", in: lab)
        try office.record(draft("周二记的"))
        try await lab.sync(office)

        let report = try await lab.sync(monday)
        #expect(report.continuation == nil)
        #expect(report.pulled == 5)
        let next = try monday.record(draft("恢复后记的"))
        #expect(next == ActivityID(replica: try office.identity().replica, seq: 11))
        try await lab.sync(monday)
        try await lab.sync(office)
        #expect(try office.stateDigest() == monday.stateDigest())
    }

    @Test func aCopyMadeBeforeSyncingSharesWhatItHeldAndLosesNothing() async throws {
        let lab = ReplicaLab("copiedearly")
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let county = try lab.replica("county", township: "县科协")
        let shared = try a.record(draft("复制前未同步的活动"))
        let b = try copy(a, to: "b", in: lab)
        let onA = try a.record(draft("甲电脑", attendance: 30))
        try b.add(to: shared, amount: 1)
        try await lab.sync(a)
        let report = try await lab.sync(b)
        let continuation = try #require(report.continuation)
        #expect(continuation.published == 5)
        #expect(continuation.renamed.isEmpty)
        for store in [county, a, b, county] { try await lab.sync(store) }
        #expect(try county.activity(shared)?.quantities["attendance"] == 101)
        #expect(try county.activity(onA)?.title == "甲电脑")
        #expect(try await county.totals().first?.activities == 2)
        #expect(Set(try [a, b, county].map { try $0.stateDigest() }).count == 1)
    }
}
