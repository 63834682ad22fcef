import Foundation
import GRDB
import SyncCore

/// Live activities of one (kind, budget project code, month) of a year, with the sum and
/// the largest single value of each quantity: what the performance report is computed from.
public struct ReportCell: Hashable, Sendable {
    /// The kind code.
    public var kind: String
    /// The budget project code recorded on the activities ("" when none).
    public var project: String
    /// 1 to 12.
    public var month: Int
    /// Live activities in the cell.
    public var activities: Int64
    /// Sums by metric code, in stored units.
    public var sums: [String: Int64]
    /// The largest value of each metric on any one activity of the cell.
    public var maxima: [String: Int64]

    public var quarter: Int { (month + 2) / 3 }
}

extension Store {
    /// The report cells of a year, over live activities dated up to `through`
    /// (inclusive, `YYYY-MM-DD`), in one read.
    ///
    /// Two grouped queries, so the cost grows with the number of (kind, project, month)
    /// cells, not with the log.
    public func reportCells(year: Int, through: String) throws -> [ReportCell] {
        try read("report") { db in
            let from = String(format: "%04d-01-01", year)
            var cells: [[String]: ReportCell] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT a.kind, COALESCE(a.project, ''), CAST(substr(a.date, 6, 2) AS INTEGER), COUNT(*)
                FROM activity a
                WHERE a.deleted = 0 AND a.date >= ? AND a.date <= ? AND a.kind IS NOT NULL
                GROUP BY 1, 2, 3
                """, arguments: [from, through]) {
                let key: [String] = [row[0], row[1], String(row[2] as Int)]
                cells[key] = ReportCell(kind: row[0], project: row[1], month: row[2], activities: row[3], sums: [:], maxima: [:])
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT a.kind, COALESCE(a.project, ''), CAST(substr(a.date, 6, 2) AS INTEGER), q.metric, SUM(q.value), MAX(q.value)
                FROM activity a JOIN quantity q ON q.activity = a.id
                WHERE a.deleted = 0 AND a.date >= ? AND a.date <= ? AND a.kind IS NOT NULL
                GROUP BY 1, 2, 3, 4
                """, arguments: [from, through]) {
                let key: [String] = [row[0], row[1], String(row[2] as Int)]
                cells[key]?.sums[row[3]] = row[4]
                cells[key]?.maxima[row[3]] = row[5]
            }
            return cells.values.sorted { ($0.kind, $0.project, $0.month) < ($1.kind, $1.project, $1.month) }
        }
    }
}
