import ArgumentParser
import Foundation
import KtxWords
import Reporting
import Store
import SyncCore

extension Ktx {
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import activities from a CSV file; safe to repeat. 从 CSV 文件导入活动（可重复导入）。",
            discussion: """
                The first row names the columns as `ktx record` names its options (kind, date, title, \
                venue, project, attendance, beneficiaries, schools, enterprises, techniques, exhibits, \
                damaged, surveyed, satisfied, cost, notes) or in Chinese (类型, 日期, 标题, 地点, 项目, 备注, and the \
                quantities by name: 参加人次, 受益人数 …), as `ktx export` writes them in either language. \
                kind, date and title are required; other columns are named and ignored. A row with an id \
                (编号) updates that activity: only what differs becomes operations. A row without one that \
                matches an existing activity (same date, kind, title, venue, township) is skipped and named, \
                unless --allow-duplicates; so importing the same file twice changes nothing the second time. \
                Every row is checked first; any mistake is reported with its line and column and nothing \
                is imported. UTF-8 (with or without BOM) and GB18030 (Excel on a Chinese Windows PC) are read.
                Example: ktx import 三月活动.csv
                """)

        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp(L("The CSV file.", "CSV 文件。"))) var file: String
        @Flag(help: ArgumentHelp(L("Say what would be added, updated and skipped, without changing anything.", "只说明会新增、更新、跳过哪些，不做任何改动。"))) var dryRun = false
        @Flag(help: ArgumentHelp(L("Add rows that match an existing activity (same date, kind, title, venue, township) all the same.", "与已有活动相同（日期、类型、标题、地点、乡镇）的行也照样新增。")))
        var allowDuplicates = false

        func run() async throws {
            try await reportingErrors(options) {
                let lang = options.language
                let store = try options.openStore()
                let me = try store.identity()
                let text = try readText(file, notText: .badImport)
                let importer = CSVImporter(catalog: store.catalog, township: me.township, language: lang)
                let rows = try importer.drafts(from: text, file: file)
                let ignored = importer.ignoredColumns(in: text)
                if !ignored.isEmpty {
                    Console.error("ktx: " + lang.pick(zh: "不认识的列已忽略：\(ignored.joined(separator: "、"))",
                                                      en: "columns ktx does not know were ignored: \(ignored.joined(separator: ", "))"))
                }
                let today = localToday()
                Console.warnings(rows.compactMap { row in
                    (try? Validate.date(row.draft.date)).flatMap { date in
                        Validate.unlikely(date, today: today).map {
                            lang.pick(zh: "第 \(row.line) 行：", en: "line \(row.line): ") + unlikelyWords(date, $0, lang)
                        }
                    }
                }, language: lang, listedBy: nil)

                let plan = try ImportPlan(rows, store: store, importer: importer, allowDuplicates: allowDuplicates)
                Console.warnings(plan.duplicates.map { row, existing in
                    lang.pick(zh: "第 \(row.line) 行与已有活动 \(existing) 相同（日期、类型、标题、地点、乡镇），已跳过",
                              en: "line \(row.line) matches activity \(existing) (date, kind, title, venue, township): skipped")
                } + (plan.duplicates.isEmpty ? [] : [lang.pick(zh: "确需再次导入这些行，请加 --allow-duplicates",
                                                               en: "to add them all the same, give --allow-duplicates")]),
                                 language: lang, limit: 6, listedBy: nil)
                let counts = lang.pick(
                    zh: "新增 \(plan.additions.count) 条，更新 \(plan.updates.count) 条，未变 \(plan.unchanged) 条，跳过重复 \(plan.duplicates.count) 条",
                    en: "\(plan.additions.count) added, \(plan.updates.count) updated, \(plan.unchanged) unchanged, \(plan.duplicates.count) duplicates skipped")
                if dryRun {
                    Console.out(lang.pick(zh: "\(file)：检查无误；导入将\(counts)（试运行，未做更改）",
                                          en: "\(file): no mistakes; importing would give \(counts) (dry run, nothing changed)"))
                    return
                }
                try plan.apply(to: store, importer: importer)
                Console.out(lang.pick(zh: "已导入 \(file)：\(counts)", en: "imported \(file): \(counts)"))
            }
        }
    }

    /// What an import does, worked out before anything is written: rows to add, activities
    /// to update (only what differs becomes operations), and rows skipped.
    struct ImportPlan {
        var additions: [CSVImporter.Row] = []
        var updates: [(row: CSVImporter.Row, id: ActivityID, edit: ActivityEdit?, changes: [Addition])] = []
        var unchanged = 0
        var duplicates: [(row: CSVImporter.Row, existing: ActivityID)] = []

        init(_ rows: [CSVImporter.Row], store: Store, importer: CSVImporter, allowDuplicates: Bool) throws {
            let catalog = store.catalog
            let mine = try store.identity().township
            // Existing live activities by what makes two records the same event.
            struct Key: Hashable { var date, kind, title, venue, township: String }
            func key(_ a: ActivityRecord) -> Key {
                Key(date: a.date ?? "", kind: a.kind ?? "", title: a.title ?? "", venue: a.venue ?? "", township: a.township ?? "")
            }
            // One read of the live activities serves both the duplicate check and the updates
            // (a deleted or unknown id is looked up on its own).
            let live = try store.activities()
            let byID = Dictionary(live.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            var existing: [Key: ActivityID] = [:]
            for a in live where existing[key(a)] == nil { existing[key(a)] = a.id }
            var problems: [KtxError] = []
            for row in rows {
                let d = row.draft
                guard let kind = try? Validate.kind(d.kind, catalog: catalog).code, let date = try? Validate.date(d.date).description else {
                    continue   // the importer has named these already
                }
                guard let id = row.id else {
                    let k = Key(date: date, kind: kind, title: d.title.trimmingSpaces(), venue: d.venue?.trimmingSpaces() ?? "", township: mine)
                    if !allowDuplicates, let match = existing[k] { duplicates.append((row, match)) } else { additions.append(row) }
                    continue
                }
                guard let current = try byID[id] ?? store.activity(id) else {
                    problems.append(importer.problem(row.line, nil, nil,
                        zh: "没有编号为 \(id) 的活动（别的电脑的活动请先 ktx sync；要作为新活动导入，请删去 id 列）",
                        en: "no activity \(id) here (another PC's? run `ktx sync` first; to import it as a new activity, remove the id column)"))
                    continue
                }
                if current.deleted {
                    problems.append(importer.problem(row.line, nil, nil, zh: "活动 \(id) 已删除（可用 ktx restore \(id) 恢复）",
                                                     en: "activity \(id) is deleted (`ktx restore \(id)` brings it back)"))
                    continue
                }
                if let owner = current.township, owner != mine {
                    problems.append(importer.problem(row.line, nil, nil, zh: KtxError.otherTownship(id.rawValue, owner: owner, mine: mine).zh,
                                                     en: KtxError.otherTownship(id.rawValue, owner: owner, mine: mine).en))
                    continue
                }
                var edit = ActivityEdit()
                if kind != current.kind { edit.kind = kind }
                if date != current.date { edit.date = date }
                if d.title.trimmingSpaces() != current.title { edit.title = d.title.trimmingSpaces() }
                if row.hasVenue, (d.venue ?? "") != (current.venue ?? "") { edit.venue = d.venue ?? "" }
                if row.hasProject, (d.project ?? "") != (current.project ?? "") { edit.project = d.project ?? "" }
                if row.hasNotes, (d.notes ?? "") != (current.notes ?? "") { edit.notes = d.notes ?? "" }
                var after = current.quantities
                var changes: [Addition] = []
                for (code, value) in d.quantities.sorted(by: { $0.key < $1.key }) where value != current.quantities[code, default: 0] {
                    changes.append(Addition(activity: id, metric: code, amount: value - current.quantities[code, default: 0]))
                    after[code] = value
                }
                if let broken = catalog.brokenRules(after).first(where: { $0.rule.excess(after) > $0.rule.excess(current.quantities) }) {
                    let error = KtxError.ruleBroken(id.rawValue, metric: broken.metric, value: after[broken.rule.metric, default: 0],
                                                    atMost: broken.atMost, limit: after[broken.rule.atMost, default: 0], saysNothingChanged: false)
                    problems.append(importer.problem(row.line, nil, nil, zh: error.zh, en: error.en))
                    continue
                }
                if edit.isEmpty && changes.isEmpty { unchanged += 1 } else { updates.append((row, id, edit.isEmpty ? nil : edit, changes)) }
            }
            if let first = problems.first {
                if problems.count == 1 { throw importer.final(first) }
                let summary = importer.language.pick(zh: "共 \(problems.count) 处错误，未导入任何活动", en: "\(problems.count) mistakes; nothing was imported")
                let lines = problems.prefix(20).map { $0.message(importer.language) } + [summary]
                throw KtxError(.badImport, zh: lines.joined(separator: "\n"), en: lines.joined(separator: "\n"))
            }
        }

        /// Writes the plan: new activities in one transaction, then each update. Importing the
        /// same file again finds nothing left to do, so an import cut short is finished by
        /// running it again.
        func apply(to store: Store, importer: CSVImporter) throws {
            do {
                _ = try store.recordAll(additions.map(\.draft))
            } catch let error as DraftError {
                throw importer.located(error.error, line: additions[error.index].line)
            }
            for update in updates {
                do {
                    if let edit = update.edit { try store.edit(update.id, edit) }
                    if !update.changes.isEmpty { try store.addAll(update.changes) }
                } catch let error as DraftError {
                    throw importer.located(error.error, line: update.row.line)
                } catch let error as KtxError {
                    throw importer.located(error, line: update.row.line)
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write all live activities as CSV, JSON or Excel. 导出全部有效活动。",
            discussion: """
                The CSV has the columns `ktx import` reads (kinds by Chinese name, cost in yuan). \
                With --bom it opens in Excel with Chinese intact. --format xlsx writes an Excel \
                workbook (needs --output) with the same columns, quantities as numbers.
                Examples: ktx export --year 2023 --bom --output 2023活动.csv
                          ktx export --year 2023 --format xlsx --output 2023活动.xlsx
                """)

        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp(L("Only activities dated in this year.", "只要这一年的活动。"), valueName: "YYYY")) var year: String?
        @Option(help: ArgumentHelp(L("csv, json or xlsx (Excel; needs --output).", "csv、json 或 xlsx（Excel 文件，须加 --output）。"))) var format: ExportFormat = .csv
        @Flag(help: ArgumentHelp(L("Start the CSV with a UTF-8 byte-order mark, for Excel.", "CSV 开头加 UTF-8 BOM，便于 Excel 打开。"))) var bom = false
        @Option(help: ArgumentHelp(L("Write to this file instead of standard output.", "写入此文件，而不是输出到屏幕。"), valueName: "file")) var output: String?

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
                case .xlsx:
                    guard let output else {
                        throw KtxError(.badFormat, zh: "xlsx 是 Excel 文件，不能写到终端：请用 --output 文件名.xlsx",
                                       en: "xlsx is an Excel file, not text for the terminal: add --output FILE.xlsx")
                    }
                    try writeData(try presenter.workbook(activities, year: year).data(), to: output)
                }
                if try saidLogDamage(store, options) { throw ExitCode(1) }
            }
        }
    }
}

enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case csv, json, xlsx }

/// Reads CSV rows into activity drafts, checking each cell and naming its line and column.
struct CSVImporter {
    let catalog: Catalog
    let township: String
    let language: Language

    enum Column: Hashable {
        case id, township, kind, date, title, venue, project, notes
        case metric(Metric)
        /// A column ktx does not know (a clerk's own): named once, then ignored.
        case ignored(String)
    }

    struct Row {
        var line: Int
        var draft: ActivityDraft
        /// The activity the row names in an `id` column: the row updates it.
        var id: ActivityID?
        /// Whether the file has venue, project and notes columns (an empty cell then clears the field).
        var hasVenue = false
        var hasProject = false
        var hasNotes = false
    }

    /// The header's columns that ktx does not know, to name them once.
    func ignoredColumns(in text: String) -> [String] {
        guard let header = (try? CSV.parse(text))?.first else { return [] }
        return header.fields.filter { !$0.trimmingSpaces().isEmpty && column($0) == nil }.map { $0.trimmingSpaces() }
    }

    /// The column a header names, by `ktx record` option or Chinese name.
    func column(_ header: String) -> Column? {
        switch ActivityColumn(header: header) {
        case .id: .id
        case .township: .township
        case .kind: .kind
        case .date: .date
        case .title: .title
        case .venue: .venue
        case .project: .project
        case .notes: .notes
        case nil: catalog.metric(named: header.trimmingSpaces()).map(Column.metric)
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
                // A near miss of a known column (参加人数 for 参加人次) is a slip, not another column:
                // ignoring it would lose the figures.
                let known = ActivityColumn.allCases.flatMap(\.names) + catalog.metrics.flatMap { [$0.code, $0.name] }
                if let near = TypedInput.nearest(name, among: known) {
                    throw final(problem(header.line, i + 1, name, zh: "不认识的列名“\(name)”：是不是“\(near)”？",
                                        en: "unknown column '\(name)': did you mean '\(near)'?"))
                }
                columns.append(.ignored(name.trimmingSpaces()))
                continue
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
            var rowID: ActivityID?
            var rowProblem: KtxError?
            for (i, column) in columns.enumerated() {
                let value = i < record.fields.count ? record.fields[i].trimmingSpaces() : ""
                let name = header.fields[i].trimmingSpaces()
                func fail(_ error: KtxError) { if rowProblem == nil { rowProblem = problem(record.line, i + 1, name, zh: error.zh, en: error.en) } }
                switch column {
                case .ignored: break
                case .id:
                    guard !value.isEmpty else { continue }
                    guard let id = ActivityID(parsing: value) else { fail(KtxError.badActivityID(value)); continue }
                    rowID = id
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
                case .notes:
                    do { draft.notes = try Validate.notes(value) } catch let e as KtxError { fail(e) }
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
            rows.append(Row(line: record.line, draft: draft, id: rowID, hasVenue: columns.contains(.venue), hasProject: columns.contains(.project),
                            hasNotes: columns.contains(.notes)))
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
