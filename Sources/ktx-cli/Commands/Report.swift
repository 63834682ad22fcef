import ArgumentParser
import Foundation
import KtxWords
import Reporting
import Store
import SyncCore

enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case table, json, csv, html, xlsx }

/// Which form a report takes.
enum ReportForm: String, ExpressibleByArgument, CaseIterable {
    /// The working summary: targets, actual values, completion, spending.
    case summary
    /// The year-end 项目支出绩效自评表.
    case selfEvaluation = "self-evaluation"
    /// The mid-year 绩效运行监控表 (through month `--through`).
    case monitoring
}

extension Ktx {
    struct ReportCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: L("The performance tables (绩效目标表) of a year, computed from the merged records.", "按合并后的记录计算一年的绩效目标完成情况。"),
            discussion: L("""
                Per budget project: each indicator with its target, the actual value, the completion \
                rate and 达标/未达标 (待填报 for a manual one with no value: see `ktx indicator set`), \
                then spending, plan against actual cumulative cost at each checkpoint. \
                Shipped targets: \(TargetsParser.builtInYears.map(String.init).joined(separator: ", ")); \
                for another year, --targets FILE (start from `ktx targets show --year 2023`).
                --form self-evaluation gives the year-end 项目支出绩效自评表 instead: per project, the \
                funds (年初预算数, 全年预算数, 全年执行数, 执行率, 分值 10 and 得分), the goal for the year, \
                every indicator with 分值 (from the targets file; else 产出 50, 效益 30, 满意度 10 split \
                evenly) and 得分 (分值 × completion, at most 分值), the total and its grade (优 ≥ 90, 良 80–90, \
                中 60–80, 差 < 60); with --unit, --filler, --phone and --filled-on in its header.
                Examples:
                  ktx report --year 2023
                  ktx report --year 2023 --quarter 2 --project rural
                  ktx report --year 2023 --format html --output 2023绩效.html
                  ktx report --year 2023 --form self-evaluation --filler 张三 --format xlsx --output 2023自评表.xlsx
                """, """
                每个预算项目：各指标的指标值、实际值、完成率与达标/未达标（手工指标未填报时为待填报，见 \
                ktx indicator set），以及各时点的计划与实际累计支出。内置 \
                \(TargetsParser.builtInYears.map(String.init).joined(separator: "、")) 年的目标；其他年份用 \
                --targets 文件（可由 ktx targets show --year 2023 复制修改）。
                --form self-evaluation 输出年终项目支出绩效自评表：每个项目的项目资金（年初预算数、全年预算数、\
                全年执行数、执行率、分值 10 与得分）、年度总体目标、各指标的分值（取目标文件中的“分值”，\
                否则产出 50、效益 30、满意度 10 在各组内平分）与得分（分值 × 完成率，不超过分值）、总分与等级\
                （优 ≥ 90，良 80–90，中 60–80，差 < 60）；表头的填报单位、填报人、联系电话、填报日期用 \
                --unit、--filler、--phone、--filled-on 填写。
                例：
                  ktx report --year 2023
                  ktx report --year 2023 --quarter 2 --project rural
                  ktx report --year 2023 --format html --output 2023绩效.html
                  ktx report --year 2023 --form self-evaluation --filler 张三 --format xlsx --output 2023自评表.xlsx
                """))

        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp(L("The budget year.", "预算年度。"), valueName: "YYYY")) var year: String
        @Option(help: ArgumentHelp(L("Only this project: its short key (e.g. rural), code or name.", "只要这个项目：简称（如 rural）、项目编码或项目名称。"), valueName: "project"))
        var project: String?
        @Option(help: ArgumentHelp(L("Report as of the end of this quarter (1-4) instead of the year.", "统计到这一季度（1-4）末，而不是全年。"), valueName: "1-4"))
        var quarter: String?
        @Option(help: ArgumentHelp(L("table, json, csv, html (one self-contained page that prints on A4) or xlsx (Excel; needs --output).", "table（表格）、json、csv、html（可直接用 A4 打印的单个网页）或 xlsx（Excel 文件，须加 --output）。")))
        var format: ReportFormat = .table
        @Option(help: ArgumentHelp(L("summary, self-evaluation (the year-end 项目支出绩效自评表) or monitoring (the mid-year 绩效运行监控表).", "summary（完成情况汇总）、self-evaluation（年终项目支出绩效自评表）或 monitoring（绩效运行监控表）。"), valueName: "form"))
        var form: ReportForm = .summary
        @Option(help: ArgumentHelp(L("The monitoring form's last month (1–12; default 7: 1–7月).", "监控表统计到的月份（1–12，默认 7，即 1–7 月）。"), valueName: "month"))
        var through: String?
        @Option(help: ArgumentHelp(L("The self-evaluation form's scoring rules: a file written like `ktx scoring show` prints (default: the national rules).", "自评表的评分规则文件（写法见 ktx scoring show；默认为全国默认规则）。"), valueName: "file"))
        var scoring: String?
        @Option(help: ArgumentHelp(L("The self-evaluation form's 填报单位 (default: the targets file's unit).", "自评表的填报单位（默认为目标文件中的单位）。"), valueName: "name"))
        var unit: String?
        @Option(help: ArgumentHelp(L("The self-evaluation form's 填报人.", "自评表的填报人。"), valueName: "name")) var filler: String?
        @Option(help: ArgumentHelp(L("The self-evaluation form's 联系电话.", "自评表的联系电话。"), valueName: "phone")) var phone: String?
        @Option(help: ArgumentHelp(L("The self-evaluation form's 填报日期 (default: today).", "自评表的填报日期（默认今天）。"), valueName: "YYYY-MM-DD"))
        var filledOn: String?
        @Option(help: ArgumentHelp(L("A targets file to use instead of the shipped one.", "使用此绩效目标文件，而不是内置的。"), valueName: "file")) var targets: String?
        @Option(help: ArgumentHelp(L("Write to this file instead of standard output.", "写入此文件，而不是输出到屏幕。"), valueName: "file")) var output: String?

        func run() async throws {
            try await reportingErrors(options) {
                let y = try Validate.year(year)
                let q = try quarter.map(Validate.quarter)
                let store = try options.openStore()
                if format == .xlsx, output == nil {
                    throw KtxError(.badFormat, zh: "xlsx 是 Excel 文件，不能写到终端：请用 --output 文件名.xlsx",
                                   en: "xlsx is an Excel file, not text for the terminal: add --output FILE.xlsx")
                }
                switch form {
                case .summary:
                    for (name, given) in [("--filler", filler), ("--phone", phone), ("--filled-on", filledOn), ("--unit", unit)] where given != nil {
                        throw KtxError(.badFormat, zh: "\(name) 只用于自评表：请加 --form self-evaluation",
                                       en: "\(name) belongs to the self-evaluation form: add --form self-evaluation")
                    }
                case .selfEvaluation:
                    if q != nil {
                        throw KtxError(.badFormat, zh: "自评表是全年的：请去掉 --quarter", en: "the self-evaluation form covers the whole year: drop --quarter")
                    }
                case .monitoring:
                    if q != nil {
                        throw KtxError(.badFormat, zh: "监控表按月统计：请用 --through 月份，去掉 --quarter", en: "the monitoring form counts by month: use --through MONTH, not --quarter")
                    }
                    if format == .csv {
                        throw KtxError(.badFormat, zh: "监控表可输出 table、html、xlsx 或 json", en: "the monitoring form comes as table, html, xlsx or json")
                    }
                }
                if scoring != nil, form != .selfEvaluation {
                    throw KtxError(.badFormat, zh: "--scoring 只用于自评表：请加 --form self-evaluation", en: "--scoring belongs to the self-evaluation form: add --form self-evaluation")
                }
                if through != nil, form != .monitoring {
                    throw KtxError(.badFormat, zh: "--through 只用于监控表：请加 --form monitoring", en: "--through belongs to the monitoring form: add --form monitoring")
                }
                let month = try through.map { text -> Int in
                    guard let m = Int(text.trimmingSpaces()), (1...12).contains(m) else {
                        throw KtxError(.badFormat, zh: "--through 须为 1 到 12 的月份，而不是“\(text)”", en: "--through must be a month from 1 to 12, not '\(text)'")
                    }
                    return m
                } ?? 7
                let date = try filledOn.map { try Validate.date($0).description } ?? ReportRenderer.day(Int64(Date().timeIntervalSince1970 * 1000))
                let how = FormRecipe(form: form.rawValue, year: y, quarter: q, through: form == .monitoring ? month : nil,
                                     project: project, unit: unit?.trimmingSpaces(),
                                     filler: filler?.trimmingSpaces(), phone: phone?.trimmingSpaces(),
                                     date: form == .selfEvaluation ? date : nil, language: options.language.rawValue,
                                     targets: targets.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                                     scoring: scoring.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
                let made = try how.make(store: store)
                let digest = made.workbook.figuresDigest
                let renderer = ReportRenderer(language: options.language)
                let digestLine = options.language.pick(zh: "数字摘要：\(digest)（ktx verify 可用本副本核对 Excel 文件）",
                                                       en: "Digest of the figures: \(digest) (`ktx verify` checks an Excel file against a replica)")
                switch (format, made.content) {
                case (.table, .report(let r)): try write(renderer.table(r) + "\n" + digestLine, to: output)
                case (.table, .form(let f)): try write(renderer.table(f) + "\n" + digestLine, to: output)
                case (.json, .report(let r)): try write(Self.withDigest(renderer.json(r), digest).render(), to: output)
                case (.json, .form(let f)): try write(Self.withDigest(renderer.json(f), digest).render(), to: output)
                case (.csv, .report(let r)): try write(renderer.csv(r), to: output)
                case (.csv, .form(let f)): try write(renderer.csv(f), to: output)
                case (.html, .report(let r)): try write(Self.htmlWithDigest(renderer.html(r), digestLine), to: output)
                case (.html, .form(let f)): try write(Self.htmlWithDigest(renderer.html(f), digestLine), to: output)
                case (.table, .monitoring(let m)): try write(renderer.table(m) + "\n" + digestLine, to: output)
                case (.html, .monitoring(let m)): try write(Self.htmlWithDigest(renderer.html(m), digestLine), to: output)
                case (.json, .monitoring(let m)): try write(Self.withDigest(Self.json(m, renderer), digest).render(), to: output)
                case (.csv, .monitoring): break
                case (.xlsx, _):
                    guard let output else { preconditionFailure("xlsx without --output passes no validation") }
                    try writeData(try made.stamped(how, digest: digest).data(), to: output)
                }
                // A report from a log that misses or changed operations is not called whole.
                if try saidLogDamage(store, options) { throw ExitCode(1) }
            }
        }

        static func json(_ m: MonitoringForm, _ renderer: ReportRenderer) -> JSONValue {
            func num(_ v: Double?) -> JSONValue { v.map { .number(String(format: "%.4g", $0)) } ?? .null }
            return .object([
                ("form", .string("monitoring")), ("year", .int(m.year)), ("through_month", .int(m.throughMonth)), ("as_of", .string(m.asOf)),
                ("projects", .array(m.projects.map { p in
                    .object([("key", .string(p.project.key)), ("name", .string(p.project.name)),
                             ("budget", num(p.budget)), ("full_year_budget", num(p.fullYearBudget)), ("executed", num(p.executed)),
                             ("expected_execution", num(p.expectedExecution)),
                             ("indicators", .array(p.indicators.map { i in
                                 .object([("indicator", .string(i.indicator.name)), ("target", .string(i.indicator.targetShown)),
                                          ("so_far", num(i.soFar)), ("expected", num(i.expected)),
                                          ("likelihood", .string(i.likelihood.rawValue)), ("reason", .optional(i.reason))])
                             }))])
                })),
            ])
        }

        static func withDigest(_ json: JSONValue, _ digest: String) -> JSONValue {
            guard case var .object(members) = json else { return json }
            members.append(("digest", .string(digest)))
            return .object(members)
        }

        static func htmlWithDigest(_ html: String, _ line: String) -> String {
            let escaped = line.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            guard let end = html.range(of: "</body>", options: .backwards) else { return html + "\n<p class=\"meta\">\(escaped)</p>" }
            return html.replacingCharacters(in: end, with: "<p class=\"meta\">\(escaped)</p>\n</body>")
        }
    }

    struct TargetsCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "targets",
            abstract: "Check or print a performance targets file. 检查或打印绩效目标文件。",
            subcommands: [Check.self, ShowTargets.self])

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Check a targets file; names the line of any mistake. 检查绩效目标文件，指出出错的行。",
                discussion: "Example: ktx targets check 2024.yaml")
            @OptionGroup var options: GlobalOptions
            @Argument(help: ArgumentHelp(L("The targets file (YAML).", "绩效目标文件（YAML）。"))) var file: String

            func run() async throws {
                try await reportingErrors(options) {
                    let targets = try readTargets(file, catalog: Catalog.standard)
                    let indicators = targets.projects.reduce(0) { $0 + $1.indicators.count }
                    let manual = targets.projects.reduce(0) { $0 + $1.indicators.filter(\.computation.isManual).count }
                    Console.out(options.language.pick(
                        zh: "\(file)：\(targets.year) 年，\(targets.projects.count) 个项目，\(indicators) 个指标（其中 \(manual) 个手工填报），格式正确",
                        en: "\(file): \(targets.year), \(targets.projects.count) projects, \(indicators) indicators (\(manual) entered by hand), all well-formed"))
                }
            }
        }

        struct ShowTargets: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract: "Print the shipped targets file of a year, to copy for a new year. 打印内置的绩效目标文件。",
                discussion: "Example: ktx targets show --year 2023 > 2024.yaml")
            @OptionGroup var options: GlobalOptions
            @Option(help: ArgumentHelp(L("The year.", "年份。"), valueName: "YYYY")) var year: String

            func run() async throws {
                try await reportingErrors(options) {
                    let y = try Validate.year(year)
                    guard let file = TargetsParser.builtInText(year: y) else { throw noTargets(y) }
                    FileHandle.standardOutput.write(Data(file.utf8))
                }
            }
        }
    }

    struct IndicatorCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "indicator",
            abstract: "Enter the value of an indicator the records cannot give, or the county's notes on one. 填报手工指标与偏差原因。",
            subcommands: [SetValue.self, Note.self])

        struct SetValue: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set",
                abstract: "Record the value of a manual indicator; it syncs, and the latest entry wins. 填报手工指标的实际值。",
                discussion: "Example: ktx indicator set --year 2023 --project rural --indicator 科技特派员覆盖率 92")
            @OptionGroup var options: GlobalOptions
            @OptionGroup var which: IndicatorSelection
            @Argument(help: ArgumentHelp(L("The value in the indicator's unit, without the unit (92 for 92%).", "按指标单位填写的数值，不写单位（92% 写 92）。"), valueName: "value"))
            var value: String

            func run() async throws {
                try await reportingErrors(options) {
                    let store = try options.openStore()
                    let (y, p, found) = try which.resolve(catalog: store.catalog)
                    let name = found.name
                    try found.requireManual()
                    try store.setIndicator(IndicatorKey(year: y, project: p.key, indicator: name), value: value)
                    let shown = value.trimmingSpaces() + found.unit
                    Console.out(options.language.pick(zh: "已填报：\(p.name) · \(name) = \(shown)（目标 \(found.targetShown)）",
                                                      en: "entered: \(p.key) · \(name) = \(shown) (target \(found.targetShown))"))
                }
            }
        }
    }
}

extension Ktx.IndicatorCommand {
    struct Note: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "note",
            abstract: "Record the county's 偏差原因分析及改进措施 for an indicator, shown in the self-evaluation form; it syncs, and the latest entry wins. 填写指标的偏差原因分析及改进措施。",
            discussion: """
                Any indicator, computed or manual. Empty text clears the notes. Only the county's PCs may \
                enter them (an office's is refused everywhere, as for manual values).
                Example: ktx indicator note --year 2023 --project rural --indicator 受益人口数 "汛期停办两次，四季度补办"
                """)
        @OptionGroup var options: GlobalOptions
        @OptionGroup var which: IndicatorSelection
        @Argument(help: ArgumentHelp(L("The notes: why the target was missed, and what will be done.", "说明：未达标的原因与改进措施。"), valueName: "text"))
        var text: String

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let (y, p, found) = try which.resolve(catalog: store.catalog)
                let notes = try store.setIndicatorNote(IndicatorKey(year: y, project: p.key, indicator: found.name), text: text)
                Console.out(notes.map {
                    options.language.pick(zh: "已填写偏差原因：\(p.name) · \(found.name)：\($0)", en: "notes entered: \(p.key) · \(found.name): \($0)")
                } ?? options.language.pick(zh: "已清除偏差原因：\(p.name) · \(found.name)", en: "notes cleared: \(p.key) · \(found.name)"))
            }
        }
    }
}

/// `--year`, `--project`, `--indicator`, `--targets`: one indicator of a year's tables.
struct IndicatorSelection: ParsableArguments {
        @Option(help: ArgumentHelp(L("The budget year.", "预算年度。"), valueName: "YYYY")) var year: String
        @Option(help: ArgumentHelp(L("The project: its short key (e.g. rural), code or name.", "项目：简称（如 rural）、项目编码或项目名称。"), valueName: "project")) var project: String
        @Option(help: ArgumentHelp(L("The indicator's name (三级指标), as in the table.", "指标名称（三级指标），与目标表中一致。"), valueName: "name")) var indicator: String
        @Option(help: ArgumentHelp(L("A targets file to use instead of the shipped one.", "使用此绩效目标文件，而不是内置的。"), valueName: "file")) var targets: String?

    /// The year, the project and the indicator, or a clear error naming the choices.
    func resolve(catalog: Catalog) throws -> (Int, Project, Indicator) {
        let y = try Validate.year(year)
        let table = try loadTargets(year: y, file: targets, catalog: catalog)
        let (p, found) = try findIndicator(project: project, indicator: indicator, in: table)
        return (y, p, found)
    }
}

/// A project and one of its indicators by name, or a clear error naming the choices.
func findIndicator(project: String, indicator: String, in table: Targets) throws -> (Project, Indicator) {
    try table.indicator(project: project, named: indicator)
}

func noTargets(_ year: Int) -> KtxError {
    let years = TargetsParser.builtInYears.map(String.init).joined(separator: ", ")
    return KtxError(.noTargets,
                    zh: "没有 \(year) 年的绩效目标：内置的有 \(years)；其他年份请用 --targets 文件（可由 ktx targets show --year 2023 复制修改）",
                    en: "no performance targets for \(year): ktx ships \(years); for another year pass --targets FILE (start from `ktx targets show --year 2023`)")
}

/// Reads and checks a targets file.
func readTargets(_ path: String, catalog: Catalog) throws -> Targets {
    let text = try readText(path, notText: .badTargets)
    return try TargetsParser.parse(text, name: (path as NSString).lastPathComponent, catalog: catalog)
}

/// The targets of a year: from `file` when given (its year must match), else shipped.
func loadTargets(year: Int, file: String?, catalog: Catalog) throws -> Targets {
    if let file {
        let targets = try readTargets(file, catalog: catalog)
        guard targets.year == year else {
            throw KtxError(.badTargets, zh: "\(file) 是 \(targets.year) 年的目标，不是 \(year) 年的",
                           en: "\(file) holds the targets of \(targets.year), not \(year)")
        }
        return targets
    }
    guard let targets = try TargetsParser.builtIn(year: year, catalog: catalog) else { throw noTargets(year) }
    return targets
}

func findProject(_ text: String, in targets: Targets) throws -> Project { try targets.project(resolving: text) }

/// A text file a user names (UTF-8 with or without BOM, or GB18030), or a clear error.
func readText(_ path: String, notText code: KtxError.Code) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw KtxError(.cannotRead, zh: "无法读取文件 \(path)", en: "cannot read \(path)")
    }
    guard let (text, _) = TextFile.decode(Array(data)) else {
        throw KtxError(code, zh: "\(path) 不是 UTF-8 或 GB18030 编码的文本：请在 Excel 中另存为“CSV UTF-8”，或用文本编辑器另存为 UTF-8",
                       en: "\(path) is not UTF-8 or GB18030 text: save it from Excel as \"CSV UTF-8\", or from an editor as UTF-8")
    }
    return text
}

/// Writes bytes to a file, whole, by atomic rename.
func writeData(_ data: Data, to path: String) throws {
    do {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw KtxError(.cannotCreate, zh: "无法写入 \(path)：请检查目录存在且可写", en: "cannot write \(path): check that its folder exists and is writable")
    }
}

/// Writes text to a file (whole, by atomic rename) or to standard output.
func write(_ text: String, to path: String?, bom: Bool = false) throws {
    var data = Data()
    if bom { data.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
    data.append(contentsOf: (text.hasSuffix("\n") ? text : text + "\n").utf8)
    guard let path else {
        FileHandle.standardOutput.write(data)
        return
    }
    do {
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw KtxError(.cannotCreate, zh: "无法写入 \(path)：请检查目录存在且可写", en: "cannot write \(path): check that its folder exists and is writable")
    }
}
