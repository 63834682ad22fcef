import Foundation
import Store
import FolderHub
import KtxWords
import SyncCore
import Testing
import TestSupport

@Suite struct FileHubTests {
    /// Records `count` activities on a replica.
    func record(_ store: Store, _ count: Int, attendance: Int64 = 10) throws {
        for i in 0..<count {
            try store.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "活动 \(i)", quantities: ["attendance": attendance]))
        }
    }

    func opFiles(_ lab: ReplicaLab, of store: Store) throws -> [String] {
        let dir = lab.dir.file("hub/ops/\(try store.identity().replica.hex)")
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".ktxops") }.sorted().map { dir + "/" + $0 }
    }

    /// Flips a bit near the end of a replica's first file in the lab's folder; its path.
    func damageFirstFile(_ lab: ReplicaLab, of store: Store) throws -> String {
        let damaged = try #require(try opFiles(lab, of: store).first)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        bytes[bytes.count - 5] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: damaged))
        return damaged
    }

    @Test func aDamagedFileIsReportedByNameAndTheRestStillSyncs() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let b = try lab.replica("b", township: "东街镇")
        let c = try lab.replica("c", township: "县科协")
        try record(a, 3)
        try record(b, 2, attendance: 5)
        try await lab.sync(a)
        try await lab.sync(b)
        let damaged = try damageFirstFile(lab, of: a)

        let report = try await lab.sync(c)
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.reason == .damaged)
        #expect(report.warnings.first?.file == "ops/\(try a.identity().replica.hex)/\((damaged as NSString).lastPathComponent)")
        #expect(report.warnings.first?.message(.en).contains("skipped damaged file ops/") == true)
        // b's operations still arrived; a's did not, and nothing is half-merged.
        #expect(try await c.totals(by: [.township]).map { $0.group[.township] } == ["东街镇"])
        #expect(try await c.totals().first?.quantities["attendance"] == 10)

        // Deleting the damaged file lets the next sync of a restore it.
        try FileManager.default.removeItem(atPath: damaged)
        let repush = try await lab.sync(a)
        #expect(repush.pushed == 15)
        let healed = try await lab.sync(c)
        #expect(healed.warnings.isEmpty)
        #expect(try c.stateDigest() == a.stateDigest())
    }

    /// A sync reads the folder's next file while it merges the one before; when that merge
    /// changes what to ask for next (another PC's operations held for this PC's clock), the
    /// file read ahead is dropped, but a damaged file met on the way is still reported.
    @Test func aDamagedFileMetWhileReadingAheadIsReportedWhenTheReadIsDropped() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let keys = ReplicaLab.orderedKeys(2)
        // The folder is read in replica-id order: a's file first, then b's.
        let a = try lab.replica("a", township: "河西镇", key: keys[0])
        let b = try lab.replica("b", township: "东街镇", key: keys[1])
        try record(a, 2)
        try record(b, 1)
        try await lab.sync(a)
        try await lab.sync(b)
        let damaged = try damageFirstFile(lab, of: b)

        // A county PC whose clock is two days behind: a's operations are dated ahead of it.
        let county = try Store.create(at: lab.dir.file("county.db"), township: "县科协", role: .county,
                                      wallClock: ManualClock(lab.clock.nowMillis() - 2 * ClockPolicy.maxSkewMillis))
        let report = try await lab.sync(county)
        #expect(report.pulled == 0)
        #expect(Set(report.held.map(\.replica)) == [try a.identity().replica])
        #expect(report.warnings.map(\.reason) == [.damaged])
        #expect(report.warnings.first?.file == "ops/\(try b.identity().replica.hex)/\((damaged as NSString).lastPathComponent)")
    }

    @Test func foreignFilesAreReportedAndSkipped() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let b = try lab.replica("b", township: "县科协")
        try record(a, 2)
        try await lab.sync(a)
        let dir = lab.dir.file("hub/ops/\(try a.identity().replica.hex)")
        try Data("hello".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        try FileManager.default.createDirectory(atPath: lab.dir.file("hub/ops/backup"), withIntermediateDirectories: true)
        let report = try await lab.sync(b)
        #expect(Set(report.warnings.map(\.file)) == ["ops/\(try a.identity().replica.hex)/notes.txt", "ops/backup"])
        #expect(report.warnings.allSatisfy { $0.reason == .foreign })
        #expect(report.pulled == 10)
        #expect(try b.stateDigest() == a.stateDigest())
    }

    /// A sync with nothing to do reads no other replica's file (it reads only the headers of
    /// its own, to find one someone wrote over: the next test but one).
    @Test func aSyncWithNothingToDoReadsNoOperationFile() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let b = try lab.replica("b", township: "东街镇")
        let c = try lab.replica("c", township: "临西镇")
        for store in [a, b, c] { try record(store, 4) }
        for store in [a, b, c, a, b] { try await lab.sync(store) }
        // Overwrite every file of c, which a and b merged, with garbage: a sync that read any would report it.
        for file in try opFiles(lab, of: c) { try Data("garbage".utf8).write(to: URL(fileURLWithPath: file)) }
        for store in [a, b] {
            let report = try await lab.sync(store)
            #expect(report.pushed == 0 && report.pulled == 0)
            #expect(report.warnings.isEmpty)
        }
        // c finds its files are not its runs any more, and writes them again.
        let report = try await lab.sync(c)
        #expect(report.pushed > 0 && report.warnings.contains { $0.reason == .forged })
    }

    @Test func syncMovesBoundedBatchesAndAnInterruptedSyncResumes() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let b = try lab.replica("b", township: "县科协")
        try record(a, 20)  // 100 operations
        try await lab.sync(a, batchSize: 7)
        #expect(try opFiles(lab, of: a).count == 15)

        // Cut b's pull after the version vector and three pages.
        let cut = InterruptingHub(try lab.hub(for: b), calls: 4)
        await #expect(throws: InterruptingHub.Cut.self) {
            try await SyncSession(store: b, hub: cut, batchSize: 7).run()
        }
        #expect(try await b.operationCounts().total == 21)
        let resumed = try await lab.sync(b, batchSize: 7)
        #expect(resumed.pulled == 79)
        #expect(try b.stateDigest() == a.stateDigest())
    }

    @Test func aFolderThatIsNotAHubIsRefused() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        try record(a, 1)
        try Data("my photos".utf8).write(to: URL(fileURLWithPath: lab.dir.file("photos.txt")))
        let hub = FileHub(path: lab.dir.path, writer: try a.identity().replica)
        let before = try a.stateDigest()
        await #expect {
            try await SyncSession(store: a, hub: hub).run()
        } throws: { ($0 as? KtxError)?.code == .notAHub }
        #expect(try a.stateDigest() == before)
        #expect(!FileManager.default.fileExists(atPath: lab.dir.file(FileHub.markerName)))
    }

    @Test func manyReplicasSyncThroughOneFolderAtOnce() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let stores = try (0..<6).map { try lab.replica("r\($0)", township: "镇\($0 % 3)") }
        for (i, store) in stores.enumerated() { try record(store, 3 + i) }
        _ = try lab.hub(for: stores[0])  // `ktx hub init`, once, before the offices sync
        for _ in 0..<2 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for store in stores { group.addTask { try await lab.sync(store, batchSize: 4) } }
                try await group.waitForAll()
            }
        }
        try await lab.sync(stores[0])
        for store in stores { try await lab.sync(store) }
        let digests = Set(try stores.map { try $0.stateDigest() })
        #expect(digests.count == 1)
        #expect(try await stores[0].totals().first?.activities == Int64((3...8).reduce(0, +)))
    }

    @Test func operationsOfOthersAreRelayedBetweenHubs() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let carrier = try lab.replica("county", township: "县科协")
        let b = try lab.replica("b", township: "东街镇")
        try record(a, 2)
        try await lab.sync(a, hub: "usb")
        try await lab.sync(carrier, hub: "usb")
        try await lab.sync(carrier, hub: "shared")
        try await lab.sync(b, hub: "shared")
        #expect(try b.stateDigest() == a.stateDigest())
        #expect(try b.log(limit: 1).first?.township == "河西镇")
    }
}
