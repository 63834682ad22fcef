import Foundation
import Store
import SyncCore
import Testing
import TestSupport

/// Databases written by earlier versions must keep opening, with the same content.
@Suite struct UpgradeTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

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
        let digest = try store.stateDigest()
        try store.rebuildMaterialized()
        #expect(try store.stateDigest() == digest)
    }

    @Test func replicasUseWALWithSynchronousNormal() throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let store = try lab.replica("a", township: "河西镇")
        let settings = try store.durabilitySettings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 1)
    }
}
