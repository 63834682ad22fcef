import Foundation
import Store
import FolderHub
import KtxWords
import SyncCore
import Testing
import TestSupport

/// Every operation passes one rule however it arrives: folder files, local commands, merges.
@Suite struct OneWayInTests {
    static let newerCatalog = Catalog.newer

    /// Writes operations of a hostile or broken replica straight into the folder, as a
    /// person with the USB stick could.
    func plant(_ ops: [Op], in lab: ReplicaLab, township: String = "河西镇") async throws {
        _ = try FileHub.create(at: lab.dir.file("hub"))
        let hub = FileHub(path: lab.dir.file("hub"), writer: ops[0].replica, durable: false)
        try await hub.push(ops, township: township)
    }

    /// An activity's creation by `replica`, seqs 1…5, then `extra` at seq 6.
    func creation(_ replica: ReplicaID, clock: ManualClock, extra: Change) -> [Op] {
        let id = ActivityID(replica: replica, seq: 1)
        let t = clock.nowMillis()
        let changes: [Change] = [.set(.township, "河西镇"), .set(.kind, "rural"), .set(.date, "2023-05-20"),
                                 .set(.title, "果树修剪"), .add(metric: "attendance", amount: 50), extra]
        return changes.enumerated().map { i, change in
            let target = change.isIndicator ? ActivityID(unchecked: "2023/rural/科技特派员覆盖率") : id
            return Op(replica: replica, seq: Int64(i + 1), timestamp: HLCTimestamp(millis: t, counter: UInt16(i)), activity: target, change: change)
        }
    }

    static let malformed: [(String, Change, RefusalReason)] = [
        ("attendance Int64.max", .add(metric: "attendance", amount: .max), .amountOutOfRange),
        ("metric 不存在的指标", .add(metric: "不存在的指标", amount: 3), .badCode),
        ("kind bogus-kind", .set(.kind, "bogus-kind"), .badCode),
        ("date 2023-13-45", .set(.date, "2023-13-45"), .badDate),
        ("NUL in a title", .set(.title, "a\u{0}b"), .badText),
        ("U+202E in a title", .set(.title, "培训\u{202E}txt.exe"), .badText),
        ("indicator value -1", .indicator("-1"), .badIndicatorValue),
    ]

    @Test(arguments: 0..<malformed.count)
    func aMalformedOperationInAFolderIsRefusedNamedAndTheRestSyncs(index: Int) async throws {
        let (name, change, reason) = Self.malformed[index]
        let lab = ReplicaLab()
        defer { lab.remove() }
        let good = try lab.replica("good", township: "东街镇")
        try good.record(ActivityDraft(kind: "rural", date: "2023-06-01", title: "良种推广", quantities: ["attendance": 30]))
        try await lab.sync(good)
        let hostile = ReplicaID.random()
        try await plant(creation(hostile, clock: lab.clock, extra: change), in: lab)

        let county = try lab.replica("county", township: "县科协")
        let report = try await lab.sync(county)
        #expect(report.refused.map(\.reason) == [reason], "\(name)")
        #expect(report.refused.first?.replica == hostile)
        #expect(report.refused.first?.seq == 6)
        #expect(report.refused.first?.source.hasPrefix("ops/\(hostile.hex)/") == true)
        #expect(report.refused.first?.message(.en).contains("refused operation 6 of replica \(hostile.short)") == true)
        // The good office's record arrived; the five well-formed operations before the
        // refused one were merged; nothing of the refused one was.
        let totals = try await county.totals(by: [.township])
        #expect(totals.map { $0.group[.township] } == ["东街镇", "河西镇"], "\(name)")
        #expect(totals.map { $0.quantities["attendance"] } == [30, 50], "\(name)")
        #expect(try await county.versionVector()[hostile] == 5)
        #expect(try county.indicatorValues(year: 2023).isEmpty)
        // A second sync says the same and changes nothing.
        let again = try await lab.sync(county)
        #expect(again.refused.map(\.reason) == [reason])
        #expect(again.pulled == 0)
    }

    @Test func additionsThatWouldOverflowNeverWrap() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let hostile = ReplicaID.random()
        // Each within its bound, many of them: the sums are checked all the same.
        var ops = creation(hostile, clock: lab.clock, extra: .add(metric: "cost", amount: 100_000_000_000))
        for i in 0..<5 {
            ops.append(Op(replica: hostile, seq: Int64(7 + i), timestamp: HLCTimestamp(millis: lab.clock.nowMillis() + 1, counter: UInt16(i)),
                          activity: ops[0].activity, change: .add(metric: "attendance", amount: 1_000_000_000)))
        }
        let county = try lab.replica("county", township: "县科协")
        try county.merge(ops)
        #expect(try await county.totals().first?.quantities["attendance"] == 5_000_000_050)
        let wrapping = Op(replica: hostile, seq: 12, timestamp: HLCTimestamp(millis: lab.clock.nowMillis() + 2, counter: 0),
                          activity: ops[0].activity, change: .add(metric: "attendance", amount: Int64.max))
        let outcome = try county.merge([wrapping])
        #expect(outcome.refused.map(\.reason) == [.amountOutOfRange])
        #expect(try await county.totals().first?.quantities["attendance"] == 5_000_000_050)
    }

    @Test func aNewerKtxsKindsAndMetricsAreKeptRelayedAndCountAfterAnUpgrade() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let newer = try Store.create(at: lab.dir.file("newer.db"), township: "河西镇", catalog: Self.newerCatalog, wallClock: lab.clock)
        try newer.record(ActivityDraft(kind: "citizen", date: "2023-05-20", title: "观鸟", quantities: ["volunteers": 7, "attendance": 20]))
        try newer.record(ActivityDraft(kind: "rural", date: "2023-05-21", title: "果树", quantities: ["volunteers": 3, "attendance": 10]))
        try await lab.sync(newer)

        // An office still on this version: keeps and relays them, counts only what it knows.
        let older = try lab.replica("older", township: "县科协")
        let report = try await lab.sync(older)
        #expect(report.refused.isEmpty)
        let sent = try await newer.operationCounts().total
        #expect(Int64(report.pulled) == sent)
        let counted = try await older.totals(by: [.kind])
        #expect(counted.map { $0.group[.kind] } == ["rural"])
        #expect(counted.first?.quantities == ["attendance": 10])
        #expect(try older.newerCodes() == NewerCodes(kinds: ["citizen": 1], metrics: ["volunteers": 2]))
        #expect(try older.check().isSound)

        // It relays them to a second folder, where another newer office gets everything.
        try await lab.sync(older, hub: "hub2")
        let other = try Store.create(at: lab.dir.file("other.db"), township: "东街镇", catalog: Self.newerCatalog, wallClock: lab.clock)
        _ = try await SyncSession(store: other, hub: FileHub(path: lab.dir.file("hub2"), writer: try other.identity().replica)).run()
        #expect(try await other.totals(by: [.kind]) == newer.totals(by: [.kind]))

        // Upgraded (opened by a ktx with the newer catalog, which rebuilds its tables), the older office counts them.
        let upgraded = try Store.open(at: older.path, catalog: Self.newerCatalog, wallClock: lab.clock)
        #expect(try await upgraded.totals(by: [.kind]) == newer.totals(by: [.kind]))
        #expect(try upgraded.newerCodes().isEmpty)
        // And an older ktx opening a newer office's file counts only what it knows.
        let downgraded = try Store.open(at: newer.path, catalog: .standard, wallClock: lab.clock)
        #expect(try await downgraded.totals(by: [.kind]).map { $0.group[.kind] } == ["rural"])
        #expect(try downgraded.check().isSound)
    }

    /// A field a newer ktx writes (say `organiser`) arrives from the folder: it is kept in the
    /// log and relayed, the rest of its replica's operations merge, and nothing is refused.
    @Test func aNewerKtxsFieldIsKeptAndRelayedAndStopsNothing() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let newer = ReplicaID(hex: "00112233445566778899aabbccddeeff")!
        var ops = creation(newer, clock: lab.clock, extra: .newerField("organiser", "王主任\n李明"))
        ops.append(Op(replica: newer, seq: 7, timestamp: HLCTimestamp(millis: lab.clock.nowMillis(), counter: 9),
                      activity: ops[0].activity, change: .add(metric: "attendance", amount: 5)))
        try await plant(ops, in: lab)
        let county = try lab.replica("county", township: "县科协")
        let report = try await lab.sync(county)
        #expect(report.refused.isEmpty)
        #expect(try county.activity(ops[0].activity)?.quantities["attendance"] == 55)
        #expect(try county.log(activity: ops[0].activity).map(\.operation.change).contains(.newerField("organiser", "王主任\n李明")))
        // Relayed to a second folder as it came, and a rebuild from the log changes nothing.
        try await lab.sync(county, hub: "hub2")
        let other = try lab.replica("other", township: "东街镇")
        _ = try await SyncSession(store: other, hub: FileHub(path: lab.dir.file("hub2"), writer: try other.identity().replica)).run()
        #expect(try other.log(activity: ops[0].activity).count == 7)
        #expect(try other.stateDigest() == county.stateDigest())
        let digest = try county.stateDigest()
        try county.rebuildMaterialized()
        #expect(try county.stateDigest() == digest)
    }

    @Test func aLocalChangeWithABidiOverrideIsRefusedAndWritesNothing() throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let store = try lab.replica("a", township: "河西镇")
        #expect(throws: KtxError.self) {
            try store.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "培训\u{202E}exe.txt"))
        }
        #expect(try store.operationCounts().total == 0)
    }
}

/// A hub that hands out what an older hub could hold: pages fixed in advance.
actor OldHub: Hub {
    nonisolated let location = "old-hub"
    let held: [Op]
    var asked: [VersionVector] = []

    init(_ held: [Op]) { self.held = held }

    func versionVector() async throws -> VersionVector {
        var v = VersionVector()
        for op in held { v[op.replica] = max(v[op.replica], op.seq) }
        return v
    }

    func push(_ operations: [Op], township: String?, seal: RunSeal?) async throws {}

    func pull(after vector: VersionVector, limit: Int) async throws -> PullPage {
        asked.append(vector)
        let ops = held.filter { $0.seq > vector[$0.replica] }
        return PullPage(operations: Array(ops.prefix(limit)), source: "old-hub page")
    }
}

@Suite struct PullRefusalTests {
    /// An older hub holds a malformed operation of one office: a pull refuses it, names it,
    /// takes that office's operations before it and every other office's, and does not loop.
    @Test func aPullFromAnOlderHubRefusesWhatTheRuleRefusesAndTakesTheRest() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let t = lab.clock.nowMillis()
        func ops(_ replica: ReplicaID, _ changes: [Change]) -> [Op] {
            changes.enumerated().map { i, change in
                Op(replica: replica, seq: Int64(i + 1), timestamp: HLCTimestamp(millis: t, counter: UInt16(i)),
                   activity: ActivityID(replica: replica, seq: 1), change: change)
            }
        }
        let bad = ReplicaID(high: 1, low: 1)
        let good = ReplicaID(high: 2, low: 2)
        let record: [Change] = [.set(.township, "河西镇"), .set(.kind, "rural"), .set(.date, "2023-05-20"), .set(.title, "t"),
                                .add(metric: "attendance", amount: 10)]
        let hub = OldHub(ops(bad, record + [.add(metric: "attendance", amount: .max), .add(metric: "attendance", amount: 1)])
                         + ops(good, record.map { $0 == .set(.township, "河西镇") ? .set(.township, "东街镇") : $0 }))
        let county = try lab.replica("county", township: "县科协")
        let report = try await SyncSession(store: county, hub: hub, batchSize: 3).run()
        #expect(report.refused.map(\.reason) == [.amountOutOfRange])
        #expect(report.refused.first?.seq == 6)
        #expect(report.refused.first?.source == "old-hub page")
        #expect(try await county.versionVector()[bad] == 5)
        #expect(try await county.versionVector()[good] == 5)
        #expect(try await county.totals().first?.quantities["attendance"] == 20)
        #expect(await hub.asked.count < 12)
    }
}
