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

extension GroupKey {
    /// Parses `township,kind,quarter` as given to `--by` or `?by=`.
    public static func parseList(_ text: String?) throws -> [GroupKey] {
        guard let text, !text.isEmpty else { return [] }
        var keys: [GroupKey] = []
        for part in text.split(separator: ",") {
            let name = part.trimmingSpaces().lowercased()
            guard let key = GroupKey(rawValue: name) else {
                throw KtxError(.badGroupKey,
                               zh: "分组“\(name)”无效：可用 township、kind、quarter、month，用逗号分隔",
                               en: "cannot group by '\(name)': use township, kind, quarter, month, comma-separated")
            }
            if !keys.contains(key) { keys.append(key) }
        }
        return keys
    }
}

extension TotalsRow {
    /// The value of a group key as reports show it: a kind by its name in `language`.
    public func display(_ key: GroupKey, catalog: Catalog, language: Language = .zh) -> String {
        let value = group[key] ?? ""
        return key == .kind ? catalog.kindName(code: value, language) : value
    }

    /// Totals as JSON: an array with one object per group: the group keys (kind by its
    /// Chinese name), `activities`, then every metric of the catalog by its code.
    /// `ktx totals --format json` and the hub's `/v1/totals` both answer with this.
    public static func json(_ rows: [TotalsRow], keys: [GroupKey], catalog: Catalog) -> JSONValue {
        .array(rows.map { row in
            var members: [(String, JSONValue)] = keys.map { ($0.rawValue, .string(row.display($0, catalog: catalog))) }
            members.append(("activities", .int(row.activities)))
            for m in catalog.metrics { members.append((m.code, .number(m.format(row.quantities[m.code] ?? 0)))) }
            return .object(members)
        })
    }
}
