import ArgumentParser
import Foundation
import Reporting
import Store
import SyncCore

extension Ktx {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import activities from a CSV file, all or nothing. 从 CSV 文件导入活动（全部导入或全不导入）。",
            discussion: """
                The first row names the columns as `ktx record` names its options (kind, date, title, \
                venue, project, attendance, beneficiaries, schools, enterprises, techniques, exhibits, \
                damaged, surveyed, satisfied, cost) or in Chinese (类型, 日期, 标题, 地点, 项目, and the \
                quantities by name: 参加人次, 受益人数 …). kind, date and title are required. Columns id \
                and township, as `ktx export` writes them, are accepted: id is ignored (activities get new \
                ids) and township must be this replica's. Every row is checked first; any mistake is \
                reported with its line and column and nothing is imported. UTF-8 (with or without BOM) \
                and GB18030 (Excel on a Chinese Windows PC) are read.
                Example: ktx import 三月活动.csv
                """)

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The CSV file.") var file: String
        @Flag(help: "Check every row and report, without importing.") var dryRun = false

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let me = try store.identity()
                let text = try readText(file, notText: .badImport)
                let importer = CSVImporter(catalog: store.catalog, township: me.township, language: options.language)
                let rows = try importer.drafts(from: text, file: file)
                let today = localToday()
                Console.warnings(rows.compactMap { row in
                    (try? Validate.date(row.draft.date)).flatMap { Validate.unlikely($0, today: today) }.map {
                        options.language.pick(zh: "第 \(row.line) 行：", en: "line \(row.line): ") + options.language.pick(zh: $0.zh, en: $0.en)
                    }
                }, language: options.language, listedBy: nil)
                if dryRun {
                    for row in rows {
                        do { try store.check(row.draft) } catch let error as KtxError { throw importer.located(error, line: row.line) }
                    }
                    Console.out(options.language.pick(zh: "\(file)：\(rows.count) 条活动检查无误（未导入）",
                                                      en: "\(file): \(rows.count) activities checked, no mistakes (nothing imported)"))
                    return
                }
                do {
                    let ids = try store.recordAll(rows.map(\.draft))
                    Console.out(options.language.pick(zh: "已导入 \(ids.count) 条活动", en: "imported \(ids.count) activities"))
                } catch let error as DraftError {
                    throw importer.located(error.error, line: rows[error.index].line)
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write all live activities as CSV or JSON. 导出全部有效活动。",
            discussion: """
                The CSV has the columns `ktx import` reads (kinds by Chinese name, cost in yuan). \
                With --bom it opens in Excel with Chinese intact.
                Example: ktx export --year 2023 --bom --output 2023活动.csv
                """)

        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp("Only activities dated in this year.", valueName: "YYYY")) var year: String?
        @Option(help: "csv or json.") var format: ExportFormat = .csv
        @Flag(help: "Start the CSV with a UTF-8 byte-order mark, for Excel.") var bom = false
        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let filter = try ActivityFilter.parse(kind: nil, township: nil, year: year, catalog: store.catalog)
                let activities = try store.activities(filter)
                let presenter = ActivityPresenter(labels: Labels(language: options.language, catalog: store.catalog))
                switch format {
                case .csv:
                    let lines = [CSV.line(presenter.csvHeader)] + activities.map { CSV.line(presenter.csv($0)) }
                    try write(lines.joined(separator: "\n"), to: output, bom: bom)
                case .json:
                    try write(JSONValue.array(activities.map(presenter.json)).render(), to: output)
                }
            }
        }
    }
}

enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case csv, json }

/// Reads CSV rows into activity drafts, checking each cell and naming its line and column.
struct CSVImporter {
    let catalog: Catalog
    let township: String
    let language: Language

    enum Column: Hashable {
        case id, township, kind, date, title, venue, project
        case metric(Metric)
    }

    struct Row {
        var line: Int
        var draft: ActivityDraft
    }

    /// The column a header names, by `ktx record` option or Chinese name.
    func column(_ header: String) -> Column? {
        let h = header.trimmingSpaces()
        switch h.lowercased() {
        case "id", "编号": return .id
        case "township", "乡镇": return .township
        case "kind", "类型", "活动类型": return .kind
        case "date", "日期", "活动日期": return .date
        case "title", "标题", "活动名称", "名称": return .title
        case "venue", "地点", "活动地点": return .venue
        case "project", "项目", "项目编码": return .project
        default: return catalog.metric(named: h).map(Column.metric)
        }
    }

    func problem(_ line: Int, _ column: Int?, _ name: String?, zh: String, en: String) -> KtxError {
        let whereZh = column.map { "第 \(line) 行第 \($0) 列（\(name ?? "")）" } ?? "第 \(line) 行"
        let whereEn = column.map { "line \(line), column \($0) (\(name ?? ""))" } ?? "line \(line)"
        return KtxError(.badImport, zh: "\(whereZh)：\(zh)", en: "\(whereEn): \(en)")
    }

    /// The error as finally reported: it says nothing was imported.
    func final(_ error: KtxError) -> KtxError {
        KtxError(.badImport, zh: error.zh + "；未导入任何活动", en: error.en + "; nothing was imported")
    }

    /// A store error on a row, with its line.
    func located(_ error: KtxError, line: Int) -> KtxError {
        KtxError(.badImport, zh: "第 \(line) 行：\(error.zh)；未导入任何活动", en: "line \(line): \(error.en); nothing was imported")
    }

    func drafts(from text: String, file: String) throws -> [Row] {
        let records: [CSV.Record]
        do {
            records = try CSV.parse(text)
        } catch {
            throw final(problem(error.line, nil, nil, zh: "引号没有闭合", en: "a quoted field is not closed"))
        }
        guard let header = records.first else {
            throw KtxError(.badImport, zh: "\(file) 是空的：第一行应为列名，如 kind,date,title,attendance",
                           en: "\(file) is empty: the first row names the columns, e.g. kind,date,title,attendance")
        }
        var columns: [Column] = []
        for (i, name) in header.fields.enumerated() {
            guard let c = column(name) else {
                let known = "kind, date, title, venue, project, " + catalog.metrics.map(\.code).joined(separator: ", ")
                throw final(problem(header.line, i + 1, name, zh: "不认识的列名“\(name)”：可用 \(known)，或中文名 类型、日期、标题、地点、项目、参加人次 等",
                              en: "unknown column '\(name)': use \(known), or the Chinese names"))
            }
            if let j = columns.firstIndex(of: c) {
                throw final(problem(header.line, i + 1, name, zh: "与第 \(j + 1) 列重复", en: "repeats column \(j + 1)"))
            }
            columns.append(c)
        }
        for (required, zh) in [(Column.kind, "kind（类型）"), (.date, "date（日期）"), (.title, "title（标题）")] where !columns.contains(required) {
            throw final(problem(header.line, nil, nil, zh: "缺少 \(zh) 列", en: "the header has no \(zh) column"))
        }
        var rows: [Row] = []
        var problems: [KtxError] = []
        for record in records.dropFirst() {
            if record.fields.allSatisfy({ $0.trimmingSpaces().isEmpty }) { continue }
            if record.fields.count > columns.count {
                problems.append(problem(record.line, columns.count + 1, nil, zh: "比列名多出 \(record.fields.count - columns.count) 个值",
                                        en: "\(record.fields.count - columns.count) more values than the header has columns"))
                continue
            }
            var draft = ActivityDraft(kind: "", date: "", title: "")
            var rowProblem: KtxError?
            for (i, column) in columns.enumerated() {
                let value = i < record.fields.count ? record.fields[i].trimmingSpaces() : ""
                let name = header.fields[i].trimmingSpaces()
                func fail(_ error: KtxError) { if rowProblem == nil { rowProblem = problem(record.line, i + 1, name, zh: error.zh, en: error.en) } }
                switch column {
                case .id: break
                case .township:
                    if !value.isEmpty && value != township {
                        fail(KtxError(.otherTownship, zh: "这条活动属于“\(value)”，本副本只记录“\(township)”的活动",
                                      en: "this activity is \(value)'s; this replica records for \(township)"))
                    }
                case .kind:
                    do { _ = try Validate.kind(value, catalog: catalog) } catch let e as KtxError { fail(e) }
                    draft.kind = value
                case .date:
                    do { _ = try Validate.date(value) } catch let e as KtxError { fail(e) }
                    draft.date = value
                case .title:
                    do { try Validate.text(value, option: name) } catch let e as KtxError { fail(e) }
                    draft.title = value
                case .venue:
                    do { try Validate.text(value, option: name, allowEmpty: true) } catch let e as KtxError { fail(e) }
                    draft.venue = value
                case .project:
                    do { try Validate.text(value, option: name, allowEmpty: true) } catch let e as KtxError { fail(e) }
                    draft.project = value
                case let .metric(metric):
                    guard !value.isEmpty else { continue }
                    guard let amount = metric.parse(value) else { fail(KtxError.badNumber(name, value, metric: metric)); continue }
                    do { try Validate.amount(amount, metric: metric, allowNegative: false) } catch let e as KtxError { fail(e); continue }
                    draft.quantities[metric.code] = amount
                }
            }
            if rowProblem == nil, let broken = catalog.brokenRules(draft.quantities).first {
                let error = KtxError.ruleBroken(nil, metric: broken.metric, value: draft.quantities[broken.rule.metric, default: 0],
                                                atMost: broken.atMost, limit: draft.quantities[broken.rule.atMost, default: 0],
                                                saysNothingChanged: false)
                rowProblem = problem(record.line, nil, nil, zh: error.zh, en: error.en)
            }
            if let rowProblem { problems.append(rowProblem); continue }
            rows.append(Row(line: record.line, draft: draft))
        }
        if !problems.isEmpty {
            let shown = problems.prefix(20).map { $0.message(language) }
            let more = problems.count > 20 ? [language.pick(zh: "……另有 \(problems.count - 20) 处错误", en: "… and \(problems.count - 20) more")] : []
            if problems.count == 1 { throw final(problems[0]) }
            let summary = language.pick(zh: "共 \(problems.count) 处错误，未导入任何活动", en: "\(problems.count) mistakes; nothing was imported")
            throw KtxError(.badImport, zh: (shown + more + [summary]).joined(separator: "\n"),
                           en: (shown + more + [summary]).joined(separator: "\n"))
        }
        return rows
    }
}
