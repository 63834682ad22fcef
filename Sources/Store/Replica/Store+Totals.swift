import GRDB
import SyncCore

/// A dimension `ktx totals --by` groups on.
public enum GroupKey: String, CaseIterable, Sendable, Hashable {
    case township, kind, quarter, month

    /// The Chinese name, also accepted in `--by` (乡镇,类型).
    public var chineseName: String {
        switch self {
        case .township: "乡镇"
        case .kind: "类型"
        case .quarter: "季度"
        case .month: "月份"
        }
    }

    /// A key by its Chinese name.
    static func named(_ name: String) -> GroupKey? { allCases.first { $0.chineseName == name } }

    /// The SQL expression of the key over a `total_cell c` (`c.month` is `YYYY-MM` or '').
    var cellSQL: String {
        switch self {
        case .township: "c.township"
        case .kind: "c.kind"
        case .quarter: "CASE c.month WHEN '' THEN '' ELSE substr(c.month, 1, 4) || '-Q' || ((CAST(substr(c.month, 6, 2) AS INTEGER) + 2) / 3) END"
        case .month: "c.month"
        }
    }

    /// The SQL expression of the key over an `activity a`.
    var activitySQL: String {
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

/// Where a live activity's figures are kept in `total_cell`: its township, kind, budget
/// project and month ('' for any not known). A deleted activity is in no cell.
struct TotalCell: Hashable {
    var township: String
    var kind: String
    var project: String
    var month: String
}

extension TotalCell {
    init?(live state: ActivityState) {
        guard !state.deleted else { return nil }
        township = state[.township] ?? ""
        kind = state[.kind] ?? ""
        project = state[.project] ?? ""
        month = String((state[.date] ?? "").prefix(7))
    }
}

/// Changes to `total_cell` gathered over a batch, written once per cell and metric.
///
/// Only what this catalog knows counts: an activity of a kind it lacks is in no cell, and
/// additions to a metric it lacks are left out (a newer ktx's operations, kept in the log;
/// a rebuild with a catalog that knows them counts them).
struct CellDeltas {
    /// By cell, then by metric ('' for the number of activities).
    private var deltas: [TotalCell: [String: Int64]] = [:]
    private let kinds: Set<String>
    private let metrics: Set<String>
    /// Whether a sum went beyond what 64 bits hold.
    private(set) var overflowed = false

    init(catalog: Catalog) {
        kinds = Set(catalog.kinds.map(\.code))
        metrics = Set(catalog.metrics.map(\.code))
    }

    /// The cell a live activity of a known kind (or of none yet) counts in; nil otherwise.
    func cell(of state: ActivityState) -> TotalCell? {
        guard let cell = TotalCell(live: state), cell.kind.isEmpty || kinds.contains(cell.kind) else { return nil }
        return cell
    }

    private mutating func bump(_ cell: TotalCell, _ metric: String, _ amount: Int64) {
        let (sum, overflow) = deltas[cell, default: [:]][metric, default: 0].addingReportingOverflow(amount)
        deltas[cell, default: [:]][metric] = sum
        if overflow { overflowed = true }
    }

    /// Adds quantities to a cell's sums.
    mutating func add(_ amounts: [(metric: String, amount: Int64)], to cell: TotalCell) {
        for (metric, amount) in amounts where metrics.contains(metric) { bump(cell, metric, amount) }
    }

    /// An activity holding `quantities` leaves (`out`) or joins a cell: its count and sums go with it.
    mutating func move(_ quantities: [(metric: String, amount: Int64)], out: Bool, of cell: TotalCell) {
        bump(cell, "", out ? -1 : 1)
        for (metric, amount) in quantities where metrics.contains(metric) { bump(cell, metric, out ? 0 &- amount : amount) }
    }

    func write(_ db: Database) throws {
        guard !deltas.isEmpty else { return }
        guard !overflowed else { throw KtxError.overflow() }
        try Self.upsert(deltas, into: .cell, db)
        // The same changes summed over townships (`county_cell`) and over projects and
        // months (`township_cell`).
        for rollup in [Rollup.county, .townshipYear] {
            var rolled: [TotalCell: [String: Int64]] = [:]
            for (cell, metrics) in deltas {
                let key = rollup.key(of: cell)
                for (metric, amount) in metrics where amount != 0 {
                    let (sum, overflow) = rolled[key, default: [:]][metric, default: 0].addingReportingOverflow(amount)
                    guard !overflow else { throw KtxError.overflow() }
                    rolled[key, default: [:]][metric] = sum
                }
            }
            try Self.upsert(rolled, into: rollup, db)
        }
    }

    /// The tables of kept totals: one per township and cell, and two summed up from it.
    enum Rollup {
        /// `total_cell`: per (township, kind, project, month), the cells the others sum up.
        case cell
        /// `county_cell`: per (kind, project, month), summed over townships.
        case county
        /// `township_cell`: per (township, kind, year), summed over projects and months.
        case townshipYear

        var table: String {
            switch self {
            case .cell: "total_cell"
            case .county: "county_cell"
            case .townshipYear: "township_cell"
            }
        }

        var columns: [String] {
            switch self {
            case .cell: ["township", "kind", "project", "month"]
            case .county: ["kind", "project", "month"]
            case .townshipYear: ["township", "kind", "year"]
            }
        }

        /// A `total_cell` cell's key in this table (the parts it sums over left empty; the
        /// year held in `month`).
        func key(of cell: TotalCell) -> TotalCell {
            switch self {
            case .cell: cell
            case .county: TotalCell(township: "", kind: cell.kind, project: cell.project, month: cell.month)
            case .townshipYear: TotalCell(township: cell.township, kind: cell.kind, project: "", month: String(cell.month.prefix(4)))
            }
        }

        /// A key's values in `columns`' order.
        func values(_ cell: TotalCell) -> [String] {
            switch self {
            case .cell: [cell.township, cell.kind, cell.project, cell.month]
            case .county: [cell.kind, cell.project, cell.month]
            case .townshipYear: [cell.township, cell.kind, cell.month]
            }
        }
    }

    /// Adds changes to the cells of one table of kept totals.
    private static func upsert(_ deltas: [TotalCell: [String: Int64]], into rollup: Rollup, _ db: Database) throws {
        let keys = rollup.columns + ["metric"]
        let upsert = try HotStatement(db, """
            INSERT INTO \(rollup.table) (\(keys.joined(separator: ", ")), value) VALUES (\(Array(repeating: "?", count: keys.count + 1).joined(separator: ", ")))
            ON CONFLICT (\(keys.joined(separator: ", "))) DO UPDATE SET value = \(Store.checkedAdd)(value, excluded.value)
            """)
        for (cell, metrics) in deltas {
            let values = rollup.values(cell)
            for (metric, amount) in metrics where amount != 0 {
                for (i, value) in values.enumerated() { upsert.bind(Int32(i + 1), value) }
                upsert.bind(Int32(values.count + 1), metric)
                upsert.bind(Int32(values.count + 2), amount)
                try upsert.run()
            }
        }
    }
}

extension Store {
    /// Totals over live activities, grouped by the given keys (one row when none).
    ///
    /// Deleted activities and every addition made to them are left out. Read from the
    /// totals kept per (township, kind, project, month) cell, so the cost grows with the
    /// number of cells, not of activities or operations.
    public func totals(by keys: [GroupKey] = [], filter: ActivityFilter = ActivityFilter()) throws -> [TotalsRow] {
        try read("totals") { db in try Self.fetchTotals(db, by: keys, filter: filter) }
    }

    /// ``totals(by:filter:)`` without blocking Swift's cooperative thread pool (the hub's).
    public func totals(by keys: [GroupKey] = [], filter: ActivityFilter = ActivityFilter()) async throws -> [TotalsRow] {
        try await readAsync("totals") { db in try Self.fetchTotals(db, by: keys, filter: filter) }
    }

    private static func fetchTotals(_ db: Database, by keys: [GroupKey], filter: ActivityFilter) throws -> [TotalsRow] {
        // The smallest table of kept totals that holds the answer: totals not split or
        // filtered by township read the cells summed over townships; those by township
        // but not by month or quarter, the cells summed over projects and months.
        let rollup: CellDeltas.Rollup =
            if filter.township == nil && !keys.contains(.township) { .county }
            else if !keys.contains(.month) && !keys.contains(.quarter) { .townshipYear }
            else { .cell }
        var clauses = ["c.value != 0"]
        var arguments: StatementArguments = []
        if let kind = filter.kind { clauses.append("c.kind = ?"); arguments += [kind] }
        if let township = filter.township { clauses.append("c.township = ?"); arguments += [township] }
        if let year = filter.year {
            clauses.append(rollup == .townshipYear ? "c.year = ?" : "substr(c.month, 1, 4) = ?")
            arguments += [String(year)]
        }
        let columns = keys.map(\.cellSQL)
        let select = (columns + ["c.metric"]).joined(separator: ", ")
        let rows = try Row.fetchAll(db, sql: """
            SELECT \(select), SUM(c.value) FROM \(rollup.table) c WHERE \(clauses.joined(separator: " AND ")) GROUP BY \(select)
            """, arguments: arguments)
        return try Self.totalsRows(rows, keys: keys)
    }

    /// The same totals computed from the activity rows themselves, bypassing the kept
    /// cells: slower (it reads every activity), for checking that the cells are right.
    public func totalsFromActivities(by keys: [GroupKey] = [], filter: ActivityFilter = ActivityFilter()) throws -> [TotalsRow] {
        try read("totals") { db in
            var (clause, arguments) = Self.whereClause(filter)
            // What the kept cells count: kinds and metrics this catalog knows.
            let kinds = catalog.kinds.map { "'\($0.code)'" }.joined(separator: ", ")
            let metrics = catalog.metrics.map { "'\($0.code)'" }.joined(separator: ", ")
            clause += " AND COALESCE(a.kind, '') IN ('', \(kinds))"
            let metricClause = clause + " AND q.metric IN (\(metrics))"
            let columns = keys.map(\.activitySQL)
            let select = columns.isEmpty ? "" : columns.joined(separator: ", ") + ", "
            let groupBy = columns.isEmpty ? "" : " GROUP BY " + columns.joined(separator: ", ")
            let metricGroupBy = columns.isEmpty ? " GROUP BY q.metric" : groupBy + ", q.metric"
            let rows = try Row.fetchAll(db, sql: """
                SELECT \(select)'', COUNT(*) FROM activity a WHERE \(clause)\(groupBy)
                UNION ALL
                SELECT \(select)q.metric, SUM(q.value) FROM activity a JOIN quantity q ON q.activity = a.id
                WHERE \(metricClause)\(metricGroupBy)
                """, arguments: arguments + arguments)
            return try Self.totalsRows(rows, keys: keys)
        }
    }

    /// Rows selected as (keys…, metric, sum), metric '' for the number of activities, made
    /// into groups: one per key values holding any live activity, in key order.
    ///
    /// - Throws: `KtxError` `overflow` for a sum that is not an exact integer (written by
    ///   a version that did not check its sums); never a crash.
    private static func totalsRows(_ rows: [Row], keys: [GroupKey]) throws -> [TotalsRow] {
        var groups: [[String]: TotalsRow] = [:]
        var sums: [([String], String, Int64)] = []
        for row in rows {
            let k = (0..<keys.count).map { row[$0] as String }
            let metric: String = row[keys.count]
            guard let sum = Int64.fromDatabaseValue(row[keys.count + 1]) else { throw KtxError.overflow() }
            if metric.isEmpty {
                if sum != 0 {
                    groups[k] = TotalsRow(group: Dictionary(uniqueKeysWithValues: zip(keys, k)), activities: sum, quantities: [:])
                }
            } else if sum != 0 {
                sums.append((k, metric, sum))
            }
        }
        for (k, metric, sum) in sums { groups[k]?.quantities[metric] = sum }
        if keys.isEmpty && groups.isEmpty { return [TotalsRow(group: [:], activities: 0, quantities: [:])] }
        return groups.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
    }
}

extension GroupKey {
    /// Parses `township,kind,quarter` as given to `--by` or `?by=`.
    public static func parseList(_ text: String?) throws -> [GroupKey] {
        guard let text, !text.isEmpty else { return [] }
        var keys: [GroupKey] = []
        for part in TypedInput.folded(text).split(separator: ",") {
            let name = part.trimmingSpaces().lowercased()
            guard let key = GroupKey(rawValue: name) ?? GroupKey.named(name) else {
                if let near = TypedInput.nearest(name, among: GroupKey.allCases.map(\.rawValue) + GroupKey.allCases.map(\.chineseName)) {
                    throw KtxError(.badGroupKey(name, near: near))
                }
                throw KtxError(.badGroupKey(name, near: nil))
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
