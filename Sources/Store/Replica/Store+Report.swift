import Foundation
import GRDB
import SyncCore

extension Store {
    /// The report cells of a year, over live activities dated from January to the end of
    /// `throughMonth` (1 to 12), in one read.
    ///
    /// Sums and counts come from the totals kept per (kind, project, month) summed over
    /// townships (`county_cell`), so their cost grows with those cells, not with the log
    /// nor with the number of townships. The largest single value
    /// is read only for the metrics asked for in `maxima` (a {最大: …} indicator).
    public func reportCells(year: Int, throughMonth: Int, maxima: Set<String> = []) throws -> [ReportCell] {
        try read("report") { db in
            let from = String(format: "%04d-01", year)
            let through = String(format: "%04d-%02d", year, throughMonth)
            var cells: [[String]: ReportCell] = [:]
            let rows = try Row.fetchAll(db, sql: """
                SELECT c.kind, c.project, CAST(substr(c.month, 6, 2) AS INTEGER), c.metric, SUM(c.value)
                FROM county_cell c
                WHERE c.month >= ? AND c.month <= ? AND c.kind != '' AND c.value != 0
                GROUP BY 1, 2, 3, 4
                """, arguments: [from, through])
            for row in rows where (row[3] as String).isEmpty {
                let key: [String] = [row[0], row[1], String(row[2] as Int)]
                cells[key] = ReportCell(kind: row[0], project: row[1], month: row[2], activities: row[4], sums: [:], maxima: [:])
            }
            for row in rows where !(row[3] as String).isEmpty {
                cells[[row[0], row[1], String(row[2] as Int)]]?.sums[row[3]] = row[4]
            }
            for metric in maxima.sorted() {
                for row in try Row.fetchAll(db, sql: """
                    SELECT a.kind, COALESCE(a.project, ''), CAST(substr(a.date, 6, 2) AS INTEGER), MAX(q.value)
                    FROM quantity q JOIN activity a ON a.id = q.activity
                    WHERE q.metric = ? AND a.deleted = 0 AND a.date >= ? AND a.date < ? AND a.kind IS NOT NULL
                    GROUP BY 1, 2, 3
                    """, arguments: [metric, from, through + "-99"]) {
                    cells[[row[0], row[1], String(row[2] as Int)]]?.maxima[metric] = row[3]
                }
            }
            return cells.values.sorted { ($0.kind, $0.project, $0.month) < ($1.kind, $1.project, $1.month) }
        }
    }
}

extension Store {
    /// The township this replica pulls alone (a remote added with `--scope township`), or nil
    /// when it pulls everything: its totals and reports then cover that township and the county.
    public func pullScopeTownship() throws -> String? {
        try remotes().contains { $0.scope == .township } ? identity().township : nil
    }
}

extension Store {
    /// Every replica held here (by its row number), the township it announced ("" when
    /// none), its highest contiguous seq, and when its newest operation here was made: one
    /// read of each replica's last chunk.
    package static func newestOperations(_ db: Database) throws -> [(num: Int64, replica: ReplicaID, township: String, maxSeq: Int64, newest: Int64?)] {
        // Both subqueries read an index alone (`op_chunk_newest`, `op_chunk_by_replica`):
        // the chunk row itself, its operations first, is read only for a chunk without `newest`.
        try Row.fetchAll(db, sql: """
            SELECT r.num, r.id, COALESCE(r.township, ''), r.max_seq,
                (SELECT newest FROM op_chunk WHERE replica = r.num ORDER BY last_seq DESC LIMIT 1),
                (SELECT id FROM op_chunk WHERE replica = r.num ORDER BY last_seq DESC LIMIT 1)
            FROM replica r
            """).compactMap { row in
            guard let id = ReplicaID(bytes: row[1] as Data) else { return nil }
            var newest: Int64?
            if let hlc: Int64 = row[4] {
                newest = HLCTimestamp(rawValue: hlc).millis
            } else if let chunk: Int64 = row[5],
                      let old = try Row.fetchOne(db, sql: "SELECT first_seq, ops FROM op_chunk WHERE id = ?", arguments: [chunk]) {
                // A chunk written before its newest operation was kept beside it.
                newest = try OpChunk.read([UInt8](old[1] as Data), replica: id, firstSeq: old[0]).map(\.timestamp.millis).max()
            }
            return (row[0], id, row[2], row[3], newest)
        }
    }
}

/// How current a township's data is in this replica: what a report covers.
public struct TownshipFreshness: Hashable, Sendable {
    /// The township its replicas announced ("" when none did).
    public var township: String
    /// Its replicas (PCs) whose operations this replica holds.
    public var replicas: Int
    /// Operations held from them.
    public var operations: Int64
    /// When the newest of those operations was made (its clock, Unix milliseconds).
    public var latest: Int64?
}

extension Store {
    /// Per township, the replicas whose operations are held here and when the newest was
    /// made: one read of each replica's last chunk.
    public func freshness() throws -> [TownshipFreshness] {
        try read("freshness") { db in
            var byTownship: [String: TownshipFreshness] = [:]
            for r in try Self.newestOperations(db) where r.maxSeq > 0 {
                var entry = byTownship[r.township] ?? TownshipFreshness(township: r.township, replicas: 0, operations: 0, latest: nil)
                entry.replicas += 1
                entry.operations += r.maxSeq
                if let newest = r.newest { entry.latest = max(entry.latest ?? newest, newest) }
                byTownship[r.township] = entry
            }
            return byTownship.values.sorted { $0.township < $1.township }
        }
    }
}
