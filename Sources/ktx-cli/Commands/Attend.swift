import ArgumentParser
import KtxWords
import Store
import SyncCore

extension Ktx {
    struct Attend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add to a quantity of an activity (negative to correct). 追加参加人次等数量（负数为更正）。",
            discussion: "Examples: ktx attend 3fa9c2d1b0e4-1 35   ktx attend 3fa9c2d1b0e4-1 -5   ktx attend 3fa9c2d1b0e4-1 2 --metric schools")

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp(L("The activity id, as printed by `ktx record` or `ktx list`.", "活动编号，即 ktx record 或 ktx list 显示的编号。")))
        var id: String

        // `.allUnrecognized` so that a negative amount (`-5`), which looks like an option, is accepted.
        @Argument(parsing: .allUnrecognized, help: ArgumentHelp(L("The amount to add; negative for a correction.", "要加的数量；更正时可为负数。"), valueName: "n"))
        var amount: [String] = []

        @Option(help: ArgumentHelp(L("The quantity: attendance (default), beneficiaries, schools, enterprises, techniques, exhibits, damaged, surveyed, satisfied, cost; or its Chinese name.", "数量：默认参加人次；也可写受益人数、受益学校数、参加培训企业数、推广新品种新技术数、展品数、展品损坏数、调查人数、满意人数、费用，或其代码。")), completion: metricCompletion)
        var metric: String = "attendance"

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let given = amount
                guard given.count == 1, let text = given.first else { throw KtxError.missingField("N") }
                let activity = try parseID(id)
                let (m, value) = try parseAmount(text, metric: metric, catalog: store.catalog)
                let total = try store.add(to: activity, metric: m.code, amount: value)
                // 参加人次 155（+35）
                let change = (value >= 0 ? "+" : "") + m.format(value)
                Console.out(options.language.pick(zh: "\(m.name) \(m.format(total))（\(change)）", en: "\(m.english) \(m.format(total)) (\(change))"))
                try warnIfAmendment(store, dates: [try store.activity(activity)?.date], options.language)
            }
        }
    }
}
