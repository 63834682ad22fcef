import Foundation
import GRDB
import Store
import SyncCore
import Testing
import TestSupport

/// A long stream merged through a ``Merger`` (in few large writes) must give exactly
/// what merging it page by page gives, whatever the pages' order, duplicates and gaps.
@Suite struct MergerTests {
    /// Two townships' replicas record, add, edit (moving activities between kinds, months
    /// and projects) and delete; returns every operation they made.
    func sourceOperations(_ lab: ReplicaLab) throws -> [Op] {
        var rng = SeededGenerator(seed: 7)
        var ops: [Op] = []
        for (name, township) in [("s1", "河西镇"), ("s2", "东街镇")] {
            let store = try lab.replica(name, township: township)
            var ids: [ActivityID] = []
            for i in 0..<60 {
                lab.clock.advance(by: 1)
                switch Int.random(in: 0..<10, using: &rng) {
                case 0..<3 where !ids.isEmpty:
                    try store.add(to: ids.randomElement(using: &rng)!, amount: Int64.random(in: 1...40, using: &rng))
                case 3 where !ids.isEmpty:
                    try store.edit(ids.randomElement(using: &rng)!,
                                   ActivityEdit(date: "2023-0\(Int.random(in: 1...9, using: &rng))-02", kind: "museum", project: "P\(i % 3)"))
                case 4 where ids.count > 3:
                    let id = ids.remove(at: Int.random(in: 0..<ids.count, using: &rng))
                    try store.delete(id)
                default:
                    ids.append(try store.record(ActivityDraft(kind: "rural", date: "2023-0\(1 + i % 9)-15", title: "活动\(i)",
                                                              quantities: ["attendance": Int64(i), "schools": 1])))
                }
            }
            let me = try store.identity().replica
            ops += try store.operations(of: me, after: 0, limit: 10_000)
        }
        return ops
    }

    @Test func aMergerGivesWhatPageByPageMergingGives() throws {
        let lab = ReplicaLab("merger")
        defer { lab.remove() }
        let ops = try sourceOperations(lab)
        let reference = try lab.replica("reference", township: "县科协")
        try reference.merge(ops)

        var rng = SeededGenerator(seed: 11)
        // Bounds by count of operations and activities, then by bytes of packed operations
        // alone (a few pages' worth).
        for (flushEvery, flushBytes) in [(1, 32 << 20), (7, 32 << 20), (50, 32 << 20), (1_000_000, 32 << 20), (1_000_000, 300)] {
            let target = try lab.replica("t\(flushEvery)-\(flushBytes)", township: "县科协")
            let merger = try target.merger()
            merger.flushOperations = flushEvery
            merger.flushActivities = flushEvery
            merger.flushBytes = flushBytes
            // Pages in shuffled order, some delivered twice: a page after a gap is held
            // back until the operations before it come.
            var pages = stride(from: 0, to: ops.count, by: 9).map { Array(ops[$0..<min(ops.count, $0 + 9)]) }
            pages += pages.prefix(5)
            pages.shuffle(using: &rng)
            while merger.vector != (try reference.versionVector()) {
                for page in pages { try merger.add(page) }
            }
            let outcome = try merger.finish()
            #expect(outcome.applied == ops.count, "flush every \(flushEvery)")
            #expect(try target.stateDigest() == reference.stateDigest(), "flush every \(flushEvery)")
            #expect(try target.totals(by: [.township, .kind, .month]) == reference.totals(by: [.township, .kind, .month]))
            #expect(try target.totals(by: [.township, .kind, .month]) == target.totalsFromActivities(by: [.township, .kind, .month]))
            #expect(try target.log().count == ops.count)
        }
    }

    /// Another writer merges some of the same operations while the merger holds them
    /// (two syncs at once): the merger takes them again against what is stored, and
    /// nothing is counted twice.
    @Test func aMergerRacingAnotherWriterCountsNothingTwice() throws {
        let lab = ReplicaLab("merger-race")
        defer { lab.remove() }
        let ops = try sourceOperations(lab)
        let reference = try lab.replica("reference", township: "县科协")
        try reference.merge(ops)

        let target = try lab.replica("target", township: "县科协")
        let merger = try target.merger()
        try merger.add(Array(ops.prefix(ops.count * 2 / 3)))
        let other = try target.merge(Array(ops.prefix(ops.count / 2)))
        try merger.add(Array(ops.suffix(from: ops.count * 2 / 3)))
        let outcome = try merger.finish()
        #expect(other.applied + outcome.applied == ops.count)
        #expect(try target.stateDigest() == reference.stateDigest())
        #expect(try target.totals(by: [.kind, .quarter]) == target.totalsFromActivities(by: [.kind, .quarter]))
    }

    /// The kept totals follow every kind of change, for every grouping and filter.
    @Test func theKeptTotalsEqualTheActivityRows() throws {
        let lab = ReplicaLab("kept-totals")
        defer { lab.remove() }
        let target = try lab.replica("target", township: "县科协")
        let ops = try sourceOperations(lab)
        for start in stride(from: 0, to: ops.count, by: 13) {
            try target.merge(Array(ops[start..<min(ops.count, start + 13)]))
            for keys in [[], [GroupKey.township], [.kind, .month], [.township, .kind, .quarter]] {
                #expect(try target.totals(by: keys) == target.totalsFromActivities(by: keys), "after \(start) ops, by \(keys)")
            }
        }
        for filter in [ActivityFilter(kind: "museum"), ActivityFilter(township: "东街镇"), ActivityFilter(year: 2023), ActivityFilter(year: 2024)] {
            #expect(try target.totals(by: [.month], filter: filter) == target.totalsFromActivities(by: [.month], filter: filter))
        }
        let digest = try target.stateDigest()
        let totals = try target.totals(by: [.township, .kind, .month])
        try target.rebuildMaterialized()
        #expect(try target.stateDigest() == digest)
        #expect(try target.totals(by: [.township, .kind, .month]) == totals)
    }

    /// The totals summed over townships (`county_cell`: what the report and totals not split
    /// by township read) and over projects and months (`township_cell`: totals by township
    /// and kind) are the townships' cells added up after every merge, survive a rebuild, and
    /// a changed one is found by `ktx check` and mended by `ktx rebuild`.
    @Test(arguments: [
        ("county_cell", "kind, project, month", "kind, project, month"),
        ("township_cell", "township, kind, year", "township, kind, substr(month, 1, 4) AS year"),
    ])
    func theSummedCellsAreTheTownshipsCellsAddedUp(table: String, columns: String, fromCells: String) throws {
        let lab = ReplicaLab("summed-cells")
        defer { lab.remove() }
        let target = try lab.replica("target", township: "县科协")
        let ops = try sourceOperations(lab)
        let kept = try DatabaseQueue(path: lab.dir.file("target.db"))
        func addedUp() throws -> [Row] {
            try kept.read { try Row.fetchAll($0, sql: """
                SELECT \(fromCells), metric, SUM(value) AS value FROM total_cell GROUP BY 1, 2, 3, 4 HAVING SUM(value) != 0 ORDER BY 1, 2, 3, 4
                """) }
        }
        func summed() throws -> [Row] {
            try kept.read { try Row.fetchAll($0, sql: "SELECT \(columns), metric, value FROM \(table) WHERE value != 0 ORDER BY 1, 2, 3, 4") }
        }
        for start in stride(from: 0, to: ops.count, by: 17) {
            try target.merge(Array(ops[start..<min(ops.count, start + 17)]))
            #expect(try summed() == addedUp(), "after \(start) operations")
        }
        let cells = try summed()
        #expect(cells.count > 10)
        #expect(try target.check().problems.isEmpty)
        try kept.write { try $0.execute(sql: "UPDATE \(table) SET value = value + 1 WHERE metric = 'attendance'") }
        #expect(try target.check().problems.map(\.code) == ["tables-differ"])
        try target.rebuildMaterialized()
        #expect(try summed() == cells)
        #expect(try target.check().problems.isEmpty)
    }

    /// The report's coverage line says when each township's newest operation was made: read
    /// from the time kept with each chunk, and, for chunks written before ktx kept it (a
    /// database upgraded from an earlier version), from the operations themselves: the same
    /// answer either way.
    @Test func theCoverageNamesEachTownshipsNewestOperationWithOrWithoutTheKeptTime() throws {
        let lab = ReplicaLab("coverage")
        defer { lab.remove() }
        let ops = try sourceOperations(lab)
        let county = try lab.replica("county", township: "县科协")
        let townshipOf = [ops.first!.replica: "河西镇", ops.last!.replica: "东街镇"]
        // In two merges, so the first replica's operations lie in two chunks.
        try county.merge(Array(ops[..<(ops.count / 4)]), townships: townshipOf)
        try county.merge(Array(ops[(ops.count / 4)...]), townships: townshipOf)
        let newest = Dictionary(grouping: ops, by: { townshipOf[$0.replica]! }).mapValues { $0.map(\.timestamp.millis).max()! }
        func latest() throws -> [String: Int64] {
            Dictionary(uniqueKeysWithValues: try county.freshness().compactMap { entry in entry.latest.map { (entry.township, $0) } })
        }
        #expect(newest.count == 2)
        #expect(try latest() == newest)
        let kept = try DatabaseQueue(path: lab.dir.file("county.db"))
        #expect(try kept.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM op_chunk WHERE newest IS NULL") } == 0)
        try kept.write { try $0.execute(sql: "UPDATE op_chunk SET newest = NULL") }
        #expect(try latest() == newest)
    }
}
