import ArgumentParser
import Store
import SyncCore

extension Ktx {
    struct Totals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Merged totals of live activities, optionally grouped. 汇总活动数与各项数量。",
            discussion: """
                JSON is an array with one object per group: the group keys (township, kind by its \
                Chinese name, quarter as 2023-Q2, month as 2023-05), then activities and every \
                quantity by its metric name. Without --by, one object.
                """)

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp("Group by any of township, kind, quarter, month, comma-separated.", valueName: "keys"))
        var by: String?

        @Option(help: ArgumentHelp("Only activities dated in this year.", valueName: "YYYY")) var year: String?
        @Option(help: "Only this kind (Chinese name or code).") var kind: String?
        @Option(help: "table, json or csv.") var format: ListFormat = .table

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let keys = try parseKeys()
                let filter = try FilterOptions.resolve(kind: kind, township: nil, year: year, catalog: store.catalog)
                let rows = try store.totals(by: keys, filter: filter)
                let labels = Labels(language: options.language, catalog: store.catalog)
                let metrics = store.catalog.metrics
                func keyValue(_ row: TotalsRow, _ key: GroupKey, zhName: Bool) -> String {
                    let value = row.group[key] ?? ""
                    guard key == .kind else { return value }
                    return zhName ? store.catalog.kindName(code: value, .zh) : labels.kindName(value)
                }
                switch format {
                case .json:
                    let objects: [JSONValue] = rows.map { row in
                        var members: [(String, JSONValue)] = keys.map { ($0.rawValue, .string(keyValue(row, $0, zhName: true))) }
                        members.append(("activities", .int(row.activities)))
                        for m in metrics { members.append((m.code, .number(m.format(row.quantities[m.code] ?? 0)))) }
                        return .object(members)
                    }
                    Console.out(JSONValue.array(objects).render())
                case .csv:
                    Console.out(CSV.line(keys.map(\.rawValue) + ["activities"] + metrics.map(\.code)))
                    for row in rows {
                        Console.out(CSV.line(keys.map { keyValue(row, $0, zhName: true) } + [String(row.activities)]
                            + metrics.map { $0.format(row.quantities[$0.code] ?? 0) }))
                    }
                case .table:
                    let shown = metrics.filter { m in m.code == "attendance" || rows.contains { $0.quantities[m.code] != nil } }
                    var table = TextTable(
                        headers: keys.map(labels.group) + [labels.activities] + shown.map(labels.metric),
                        alignments: keys.map { _ in .left } + Array(repeating: .right, count: shown.count + 1))
                    for row in rows {
                        table.append(keys.map { keyValue(row, $0, zhName: false) } + [String(row.activities)]
                            + shown.map { $0.format(row.quantities[$0.code] ?? 0) })
                    }
                    Console.out(table.render())
                }
            }
        }

        func parseKeys() throws -> [GroupKey] {
            guard let by else { return [] }
            var keys: [GroupKey] = []
            for part in by.split(separator: ",") {
                let name = part.trimmingSpaces().lowercased()
                guard let key = GroupKey(rawValue: name) else {
                    throw KtxError(.missingField,
                                   zh: "--by 不认识“\(name)”：可用 township、kind、quarter、month，用逗号分隔",
                                   en: "--by does not know '\(name)': use township, kind, quarter, month, comma-separated")
                }
                if !keys.contains(key) { keys.append(key) }
            }
            return keys
        }
    }
}

