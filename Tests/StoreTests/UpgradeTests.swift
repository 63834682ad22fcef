import FolderHub
import Foundation
import KtxSchema
import Store
import SyncCore
import Testing
import TestSupport

/// Databases written by earlier versions must keep opening, with the same content.
@Suite struct UpgradeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A migration is added in one place: its file in `Schema/migrations/` (the folder is
    /// embedded whole) and its line in `KtxSchema.migrations`. A file left out of the list,
    /// listed out of order or under another name would never run, or run out of turn.
    @Test func everyMigrationFileIsListedOnceInOrder() throws {
        let folder = Self.fixtures.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Schema/migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(KtxSchema.migrations.map { "m\($0.identifier).sql" } == files)
        for (migration, file) in zip(KtxSchema.migrations, files) {
            #expect(migration.sql == (try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)), "\(file)")
        }
    }

    /// A copy of a fixture in a temporary folder, so the committed file is never modified.
    func copy(_ name: String, into dir: TemporaryDirectory) throws -> String {
        let target = dir.file(name)
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(name).path, toPath: target)
        return target
    }

    /// `v0.1-county.db`: the county replica of `scripts/demo.sh` as written by ktx 0.1.0
    /// (河西镇: one 科技下乡 training, 150 attendance, 1500 yuan; 东街镇: the mobile museum,
    /// 860 attendance, and a youth science day, 300 attendance and 2 schools).
    @Test func aVersion01CountyReplicaOpensWithItsTotals() throws {
        let dir = TemporaryDirectory("upgrade")
        defer { dir.remove() }
        let store = try Store.open(at: try copy("v0.1-county.db", into: dir))
        #expect(try store.identity().township == "县科协")
        let rows = try store.totals(by: [.township])
        #expect(rows.map { $0.group[.township] } == ["东街镇", "河西镇"])
        #expect(rows.map(\.activities) == [2, 1])
        #expect(rows.map { $0.quantities["attendance"] } == [1160, 150])
        #expect(rows[1].quantities["cost"] == 150_000)
        #expect(try store.operationCounts().total == 26)
        // The 26 rows of the old one-row-per-operation log, now packed into chunks, with
        // the totals kept per cell computed from what was there.
        #expect(try store.log().count == 26)
        #expect(try store.totals(by: [.township, .kind, .month]) == store.totalsFromActivities(by: [.township, .kind, .month]))
        // Migration 0016 fills the cells summed over townships from the townships' cells.
        #expect(try store.totals(by: [.kind, .month]) == store.totalsFromActivities(by: [.kind, .month]))
        #expect(try store.totals().first?.quantities["attendance"] == 1310)
        // Migration 0017 fills the cells summed over projects and months (the totals by
        // township above read them) from the townships' cells.
        #expect(try store.totals(by: [.township, .kind]) == store.totalsFromActivities(by: [.township, .kind]))
        #expect(try store.totals(by: [.township], filter: ActivityFilter(year: 2023)) == store.totalsFromActivities(by: [.township], filter: ActivityFilter(year: 2023)))
        #expect(try store.check().problems.isEmpty)
        let digest = try store.stateDigest()
        try store.rebuildMaterialized()
        #expect(try store.stateDigest() == digest)
    }

    /// Migration 0005 names each field's writer by replica number instead of id: the stamps
    /// must come through, or a concurrent write would win against a field it should lose to.
    /// A write with the same timestamp as the one that set each title loses if its replica id
    /// is smaller and wins if it is larger (the tie-break), in the upgraded replica.
    @Test func theWritersOfAVersion01ReplicaSurviveTheUpgrade() throws {
        let dir = TemporaryDirectory("upgrade-writers")
        defer { dir.remove() }
        let store = try Store.open(at: try copy("v0.1-county.db", into: dir))
        var titles: [ActivityID: Op] = [:]
        for entry in try store.log() {
            guard case .set(.title, _) = entry.operation.change else { continue }
            if let held = titles[entry.operation.activity], held.stamp > entry.operation.stamp { continue }
            titles[entry.operation.activity] = entry.operation
        }
        #expect(titles.count == 3)
        let low = ReplicaID(high: 0, low: 1), high = ReplicaID(high: .max, low: .max)
        var seq: [ReplicaID: Int64] = [low: 0, high: 0]
        func write(_ replica: ReplicaID, _ title: String, like op: Op) -> Op {
            seq[replica]! += 1
            return Op(replica: replica, seq: seq[replica]!, timestamp: op.timestamp, activity: op.activity, change: .set(.title, title))
        }
        let before = try store.activities()
        try store.merge(titles.values.map { write(low, "输给原值", like: $0) })
        #expect(try store.activities() == before)
        try store.merge(titles.values.map { write(high, "胜过原值", like: $0) })
        #expect(try store.activities().map(\.title) == before.map { _ in "胜过原值" })
    }

    @Test func replicasUseWALWithSynchronousNormal() throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let store = try lab.replica("a", township: "河西镇")
        let settings = try store.durabilitySettings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 1)
    }

    /// `v0.3-hub/` and `v0.3-office.db`: a hub folder written by this version (signed runs) by
    /// 河西镇 (two activities, 195 attendance, 1500 yuan, an edit) and 东街镇 (the mobile museum,
    /// 860 attendance, 2 schools), and 河西镇's replica after it pulled 东街镇's. Replayed, the
    /// folder gives a new replica exactly what the office holds: the file format, the seals and
    /// their verification stay readable by later versions.
    @Test func aHubFolderWrittenByThisVersionIsReplayedExactly() async throws {
        let dir = TemporaryDirectory("fixture-hub")
        defer { dir.remove() }
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("v0.3-hub").path, toPath: dir.file("hub"))
        let office = try Store.open(at: try copy("v0.3-office.db", into: dir))
        let county = try Store.create(at: dir.file("county.db"), township: "县科协", role: .county)
        let report = try await SyncSession(store: county, hub: FileHub(path: dir.file("hub"), writer: try county.identity().replica)).run()
        #expect(report.refused.isEmpty && report.warnings.isEmpty && report.held.isEmpty)
        #expect(report.pulled == 20)
        #expect(try county.stateDigest() == office.stateDigest())
        let byTownship = try await county.totals(by: [.township])
        #expect(byTownship.map { $0.quantities["attendance"] } == [860, 195])
        // The office itself has nothing to send, and nothing is taken for a copy.
        let again = try await SyncSession(store: office, hub: FileHub(path: dir.file("hub"), writer: try office.identity().replica)).run()
        #expect(again.pushed == 0 && again.pulled == 0 && again.continuation == nil)
    }

    /// `v0.3-governed-hub/` and `v0.3-governed-office.db`: the v0.3 records in a folder the
    /// county governs (河西镇 and 东街镇 approved; 乔庄镇's request, one 科技下乡 of 50, never
    /// approved) with the county's 科技特派员覆盖率 92. A new replica that pins the folder's
    /// key merges exactly what the office did and holds 乔庄镇's operations.
    @Test func aGovernedHubFolderWrittenByThisVersionIsReplayedExactly() async throws {
        let dir = TemporaryDirectory("fixture-governed")
        defer { dir.remove() }
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("v0.3-governed-hub").path, toPath: dir.file("hub"))
        let office = try Store.open(at: try copy("v0.3-governed-office.db", into: dir))
        let governance = try #require(try FileHub.readGovernance(at: dir.file("hub"), pinned: nil, cached: nil).0)
        #expect(governance.roster.members.map(\.township).sorted() == ["东街镇", "县科协", "河西镇"])
        let reader = try Store.create(at: dir.file("reader.db"), township: "县科协", role: .county)
        let report = try await SyncSession(store: reader, hub: FileHub(path: dir.file("hub"), writer: try reader.identity().replica,
                                                                        pinnedKey: governance.countyKey)).run()
        #expect(report.refused.isEmpty && report.warnings.isEmpty)
        #expect(report.held.map(\.cause) == [.notEnrolled])
        #expect(report.held.first?.township == "乔庄镇")
        #expect(report.pulled == 21)
        #expect(try reader.stateDigest() == office.stateDigest())
        #expect(try await reader.totals(by: [.township]).map { $0.quantities["attendance"] } == [860, 195])
        #expect(try reader.indicatorValues(year: 2023).values.sorted() == ["92"])
        let again = try await SyncSession(store: office, hub: FileHub(path: dir.file("hub"), writer: try office.identity().replica,
                                                                       pinnedKey: governance.countyKey)).run()
        #expect(again.pushed == 0 && again.pulled == 0 && again.continuation == nil)
        #expect(again.enrolment == .enrolled(.township))
    }

    /// `v0.2-hub/` and `v0.2-office.db`, written by ktx 0.2 (before signatures): 河西镇 (a
    /// 科技下乡 training, 155 attendance, 1500 yuan; a 科技培训, edited) and 东街镇 (the mobile
    /// museum, 860 attendance, 2 schools) synced through the folder; 河西镇's replica after it
    /// pulled 东街镇's. `ktx hub init` adopts the folder; the office gets its key when first
    /// opened; the old, unsigned records still arrive; the office's first signed run does too.
    @Test func aVersion02OfficeAndHubFolderKeepWorking() async throws {
        let dir = TemporaryDirectory("fixture-v02")
        defer { dir.remove() }
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent("v0.2-hub").path, toPath: dir.file("hub"))
        guard case .existing(let found) = try FileHub.create(at: dir.file("hub")) else { Issue.record("not adopted"); return }
        #expect(found.count == 2)
        let office = try Store.open(at: try copy("v0.2-office.db", into: dir))
        #expect(try office.publicKey().key.count == 32)
        let county = try Store.create(at: dir.file("county.db"), township: "县科协", role: .county)
        func sync(_ store: Store) async throws -> SyncReport {
            try await SyncSession(store: store, hub: FileHub(path: dir.file("hub"), writer: try store.identity().replica)).run()
        }
        let first = try await sync(county)
        #expect(first.refused.isEmpty && first.warnings.isEmpty)
        #expect(try county.stateDigest() == office.stateDigest())
        #expect(try await county.totals(by: [.township]).map { $0.quantities["attendance"] } == [860, 195])

        let id = try office.record(ActivityDraft(kind: "youth", date: "2023-09-16", title: "升级后记的活动", quantities: ["attendance": 300]))
        let pushed = try await sync(office)
        #expect(pushed.pushed > 0 && pushed.continuation == nil)
        let second = try await sync(county)
        #expect(second.refused.isEmpty)
        #expect(try county.activity(id)?.quantities["attendance"] == 300)
        #expect(try county.stateDigest() == office.stateDigest())
    }
}
