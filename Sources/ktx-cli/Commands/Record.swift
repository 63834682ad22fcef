import ArgumentParser
import KtxWords
import Store
import SyncCore

extension Ktx {
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: L("Record an activity of this replica's township; prints only its new id.", "记录本乡镇的一次活动，只输出新活动的编号。"),
            discussion: L("""
                --kind, --date and --title are required; quantities may follow. 满意人数 may not exceed \
                调查人数, nor 展品损坏数 展品数.
                Example: id=$(ktx record --kind 科技下乡 --date 2023-05-20 --title 果树修剪培训 --attendance 120)
                """, """
                必填 --kind、--date、--title，其后可写各项数量。满意人数不能多于调查人数，展品损坏数不能多于展品数。
                例：id=$(ktx record --kind 科技下乡 --date 2023-05-20 --title 果树修剪培训 --attendance 120)
                """))

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp(L("The kind, by Chinese name or code: \(kindList(", ")).", "活动类型，中文名或代码：\(kindList("、"))。")), completion: kindCompletion)
        var kind: String?

        @Option(help: ArgumentHelp(L("The day it took place: 2023-05-20, 2023/5/20 or 2023年5月20日.", "活动日期：2023-05-20、2023/5/20 或 2023年5月20日。"), valueName: "date"))
        var date: String?

        @Option(help: ArgumentHelp(L("A short title, e.g. 果树修剪技术培训.", "简短的标题，例如 果树修剪技术培训。")))
        var title: String?

        @Option(help: ArgumentHelp(L("Where it took place.", "活动地点。")))
        var venue: String?

        @Option(help: ArgumentHelp(L("The budget project code it belongs to.", "所属预算项目编码。"), valueName: "code"))
        var project: String?

        @Option(help: ArgumentHelp(L("Notes (备注), e.g. who organised it.", "备注，例如协办单位。"), valueName: "text"))
        var notes: String?

        /// One option per quantity of the catalog (`--attendance`, … `--cost`), generated from
        /// `Schema/catalog.json` by the CatalogOptions plugin.
        @OptionGroup var quantities: QuantityOptions

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                guard let kind else { throw KtxError.missingField(.kind) }
                guard let date else { throw KtxError.missingField(.date) }
                guard let title else { throw KtxError.missingField(.title) }
                var amounts: [String: Int64] = [:]
                for (code, text) in quantities.given {
                    amounts[code] = try parseAmount(text, metric: code, catalog: store.catalog).amount
                }
                let id = try store.record(ActivityDraft(kind: kind, date: date, title: title, venue: venue,
                                                        project: project, notes: notes, quantities: amounts))
                warnIfUnlikely(date, options.language)
                Console.out(id.rawValue)
                try warnIfAmendment(store, dates: [date], options.language)
                // The record is kept (exit 0: running the command again would record it twice),
                // and the clerk is told the log it joins is not whole.
                _ = try saidLogDamage(store, options)
            }
        }
    }
}

/// The catalog's kinds as help lists them: `科技下乡 (rural), 青少年科普日 (youth), …`.
func kindList(_ separator: String) -> String {
    Catalog.standard.kinds.map { "\($0.name) (\($0.code))" }.joined(separator: separator)
}

/// Shell completion of kinds and metrics: Chinese names and codes from the catalog.
let kindCompletion = CompletionKind.list(Catalog.standard.kinds.flatMap { [$0.name, $0.code] })
let metricCompletion = CompletionKind.list(Catalog.standard.metrics.flatMap { [$0.code, $0.name] })

/// Parses an amount typed for a metric (by code or Chinese name) into stored units; a clear
/// error for an unknown metric or a malformed number.
func parseAmount(_ text: String, metric name: String, catalog: Catalog) throws -> (metric: Metric, amount: Int64) {
    guard let metric = catalog.metric(named: name) else { throw KtxError.unknownMetric(name, catalog: catalog) }
    guard let value = metric.parse(text) else { throw KtxError.badNumber(.metric(metric.code), text, metric: metric) }
    return (metric, value)
}

/// Parses an activity id typed by a user.
func parseID(_ text: String) throws -> ActivityID {
    guard let id = ActivityID(parsing: text) else { throw KtxError.badActivityID(text) }
    return id
}
