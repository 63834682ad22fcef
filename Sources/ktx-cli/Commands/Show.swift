import ArgumentParser
import KtxWords
import Reporting
import Store
import SyncCore

extension Ktx {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one activity. 查看一次活动。")

        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp(L("The activity id.", "活动编号。"))) var id: String
        @Option(help: ArgumentHelp(L("table or json.", "table（表格）或 json。"))) var format: TableFormat = .table

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let activityID = try parseID(id)
                guard let record = try store.activity(activityID) else { throw KtxError.unknownActivity(activityID.rawValue) }
                let presenter = ActivityPresenter(labels: Labels(language: options.language, catalog: store.catalog))
                switch format {
                case .table:
                    Console.out(presenter.detail(record))
                    if let old = try store.restoredFrom(activityID) {
                        Console.out(options.language.pick(zh: "恢复自已删除的活动 \(old)", en: "restored from deleted activity \(old)"))
                    } else if let new = try store.restoredAs(activityID) {
                        Console.out(options.language.pick(zh: "已恢复为 \(new)", en: "restored as \(new)"))
                    }
                case .json: Console.out(presenter.json(record).render())
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List live activities, by date. 列出活动。")

        @OptionGroup var options: GlobalOptions
        @OptionGroup var filter: FilterOptions
        @Option(help: ArgumentHelp(L("table, json or csv.", "table（表格）、json 或 csv。"))) var format: ListFormat = .table

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let records = try store.activities(try filter.resolve(store.catalog))
                let presenter = ActivityPresenter(labels: Labels(language: options.language, catalog: store.catalog))
                switch format {
                case .table: Console.out(presenter.table(records).render())
                case .json: Console.out(JSONValue.array(records.map(presenter.json)).render())
                case .csv:
                    Console.out(CSV.line(presenter.csvHeader))
                    for r in records { Console.out(CSV.line(presenter.csv(r))) }
                }
                if try saidLogDamage(store, options) { throw ExitCode(1) }
            }
        }
    }
}

/// `--kind`, `--township`, `--year`.
struct FilterOptions: ParsableArguments {
    @Option(help: ArgumentHelp(L("Only this kind (Chinese name or code).", "只要这一类型（中文名或代码）。")), completion: kindCompletion) var kind: String?
    @Option(help: ArgumentHelp(L("Only this township.", "只要这个乡镇。"))) var township: String?
    @Option(help: ArgumentHelp(L("Only activities dated in this year.", "只要这一年的活动。"), valueName: "YYYY")) var year: String?

    func resolve(_ catalog: Catalog) throws -> ActivityFilter {
        try ActivityFilter.parse(kind: kind, township: township, year: year, catalog: catalog)
    }
}
