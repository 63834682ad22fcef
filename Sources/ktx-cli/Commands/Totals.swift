import ArgumentParser
import Reporting
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

        @Option(help: ArgumentHelp(L("Group by any of township, kind, quarter, month, comma-separated.", "按 township（乡镇）、kind（类型）、quarter（季度）、month（月份）分组，可逗号分隔多个。"), valueName: "keys"))
        var by: String?

        @Option(help: ArgumentHelp(L("Only activities dated in this year.", "只要这一年的活动。"), valueName: "YYYY")) var year: String?
        @Option(help: ArgumentHelp(L("Only this kind (Chinese name or code).", "只要这一类型（中文名或代码）。")), completion: kindCompletion) var kind: String?
        @Option(help: ArgumentHelp(L("table, json or csv.", "table（表格）、json 或 csv。"))) var format: ListFormat = .table

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let keys = try parseKeys()
                let filter = try ActivityFilter.parse(kind: kind, township: nil, year: year, catalog: store.catalog)
                let rows = try store.totals(by: keys, filter: filter)
                let labels = Labels(language: options.language, catalog: store.catalog)
                let metrics = store.catalog.metrics
                func keyValue(_ row: TotalsRow, _ key: GroupKey, zhName: Bool) -> String {
                    row.display(key, catalog: store.catalog, language: zhName ? .zh : options.language)
                }
                switch format {
                case .json:
                    Console.out(TotalsRow.json(rows, keys: keys, catalog: store.catalog).render())
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
                    if let township = try store.pullScopeTownship() {
                        Console.out(options.language.pick(zh: "（本副本只拉取\(township)及县科协的数据：其他乡镇的数字不完整，这不是全县合计）",
                                                          en: "(this replica pulls only \(township)'s and the county's data: other townships' figures are incomplete, not the county's total)"))
                    }
                }
                // Figures from a log that misses or changed operations are not called whole.
                if try saidLogDamage(store, options) { throw ExitCode(1) }
            }
        }

        func parseKeys() throws -> [GroupKey] { try GroupKey.parseList(by) }
    }
}

