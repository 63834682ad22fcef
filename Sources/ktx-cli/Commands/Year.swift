import ArgumentParser
import Foundation
import KtxWords
import Reporting
import Store
import SyncCore

/// The year's close: a township submits, the county approves or returns (issue 30).
extension Ktx {
    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit this township's year to the county (a signed step; it reaches the county at the next sync). 提交本乡镇的年度数据。",
            discussion: "Example: ktx submit --year 2023, then ktx sync. The county approves it or returns it with a reason; `ktx status` shows where it stands.")

        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp(L("The year to submit.", "要提交的年度。"), valueName: "YYYY")) var year: String

        func run() async throws {
            try await reportingErrors(options) {
                let y = try Validate.year(year)
                let store = try options.openStore()
                let me = try store.identity()
                let lang = options.language
                guard me.role != .county else {
                    throw KtxError(.townshipOnly,
                                   zh: "未写入：县科协的电脑不提交年度，而是批准各乡镇提交的年度：ktx approve --year \(y) --township 乡镇名称",
                                   en: "nothing was written: the county's PC does not submit a year, it approves the townships': ktx approve --year \(y) --township NAME")
                }
                let standing = try store.yearStandings(y).first { $0.township == me.township }
                if standing?.standing.state == .approved {
                    throw KtxError(.yearState,
                                   zh: "未写入：\(me.township) 的 \(y) 年度已由县科协批准；此后的修改作为更正另行列出，不必再提交",
                                   en: "nothing was written: \(me.township)'s \(y) is approved by the county already; later changes are listed as amendments, not submitted again")
                }
                let frontier = try store.submitYear(y)
                let after = try store.yearStandings(y).first { $0.township == me.township }
                let activities = after?.activities ?? 0
                let attendance = after?.attendance ?? 0
                let operations = frontier.values.reduce(0, +)
                Console.out(lang.pick(
                    zh: "已提交 \(me.township) 的 \(y) 年度：\(activities) 项活动，参加人次 \(attendance)（共 \(operations) 条操作）。同步后送达县科协，由县科协批准或退回",
                    en: "submitted \(me.township)'s \(y): \(activities) activities, attendance \(attendance) (\(operations) operations). It reaches the county at the next sync; the county approves or returns it"))
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The county approves townships' submitted years, or closes its own. 县科协批准乡镇提交的年度。",
            discussion: """
                Examples: ktx approve --year 2023 --township 河西镇
                          ktx approve --year 2023 --all        (every township that submitted)
                          ktx approve --year 2023 --county     (the county's own year, once every township's is approved)
                """)

        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp(L("The year.", "年度。"), valueName: "YYYY")) var year: String
        @Option(parsing: .upToNextOption, help: ArgumentHelp(L("The townships to approve.", "要批准的乡镇。"), valueName: "name"))
        var township: [String] = []
        @Flag(help: ArgumentHelp(L("Every township that has submitted the year.", "所有已提交的乡镇。"))) var all = false
        @Flag(help: ArgumentHelp(L("Close the county's own year (every township approved).", "关闭县科协本身的年度（须各乡镇均已批准）。"))) var county = false

        func run() async throws {
            try await reportingErrors(options) {
                let y = try Validate.year(year)
                let lang = options.language
                guard [!township.isEmpty, all, county].filter({ $0 }).count == 1 else {
                    throw KtxError(.badFormat, zh: "请只用其中一种：--township 乡镇名称、--all 或 --county",
                                   en: "use exactly one of --township NAME, --all or --county")
                }
                let store = try options.openStore()
                try requireCounty(store, lang)
                if county {
                    // Every township approved first (this throws, naming those that are not)…
                    if try store.yearStandings(y).contains(where: { $0.standing.state != .approved }) { try store.approveCountyYear(y) }
                    // …and the form the county hands in explains every deviation.
                    if let targets = try TargetsParser.builtIn(year: y, catalog: store.catalog) {
                        let form = try SelfEvaluation.build(targets, store: store, filing: SelfEvaluation.Filing(unit: targets.unit, date: ""))
                        let missing = form.projects.flatMap { p in p.needingReason.map { "\(p.project.key) · \($0.result.indicator.name)" } }
                        guard missing.isEmpty else {
                            throw KtxError(.yearState,
                                           zh: "未关闭：自评表中还有 \(missing.count) 项指标须填写偏差原因分析（\(missing.joined(separator: "、"))）：用 ktx indicator note 填写后再关闭",
                                           en: "not closed: \(missing.count) indicators of the form still need a 偏差原因分析 (\(missing.joined(separator: ", "))): write them with `ktx indicator note`, then close the year")
                        }
                    }
                    try store.approveCountyYear(y)
                    Console.out(lang.pick(zh: "已关闭县科协的 \(y) 年度：各乡镇均已批准", en: "closed the county's \(y): every township is approved"))
                    return
                }
                let standings = try store.yearStandings(y)
                let chosen = all ? standings.filter { $0.standing.state == .submitted }.map(\.township) : township.map { $0.trimmingSpaces() }
                if all, chosen.isEmpty {
                    throw KtxError(.yearState, zh: "没有乡镇提交了 \(y) 年度待批准", en: "no township has submitted \(y) for approval")
                }
                for name in chosen where !standings.contains(where: { $0.township == name }) {
                    throw KtxError(.yearState, zh: "本机不知道乡镇“\(name)”：请先同步，或检查乡镇名称", en: "this PC knows no township \(name): sync first, or check the name")
                }
                for name in chosen {
                    try store.approveYear(y, township: name)
                    let s = standings.first { $0.township == name }
                    Console.out(lang.pick(zh: "已批准 \(name) 的 \(y) 年度（\(s?.activities ?? 0) 项活动，参加人次 \(s?.attendance ?? 0)）",
                                          en: "approved \(name)'s \(y) (\(s?.activities ?? 0) activities, attendance \(s?.attendance ?? 0))"))
                }
            }
        }
    }

    struct Return: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "return",
            abstract: "The county returns a township's year to it, saying why. 县科协退回乡镇的年度并说明原因。",
            discussion: "Example: ktx return --year 2023 --township 河西镇 --reason \"科技下乡缺少 5 月的签到表\"")

        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp(L("The year.", "年度。"), valueName: "YYYY")) var year: String
        @Option(help: ArgumentHelp(L("The township.", "乡镇。"), valueName: "name")) var township: String
        @Option(help: ArgumentHelp(L("Why it is returned (the township sees it).", "退回原因（乡镇会看到）。"), valueName: "text")) var reason: String

        func run() async throws {
            try await reportingErrors(options) {
                let y = try Validate.year(year)
                let store = try options.openStore()
                try requireCounty(store, options.language)
                let name = township.trimmingSpaces()
                try store.returnYear(y, township: name, reason: reason)
                Console.out(options.language.pick(zh: "已退回 \(name) 的 \(y) 年度；同步后乡镇会看到原因，修改后重新提交",
                                                  en: "returned \(name)'s \(y); the township sees why after a sync, and submits again"))
            }
        }
    }
}

/// Only the county's PCs approve and return: said before anything is written.
private func requireCounty(_ store: Store, _ lang: Language) throws {
    let me = try store.identity()
    guard me.role == .county else {
        throw KtxError(.countyOnly,
                       zh: "未写入：只有县科协的电脑可以批准或退回年度，本机是“\(me.township)”的副本。乡镇用 ktx submit --year 年度 提交",
                       en: "nothing was written: only the county's PCs approve or return a year; this PC is a replica of \(me.township). A township submits with `ktx submit --year YEAR`")
    }
}

/// Where a (year, township) stands, in one line.
func yearStandingLine(_ s: Store.YearStanding, _ lang: Language) -> String {
    let standing = s.standing
    switch standing.state {
    case .notSubmitted:
        return lang.pick(zh: "\(s.township) \(s.year) 年度：未提交", en: "\(s.township) \(s.year): not submitted")
    case .submitted:
        let when = standing.submitted.map { Labels.time($0.stamp.timestamp.millis) } ?? ""
        let pc = standing.submitted?.stamp.replica.short ?? ""
        return lang.pick(zh: "\(s.township) \(s.year) 年度：已提交（\(when)，电脑 \(pc)），待县科协批准",
                         en: "\(s.township) \(s.year): submitted (\(when), PC \(pc)), waiting for the county")
    case .returned:
        let why = standing.decided?.step.reason ?? ""
        return lang.pick(zh: "\(s.township) \(s.year) 年度：已退回（\(why)），请修改后重新提交：ktx submit --year \(s.year)",
                         en: "\(s.township) \(s.year): returned (\(why)); correct it and submit again: ktx submit --year \(s.year)")
    case .approved:
        let when = standing.decided.map { Labels.time($0.stamp.timestamp.millis) } ?? ""
        return lang.pick(zh: "\(s.township) \(s.year) 年度：已批准（\(when)）", en: "\(s.township) \(s.year): approved (\(when))")
    }
}

extension Ktx {
    struct Amendments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Changes made to an approved year, left out of its figures until the county accepts them. 批准后的更正。",
            discussion: """
                Examples: ktx amendments --year 2023
                          ktx amendments accept --year 2023 --all              (the county: every township's)
                          ktx amendments accept --year 2023 --township 河西镇
                          ktx amendments accept --year 2023 3f2a9c1b7d40-12   (only the amendments of these activities)
                """,
            subcommands: [List.self, Accept.self],
            defaultSubcommand: List.self)

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "list", abstract: "List the amendments of a year: who changed what, when. 列出更正。")
            @OptionGroup var options: GlobalOptions
            @Option(help: ArgumentHelp(L("The year.", "年度。"), valueName: "YYYY")) var year: String
            @Option(help: ArgumentHelp(L("table or json.", "table（表格）或 json。"))) var format: TableFormat = .table

            func run() async throws {
                try await reportingErrors(options) {
                    let y = try Validate.year(year)
                    let store = try options.openStore()
                    let lang = options.language
                    let found = try store.amendments(year: y)
                    let text = ChangeText(language: lang, catalog: store.catalog)
                    switch format {
                    case .json:
                        Console.out(JSONValue.array(found.map { a in
                            .object([("township", .string(a.township)), ("activity", .string(a.operation.activity.rawValue)),
                                     ("title", a.title.map(JSONValue.string) ?? .null), ("replica", .string(a.operation.replica.hex)),
                                     ("seq", .int(Int(a.operation.seq))), ("when", .string(Labels.time(a.operation.timestamp.millis))),
                                     ("change", .string(text.describe(a.operation.change)))])
                        }).render())
                    case .table:
                        guard !found.isEmpty else {
                            Console.out(lang.pick(zh: "\(y) 年度没有批准后的更正", en: "no amendments to \(y) since its approval"))
                            return
                        }
                        var table = TextTable(headers: [lang.pick(zh: "乡镇", en: "township"), lang.pick(zh: "时间", en: "when"),
                                                        lang.pick(zh: "电脑", en: "PC"), lang.pick(zh: "活动", en: "activity"),
                                                        lang.pick(zh: "更正", en: "change")],
                                              alignments: [.left, .left, .left, .left, .left])
                        for a in found {
                            table.append([a.township, Labels.time(a.operation.timestamp.millis), a.operation.replica.short,
                                          "\(a.operation.activity.rawValue) \(a.title ?? "")", text.describe(a.operation.change)])
                        }
                        Console.out(table.render())
                        Console.out(lang.pick(zh: "共 \(found.count) 条批准后的更正，未计入 \(y) 年度的数字；县科协可用 ktx amendments accept --year \(y) --all 接受",
                                              en: "\(found.count) amendments since approval, not counted in \(y)'s figures; the county accepts them with `ktx amendments accept --year \(y) --all`"))
                    }
                }
            }
        }

        struct Accept: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "accept", abstract: "The county accepts amendments: they count in the year's figures. 县科协接受更正。")
            @OptionGroup var options: GlobalOptions
            @Argument(help: ArgumentHelp(L("Accept only the amendments of these activities (ids as `ktx amendments` lists them).",
                                           "只接受这些活动的更正（编号见 ktx amendments）。"), valueName: "ID"))
            var ids: [String] = []
            @Option(help: ArgumentHelp(L("The year.", "年度。"), valueName: "YYYY")) var year: String
            @Option(parsing: .upToNextOption, help: ArgumentHelp(L("Only these townships' amendments.", "只接受这些乡镇的更正。"), valueName: "name"))
            var township: [String] = []
            @Flag(help: ArgumentHelp(L("Every township's amendments.", "接受所有乡镇的更正。"))) var all = false

            func run() async throws {
                try await reportingErrors(options) {
                    let y = try Validate.year(year)
                    let lang = options.language
                    guard [all, !township.isEmpty, !ids.isEmpty].filter({ $0 }).count == 1 else {
                        throw KtxError(.badFormat, zh: "请给出活动编号，或用 --township 乡镇名称、--all 其中之一",
                                       en: "give activity ids, or use one of --township NAME or --all")
                    }
                    let activities = try ids.isEmpty ? nil : Set(ids.map(parseID))
                    let store = try options.openStore()
                    try requireCounty(store, lang)
                    let accepted = try store.acceptAmendments(year: y, townships: all || !ids.isEmpty ? nil : Set(township.map { $0.trimmingSpaces() }),
                                                              activities: activities)
                    guard !accepted.isEmpty else {
                        throw KtxError(.yearState, zh: "没有待接受的 \(y) 年度更正", en: "no amendments to \(y) are waiting")
                    }
                    for (name, n) in accepted.sorted(by: { $0.key < $1.key }) {
                        Console.out(lang.pick(zh: "已接受 \(name) 的 \(n) 条 \(y) 年度更正，计入批准的数字", en: "accepted \(n) amendments of \(name) to \(y); they count in its approved figures"))
                    }
                }
            }
        }
    }
}

/// Tells the clerk that a change to an activity dated in an approved year is an amendment:
/// kept and synced, not counted until the county accepts it.
func warnIfAmendment(_ store: Store, dates: [String?], _ lang: Language) throws {
    let me = try store.identity()
    guard me.role != .county else { return }
    let approved = try store.approvedYears(township: me.township)
    guard !approved.isEmpty else { return }
    for year in Set(dates.compactMap { $0.flatMap { Int($0.prefix(4)) } }).intersection(approved).sorted() {
        Console.error("ktx: " + lang.pick(
            zh: "注意：\(me.township) 的 \(year) 年度已由县科协批准，这项修改是批准后的更正：已保存并会同步，县科协接受前不计入 \(year) 年度的数字（ktx amendments --year \(year) 可查看）",
            en: "note: \(me.township)'s \(year) is approved by the county, so this change is an amendment: kept and synced, not counted in \(year)'s figures until the county accepts it (see `ktx amendments --year \(year)`)"))
    }
}
