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

        @Option(help: ArgumentHelp(L("The kind, by Chinese name or code: 科技下乡 (rural), 青少年科普日 (youth), 科技活动周 (week), 流动科技馆 (museum), 全国科普日 (national), 科技培训 (training).", "活动类型，中文名或代码：科技下乡 (rural)、青少年科普日 (youth)、科技活动周 (week)、流动科技馆 (museum)、全国科普日 (national)、科技培训 (training)。")), completion: kindCompletion)
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

        @Option(parsing: .unconditional, help: ArgumentHelp(L("People attending (参加人次).", "参加人次。"), valueName: "n")) var attendance: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(L("People benefiting (受益人数).", "受益人数。"), valueName: "n")) var beneficiaries: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(L("Schools reached (受益学校数).", "受益学校数。"), valueName: "n")) var schools: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(L("Enterprises trained (参加培训企业数).", "参加培训企业数。"), valueName: "n")) var enterprises: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(L("New varieties and techniques demonstrated (推广新品种新技术数).", "推广新品种新技术数。"), valueName: "n")) var techniques: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(L("Exhibits shown (展品数).", "展品数。"), valueName: "n")) var exhibits: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(L("Exhibits damaged (展品损坏数).", "展品损坏数。"), valueName: "n")) var damaged: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(L("People surveyed for satisfaction (调查人数).", "满意度调查人数。"), valueName: "n")) var surveyed: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(L("People satisfied (满意人数).", "满意人数。"), valueName: "n")) var satisfied: String?
        @Option(parsing: .unconditional, help: ArgumentHelp(L("Cost in yuan, up to 2 decimals (费用).", "费用，单位元，最多两位小数。"), valueName: "yuan")) var cost: String?

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                guard let kind else { throw KtxError.missingField(.kind) }
                guard let date else { throw KtxError.missingField(.date) }
                guard let title else { throw KtxError.missingField(.title) }
                let given: [(String, String?)] = [
                    ("attendance", attendance), ("beneficiaries", beneficiaries), ("schools", schools),
                    ("enterprises", enterprises), ("techniques", techniques), ("exhibits", exhibits),
                    ("damaged", damaged), ("surveyed", surveyed), ("satisfied", satisfied), ("cost", cost),
                ]
                var quantities: [String: Int64] = [:]
                for case let (code, text?) in given {
                    quantities[code] = try parseAmount(text, metric: code, catalog: store.catalog).amount
                }
                let id = try store.record(ActivityDraft(kind: kind, date: date, title: title, venue: venue,
                                                        project: project, notes: notes, quantities: quantities))
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
