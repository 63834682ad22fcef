import GRDB
import SyncCore

/// A dimension `ktx totals --by` groups on.
public enum GroupKey: String, CaseIterable, Sendable, Hashable {
    case township, kind, quarter, month

    /// The SQL expression of the key over an `activity a`.
    var sql: String {
        switch self {
        case .township: "COALESCE(a.township, '')"
        case .kind: "COALESCE(a.kind, '')"
        case .quarter: "COALESCE(substr(a.date, 1, 4) || '-Q' || ((CAST(substr(a.date, 6, 2) AS INTEGER) + 2) / 3), '')"
        case .month: "COALESCE(substr(a.date, 1, 7), '')"
        }
    }
}

/// One group of `ktx totals`: the group's key values, its live activities and the sum
/// of each quantity over them.
public struct TotalsRow: Hashable, Sendable {
    /// Key values by dimension: township name, kind code, `2023-Q2`, `2023-05`.
    public var group: [GroupKey: String]
    /// Live activities in the group.
    public var activities: Int64
    /// Sums by metric code, in stored units; metrics with no additions are absent.
    public var quantities: [String: Int64]
}

extension Store {
    /// Totals over live activities, grouped by the given keys (one row when none).
    ///
    /// Deleted activities and every addition made to them are left out.
    public func totals(by keys: [GroupKey] = [], filter: ActivityFilter = ActivityFilter()) throws -> [TotalsRow] {
        try read("totals") { db in
            let (clause, arguments) = Self.whereClause(filter)
            let keyColumns = keys.map(\.sql)
            let select = keyColumns.isEmpty ? "" : keyColumns.joined(separator: ", ") + ", "
            let groupBy = keyColumns.isEmpty ? "" : " GROUP BY " + keyColumns.joined(separator: ", ")
            var rows: [[String]: TotalsRow] = [:]
            func key(_ row: Row) -> [String] { (0..<keys.count).map { row[$0] as String } }
            func group(_ values: [String]) -> [GroupKey: String] {
                Dictionary(uniqueKeysWithValues: zip(keys, values))
            }
            for row in try Row.fetchAll(db, sql: "SELECT \(select)COUNT(*) FROM activity a WHERE \(clause)\(groupBy)",
                                        arguments: arguments) {
                let k = key(row)
                rows[k] = TotalsRow(group: group(k), activities: row[keys.count], quantities: [:])
            }
            let metricGroupBy = keyColumns.isEmpty ? " GROUP BY q.metric" : groupBy + ", q.metric"
            for row in try Row.fetchAll(db, sql: """
                SELECT \(select)q.metric, SUM(q.value) FROM activity a JOIN quantity q ON q.activity = a.id
                WHERE \(clause)\(metricGroupBy)
                """, arguments: arguments) {
                let k = key(row)
                let sum: Int64 = row[keys.count + 1]
                if sum != 0 { rows[k, default: TotalsRow(group: group(k), activities: 0, quantities: [:])].quantities[row[keys.count]] = sum }
            }
            if keys.isEmpty && rows.isEmpty { return [TotalsRow(group: [:], activities: 0, quantities: [:])] }
            return rows.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
        }
    }
}
