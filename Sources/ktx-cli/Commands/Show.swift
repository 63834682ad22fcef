import ArgumentParser
import Reporting
import Store
import SyncCore

extension Ktx {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one activity. 查看一次活动。")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The activity id.") var id: String
        @Option(help: "table or json.") var format: TableFormat = .table

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
        @Option(help: "table, json or csv.") var format: ListFormat = .table

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
            }
        }
    }
}

/// `--kind`, `--township`, `--year`.
struct FilterOptions: ParsableArguments {
    @Option(help: "Only this kind (Chinese name or code).", completion: kindCompletion) var kind: String?
    @Option(help: "Only this township.") var township: String?
    @Option(help: ArgumentHelp("Only activities dated in this year.", valueName: "YYYY")) var year: String?

    func resolve(_ catalog: Catalog) throws -> ActivityFilter {
        try ActivityFilter.parse(kind: kind, township: township, year: year, catalog: catalog)
    }
}
