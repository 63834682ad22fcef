import ArgumentParser
import Foundation
import KtxSchema
import KtxWords
import Reporting
import Store
import SyncCore

/// How a report or form was made: kept in its Excel file's description, so `ktx verify` makes
/// it again from a replica and compares every cell.
struct FormRecipe: Codable, Equatable {
    var ktx = "report"
    var form: String
    var year: Int
    var quarter: Int?
    /// The monitoring form's last month.
    var through: Int?
    var project: String?
    var unit: String?
    var filler: String?
    var phone: String?
    /// The form's 填报日期 (the self-evaluation form).
    var date: String?
    var language: String
    /// A targets file used instead of the shipped one (its full path).
    var targets: String?
    /// A scoring rules file used instead of the national rules (its full path).
    var scoring: String?

    enum Content {
        case report(Report)
        case form(SelfEvaluation)
        case monitoring(MonitoringForm)
    }

    struct Made {
        var content: Content
        var workbook: Workbook

        /// The workbook with its recipe in its properties and the digest in every page's footer.
        func stamped(_ recipe: FormRecipe, digest: String) throws -> Workbook {
            var book = workbook
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            book.description = String(decoding: try encoder.encode(recipe), as: UTF8.self)
            let lang: Language = recipe.language == "en" ? .en : .zh
            for i in book.sheets.indices {
                book.sheets[i].footer = (book.sheets[i].footer ?? "") + lang.pick(zh: "&R数字摘要 \(digest)", en: "&Rdigest \(digest)")
            }
            return book
        }
    }

    /// The report or form, and its workbook, from `store` as it is now.
    func make(store: Store) throws -> Made {
        let language: Language = self.language == "en" ? .en : .zh
        let table = try loadTargets(year: year, file: targets, catalog: store.catalog)
        let chosen = try project.map { try findProject($0, in: table) }
        let renderer = ReportRenderer(language: language)
        if form == "self-evaluation" {
            let filing = SelfEvaluation.Filing(unit: unit ?? table.unit, filler: filler, phone: phone,
                                               date: date ?? ReportRenderer.day(Int64(Date().timeIntervalSince1970 * 1000)))
            let rules = try scoring.map { try readScoring($0) } ?? .national
            let evaluation = try SelfEvaluation.build(table, store: store, project: chosen, filing: filing, scoring: rules)
            return Made(content: .form(evaluation), workbook: renderer.workbook(evaluation))
        }
        if form == "monitoring" {
            let monitoring = try MonitoringForm.build(table, store: store, throughMonth: through ?? 7, project: chosen)
            return Made(content: .monitoring(monitoring), workbook: renderer.workbook(monitoring))
        }
        let report = try ReportBuilder.build(table, store: store, quarter: quarter, project: chosen)
        return Made(content: .report(report), workbook: renderer.workbook(report))
    }
}

extension Ktx {
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check an Excel report or form ktx made against this replica, cell by cell. 用本副本逐格核对 ktx 生成的 Excel 报表。",
            discussion: """
                Makes the report or form again, as the file says it was made (year, form, project, \
                targets, filing), from this replica's figures now, and names every cell that differs: \
                a cell edited by hand, or a form made before amendments were accepted. Exit 0 when \
                every figure matches, 1 when one differs.
                Example: ktx verify 2023自评表.xlsx --db county.db
                """)

        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp(L("The .xlsx file.", "Excel 文件。"), valueName: "file")) var file: String

        func run() async throws {
            try await reportingErrors(options) {
                let lang = options.language
                let url = URL(fileURLWithPath: file)
                guard FileManager.default.fileExists(atPath: url.path) else {
                    throw KtxError(.cannotRead, zh: "找不到文件 \(url.path)", en: "there is no file \(url.path)")
                }
                let read = try XLSXFile(contentsOf: url)
                guard let description = read.description,
                      let recipe = try? JSONDecoder().decode(FormRecipe.self, from: Data(description.utf8)), recipe.ktx == "report" else {
                    throw KtxError(.badFormat,
                                   zh: "\(file) 不是 ktx 生成的报表（文件属性里没有 ktx 的生成信息），无法核对",
                                   en: "\(file) was not made by ktx (its properties carry no ktx recipe): nothing to check it against")
                }
                let store = try options.openStore()
                let made = try recipe.make(store: store)
                let expected = made.workbook.cellValues
                let names = made.workbook.sheets.map(\.name)
                var differences: [String] = []
                if read.sheets.count != expected.count {
                    differences.append(lang.pick(zh: "工作表数不同：文件有 \(read.sheets.count) 张，本副本应有 \(expected.count) 张",
                                                 en: "the file has \(read.sheets.count) sheets, this replica gives \(expected.count)"))
                }
                for (i, cells) in expected.enumerated() where i < read.sheets.count {
                    let found = read.sheets[i]
                    for ref in Set(cells.keys).union(found.keys).sorted(by: Workbook.cellOrderPublic) where cells[ref] != found[ref] {
                        let was = found[ref].map { "“\($0)”" } ?? lang.pick(zh: "空", en: "empty")
                        let now = cells[ref].map { "“\($0)”" } ?? lang.pick(zh: "空", en: "empty")
                        differences.append(lang.pick(zh: "工作表“\(names[i])” \(ref)：文件为 \(was)，本副本为 \(now)",
                                                     en: "sheet \(names[i]) \(ref): the file says \(was), this replica gives \(now)"))
                    }
                }
                let digest = made.workbook.figuresDigest
                if differences.isEmpty {
                    Console.out(lang.pick(zh: "核对无误：每个数字都与本副本一致（数字摘要 \(digest)）",
                                          en: "verified: every figure matches this replica (digest \(digest))"))
                    return
                }
                Console.out(differences.joined(separator: "\n"))
                Console.error("ktx: " + lang.pick(
                    zh: "\(differences.count) 处与本副本不一致：文件被改动过，或是在之后的更正被接受、数据同步之前生成的；本副本当前的数字摘要为 \(digest)",
                    en: "\(differences.count) cells differ from this replica: the file was edited, or made before later amendments were accepted or records synced; this replica's digest now is \(digest)"))
                throw ExitCode(1)
            }
        }
    }
}

/// A scoring rules file, checked.
func readScoring(_ path: String) throws -> ScoringProfile {
    let text = try readText(path, notText: .badTargets)
    return try ScoringProfile.parse(text, name: (path as NSString).lastPathComponent)
}

extension Ktx {
    struct ScoringCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "scoring",
            abstract: "Check or print the self-evaluation form's scoring rules. 检查或打印自评表的评分规则。",
            subcommands: [Check.self, Show.self])

        struct Check: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Check a scoring rules file; name the line of a mistake. 检查评分规则文件。")
            @OptionGroup var options: GlobalOptions
            @Argument(help: ArgumentHelp(L("The file.", "文件。"), valueName: "file")) var file: String

            func run() async throws {
                try await reportingErrors(options) {
                    let profile = try readScoring(file)
                    let caps = profile.caps.map { options.language.pick(zh: "执行率低于 \(Int($0.below))% 总分不超过 \(Int($0.maxTotal))",
                                                                           en: "execution under \(Int($0.below))%: total at most \(Int($0.maxTotal))") }
                    Console.out(options.language.pick(zh: "评分规则“\(profile.name)”写法正确", en: "scoring rules \(profile.name) are well formed")
                                + (caps.isEmpty ? "" : options.language.pick(zh: "；", en: "; ") + caps.joined(separator: options.language.pick(zh: "；", en: "; "))))
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print a shipped scoring rules file, to copy and edit. 打印内置的评分规则文件。")
            @OptionGroup var options: GlobalOptions
            @Flag(help: ArgumentHelp(L("The example with 偏离 penalties and execution-rate caps instead of the national rules.", "打印带偏离扣分与执行率封顶的示例，而不是全国默认规则。"))) var example = false

            func run() async throws {
                try await reportingErrors(options) { Console.out(KtxSchema.scoring[example ? 1 : 0].text) }
            }
        }
    }
}
