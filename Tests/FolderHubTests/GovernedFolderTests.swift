import Foundation
import FolderHub
import KtxWords
import Store
import SyncCore
import Testing
import TestSupport

/// A hub folder the county governs: only replicas it enrolled are merged, each within its
/// rights, whoever writes files into the folder.
@Suite struct GovernedFolderTests {
    struct County {
        let lab: ReplicaLab
        let store: Store
        let signer: CountySigner
        var path: String { lab.dir.file("hub") }

        init(_ lab: ReplicaLab) throws {
            self.lab = lab
            store = try lab.replica("county", township: "县科协")
            let me = try store.identity()
            let store = self.store
            signer = CountySigner(replica: me.replica, township: "县科协", key: try store.publicKey().key, sign: { try store.sign($0) })
            _ = try FileHub.create(at: lab.dir.file("hub"), county: signer)
        }

        /// Syncs a replica with the governed folder, its county key pinned as `remote add` does.
        @discardableResult
        func sync(_ replica: Store) async throws -> SyncReport {
            try await SyncSession(store: replica, hub: FileHub(path: path, writer: try replica.identity().replica,
                                                              durable: false, pinnedKey: signer.key)).run()
        }

        func approve(_ replicas: Store...) async throws {
            _ = try await FileHub.approve(at: path, replicas: replicas.map { try $0.identity().replica }, role: .township,
                                          signer: signer, now: 0)
        }
    }

    @Test func anUnenrolledOfficeIsHeldUntilTheCountyApprovesIt() async throws {
        let lab = ReplicaLab("enrol")
        defer { lab.dir.remove() }
        let county = try County(lab)
        let office = try lab.replica("a", township: "河西镇")
        let id = try office.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "培训", quantities: ["attendance": 100]))

        let first = try await county.sync(office)
        #expect(first.enrolment == .waiting)
        let pending = try await FileHub.pendingEnrolments(at: county.path, governance: nil)
        #expect(pending.map(\.replica) == [try office.identity().replica])
        #expect(pending.first?.key == (try office.publicKey().key))
        #expect(pending.first?.township == "河西镇")

        let before = try await county.sync(county.store)
        #expect(before.held.map(\.cause) == [.notEnrolled])
        #expect(try county.store.activity(id) == nil)

        try await county.approve(office)
        #expect(try await county.sync(office).enrolment == .enrolled(.township))
        let after = try await county.sync(county.store)
        #expect(after.held.isEmpty && after.refused.isEmpty)
        #expect(try county.store.activity(id)?.quantities["attendance"] == 100)
    }

    @Test func changesOutsideTheSignersRightsAreRefusedAndTheRestSyncs() async throws {
        let lab = ReplicaLab("rights")
        defer { lab.dir.remove() }
        let county = try County(lab)
        let keys = ReplicaLab.orderedKeys(2)
        let a = try lab.replica("a", township: "河西镇", key: keys[0])
        let b = try lab.replica("b", township: "东街镇", key: keys[1])
        let id = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "培训", quantities: ["attendance": 100]))
        try await county.sync(a)
        try await county.sync(b)
        try await county.approve(a, b)
        try await county.sync(b)
        #expect(try b.activity(id) != nil)

        // 东街镇's replica signs, with its own key, a change to 河西镇's activity and a manual
        // indicator value, and writes them into the folder as its seqs 1 and 2.
        let me = try b.identity().replica
        let now = HLCTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000), counter: 0)
        let forged = [
            Op(replica: me, seq: 1, timestamp: now, activity: id, change: .add(metric: "attendance", amount: -100)),
            Op(replica: me, seq: 2, timestamp: now, activity: IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率").target,
               change: .indicator("10")),
        ]
        let seal = try #require(try Store.sealRuns(forged, key: keys[1]).first)
        try await FileHub(path: county.path, writer: me, durable: false).push(forged, township: "东街镇", seal: seal)

        let report = try await county.sync(county.store)
        #expect(report.refused.map(\.reason) == [.otherActivity])
        #expect(report.refused.first?.replica == me)
        #expect(try county.store.activity(id)?.quantities["attendance"] == 100)
        #expect(try county.store.indicatorValues(year: 2023).isEmpty)
        // 河西镇's own later work still arrives.
        try a.add(to: id, amount: 5)
        try await county.sync(a)
        #expect(try await county.sync(county.store).refused.map(\.reason) == [.otherActivity])
        #expect(try county.store.activity(id)?.quantities["attendance"] == 105)
    }

    /// A manual value, or notes (偏差原因) on an indicator: the county's alone.
    @Test(arguments: [Change.indicator("10"), .set(.notes, "乡镇自己写的偏差原因")])
    func aTownshipsIndicatorValueIsRefused(_ change: Change) async throws {
        let lab = ReplicaLab("county-only")
        defer { lab.dir.remove() }
        let county = try County(lab)
        let key = ReplicaLab.orderedKeys(1)[0]
        let a = try lab.replica("a", township: "河西镇", key: key)
        try await county.sync(a)
        try await county.approve(a)
        let me = try a.identity().replica
        let op = Op(replica: me, seq: 1, timestamp: HLCTimestamp(millis: Int64(Date().timeIntervalSince1970 * 1000), counter: 0),
                    activity: IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率").target, change: change)
        let seal = try #require(try Store.sealRuns([op], key: key).first)
        try await FileHub(path: county.path, writer: me, durable: false).push([op], township: "河西镇", seal: seal)
        #expect(try await county.sync(county.store).refused.map(\.reason) == [.countyOnly])
        #expect(try county.store.indicatorValues(year: 2023).isEmpty)
        #expect(try county.store.indicatorNotes(year: 2023).isEmpty)
    }

    /// The county's 偏差原因 and an office's 备注 reach every replica; the latest write wins.
    @Test func notesOnIndicatorsAndActivitiesSyncEverywhere() async throws {
        let lab = ReplicaLab("notes")
        defer { lab.dir.remove() }
        let county = try County(lab)
        let a = try lab.replica("a", township: "河西镇")
        let id = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "培训", notes: "村委会协办",
                                            quantities: ["attendance": 100]))
        try await county.sync(a)
        try await county.approve(a)
        let key = IndicatorKey(year: 2023, project: "rural", indicator: "受益人口数")
        try county.store.setIndicatorNote(key, text: "汛期停办两次\r\n四季度补办")
        try await county.sync(county.store)
        try await county.sync(a)
        #expect(try a.indicatorNotes(year: 2023) == [key: "汛期停办两次\n四季度补办"])
        #expect(try county.store.activity(id)?.notes == "村委会协办")

        try a.edit(id, ActivityEdit(notes: "村委会与农技站协办"))
        try county.store.setIndicatorNote(key, text: "")
        try await county.sync(a)
        try await county.sync(county.store)
        try await county.sync(a)
        #expect(try county.store.activity(id)?.notes == "村委会与农技站协办")
        #expect(try a.indicatorNotes(year: 2023).isEmpty)
        #expect(try a.stateDigest() == county.store.stateDigest())
        // The tables are a cache of the log: rebuilt, the notes are the same.
        let digest = try a.stateDigest()
        try a.rebuildMaterialized()
        #expect(try a.stateDigest() == digest)
    }

    @Test func aRevokedOfficesLaterOperationsAreHeld() async throws {
        let lab = ReplicaLab("revoke")
        defer { lab.dir.remove() }
        let county = try County(lab)
        let a = try lab.replica("a", township: "河西镇")
        let kept = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "培训", quantities: ["attendance": 100]))
        try await county.sync(a)
        try await county.approve(a)
        try await county.sync(county.store)
        let held = try await county.store.versionVector()[try a.identity().replica]
        _ = try FileHub.revoke(at: county.path, replica: try a.identity().replica, after: held, signer: county.signer, now: 0)

        let later = try a.record(ActivityDraft(kind: "rural", date: "2023-06-20", title: "之后", quantities: ["attendance": 7]))
        #expect(try await county.sync(a).enrolment == .revoked(after: held))
        let report = try await county.sync(county.store)
        #expect(report.held.map(\.cause) == [.revoked])
        #expect(try county.store.activity(kept) != nil)
        #expect(try county.store.activity(later) == nil)
    }

    @Test func aCopiedDatabaseAsksToBeEnrolledAgainAndLosesNothingOnceApproved() async throws {
        let lab = ReplicaLab("copy-enrol")
        defer { lab.dir.remove() }
        let county = try County(lab)
        let a = try lab.replica("a", township: "河西镇")
        let first = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "复制前", quantities: ["attendance": 100]))
        try await county.sync(a)
        try await county.approve(a)
        try a.checkpoint()
        try FileManager.default.copyItem(atPath: a.path, toPath: lab.dir.file("b.db"))
        let b = try Store.open(at: lab.dir.file("b.db"), wallClock: OffsetClock(lab.clock, offset: 5_000))

        let onA = try a.record(ActivityDraft(kind: "rural", date: "2023-06-01", title: "甲电脑", quantities: ["attendance": 30]))
        _ = try b.record(ActivityDraft(kind: "rural", date: "2023-06-02", title: "乙电脑", quantities: ["attendance": 40]))
        try b.add(to: first, amount: 7)
        #expect(try await county.sync(a).enrolment == .enrolled(.township))
        let report = try await county.sync(b)
        let continuation = try #require(report.continuation)
        // The copy continues under a new replica, which the county has not enrolled.
        #expect(report.enrolment == .waiting)
        let pending = try await FileHub.pendingEnrolments(at: county.path, governance: try FileHub.readGovernance(at: county.path, pinned: nil, cached: nil).0)
        #expect(pending.map(\.replica) == [continuation.replica])
        #expect(pending.first?.township == "河西镇")

        let held = try await county.sync(county.store)
        #expect(Set(held.held.map(\.cause)) == [.notEnrolled])
        #expect(try county.store.activity(onA) != nil)
        #expect(try county.store.activity(continuation.renamed[0].new) == nil)

        try await county.approve(b)
        for store in [b, county.store, a, b] { try await county.sync(store) }
        for store in [a, b, county.store] {
            #expect(try store.activity(onA)?.quantities["attendance"] == 30)
            #expect(try store.activity(continuation.renamed[0].new)?.quantities["attendance"] == 40)
            #expect(try store.activity(first)?.quantities["attendance"] == 107)
        }
        #expect(Set(try [a, b, county.store].map { try $0.stateDigest() }).count == 1)
    }

    @Test func aRosterOrKeyPutInByAnyoneElseIsRefusedAndADeletedRosterChangesNothing() async throws {
        let lab = ReplicaLab("replaced")
        defer { lab.dir.remove() }
        let county = try County(lab)
        let a = try lab.replica("a", township: "河西镇")
        let id = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "培训", quantities: ["attendance": 100]))
        try await county.sync(a)
        try await county.approve(a)
        try await county.sync(a)
        let pinned = county.signer.key
        let kept = try #require(try FileHub.readGovernance(at: county.path, pinned: pinned, cached: nil).0)
        try a.keepRoster(countyKey: pinned, serial: kept.roster.serial, kept.document)

        // Someone with the USB stick deletes the roster: the office reads the one it kept.
        try FileManager.default.removeItem(atPath: county.path + "/roster.json")
        let cached = try a.keptRoster(countyKey: pinned)
        let hub = FileHub(path: county.path, writer: try a.identity().replica, durable: false, pinnedKey: pinned, cachedRoster: cached)
        #expect(try await hub.currentGovernance()?.roster == kept.roster)
        // ... and its next sync writes the county-signed roster back, warning once.
        let report = try await SyncSession(store: a, hub: hub).run()
        #expect(report.warnings.map(\.reason) == [.roster])
        #expect(try FileHub.readGovernance(at: county.path, pinned: pinned, cached: nil).0?.roster == kept.roster)

        // ... or makes the folder another "county"'s: refused, nothing synced.
        let other = try lab.replica("other", township: "县科协")
        let otherSigner = CountySigner(replica: try other.identity().replica, township: "县科协", key: try other.publicKey().key,
                                       sign: { try other.sign($0) })
        _ = try FileHub.create(at: lab.dir.file("fake"), county: otherSigner)
        for name in ["ktx-hub.json", "roster.json"] {
            try? FileManager.default.removeItem(atPath: county.path + "/" + name)
            try FileManager.default.copyItem(atPath: lab.dir.file("fake") + "/" + name, toPath: county.path + "/" + name)
        }
        try a.edit(id, ActivityEdit(title: "改"))
        await #expect(throws: KtxError.self) { try await county.sync(a) }
        do { try await county.sync(a) } catch let error as KtxError { #expect(error.code == .hubKeyChanged) }
    }
}
