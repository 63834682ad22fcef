import Foundation
import Store
import SyncCore

/// Writes the 项目支出绩效自评表 as a terminal table, CSV, JSON, one HTML page that prints on
/// A4 with page numbers, or an Excel workbook (one sheet per project).
extension ReportRenderer {
    // MARK: Words

    func formTitle(_ form: SelfEvaluation) -> String {
        pick("项目支出绩效自评表（\(form.year)年度）", "Project expenditure performance self-evaluation (\(form.year))")
    }

    func filingLine(_ form: SelfEvaluation) -> String {
        let f = form.filing
        let blank = "________"
        return [pick("填报单位：", "Unit: ") + (f.unit ?? blank), pick("填报人：", "Filled in by: ") + (f.filler ?? blank),
                pick("联系电话：", "Phone: ") + (f.phone ?? blank), pick("填报日期：", "Date: ") + f.date]
            .joined(separator: "    ")
    }

    /// The department's 项目支出预算 beside what the form's projects spent, where the targets
    /// give it; nil otherwise.
    func spendingLine(_ form: SelfEvaluation) -> String? {
        guard let budget = form.projectSpending else { return nil }
        let spent = form.projects.reduce(0) { $0 + $1.executed }
        let perProject = form.projects.contains { $0.fullYearBudget != nil }
        return pick("部门项目支出预算 \(wan(budget)) 万元" + (perProject ? "" : "（目标表未列各项目预算数）") + "；各项目已记录支出合计 \(wan(spent)) 万元",
                    "the department's project budget \(wan(budget)) 10k yuan" + (perProject ? "" : " (no budget per project in the targets)")
                    + "; recorded spending of all projects \(wan(spent)) 10k yuan")
    }

    /// Which townships the form counts and how current each one's data is here.
    public func coverageLine(_ coverage: [TownshipFreshness], scopedTo township: String? = nil) -> String {
        let scope = township.map { pick("；本副本只拉取\($0)及县科协的数据，其他乡镇的数字不完整，不是全县合计",
                                        "; this replica pulls only \($0)'s and the county's data: other townships' figures are incomplete, not the county's total") } ?? ""
        guard !coverage.isEmpty else { return pick("数据来源：本副本尚无任何记录", "Data: this replica holds no records yet") + scope }
        let parts = coverage.map { c -> String in
            let name = c.township.isEmpty ? pick("未知乡镇", "unknown township") : c.township
            let latest = c.latest.map(Self.day) ?? "—"
            return pick("\(name)（\(c.replicas) 台电脑，最新数据 \(latest)）", "\(name) (\(c.replicas) PC\(c.replicas == 1 ? "" : "s"), latest data \(latest))")
        }
        return pick("数据来源（本副本已收到的乡镇）：", "Data (townships this replica holds): ") + parts.joined(separator: pick("、", ", ")) + scope
    }

    /// A Unix-milliseconds time as the local calendar day.
    public static func day(_ millis: Int64) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = .current
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// A sheet name that fits Excel's 31 characters and says which project: the part of the
    /// project's name after its funding document (`冀财教〔2022〕166号…-流动科技馆运转经费` →
    /// `流动科技馆运转经费`).
    static func sheetName(_ project: Project) -> String {
        let name = project.name.split(separator: "-").last.map(String.init) ?? project.name
        return name.count <= 31 ? name : String(name.prefix(31))
    }

    var fundsHeaders: [String] {
        [pick("项目资金（万元）", "Funds (10k yuan)"), pick("年初预算数", "initial budget"), pick("全年预算数", "full-year budget"),
         pick("全年执行数", "spent"), pick("分值", "points"), pick("执行率", "rate"), pick("得分", "score")]
    }

    var formIndicatorHeaders: [String] {
        [pick("一级指标", "level 1"), pick("二级指标", "level 2"), pick("三级指标", "indicator"), pick("年度指标值", "target"),
         pick("实际完成值", "actual"), pick("达标情况", "met"), pick("分值", "points"), pick("得分", "score"),
         pick("偏差原因分析及改进措施", "deviation and remedy")]
    }

    /// 分值 and 得分: always two decimals, so a column reads 15.00 above 12.50, as the
    /// xlsx's one number format per column prints it.
    public func points(_ v: Double) -> String {
        String(format: "%.2f", (v * 100).rounded() / 100)
    }

    func goal(_ p: ProjectEvaluation) -> String { p.project.goal ?? pick("（目标表未写绩效目标）", "(the table states no goal)") }

    /// 实际完成情况: what the records show.
    func achieved(_ p: ProjectEvaluation) -> String {
        let met = p.indicators.filter { $0.result.status == .met }.count
        let pending = p.indicators.filter { $0.result.status == .pending }.count
        var s = pick("开展活动 \(Self.grouped(String(p.report.activities))) 次，支出 \(wan(p.executed)) 万元；\(p.indicators.count) 项指标中 \(met) 项达标",
                     "\(Self.grouped(String(p.report.activities))) activities, \(wan(p.executed)) 10k yuan spent; \(met) of \(p.indicators.count) indicators met")
        if pending > 0 { s += pick("，\(pending) 项待填报", ", \(pending) to be entered") }
        return s
    }

    func totalLine(_ p: ProjectEvaluation) -> String {
        pick("总分 \(points(100))，自评得分 \(points(p.total))，等级 \(p.grade.name(.zh))",
             "total \(points(100)), score \(points(p.total)), grade \(p.grade.name(.en))")
    }

    /// What the scoring rules say of a project beyond its figures: a total capped for a low
    /// execution rate, and the indicators whose 偏差原因分析 is still to be written.
    func scoringLines(_ p: ProjectEvaluation, _ form: SelfEvaluation) -> [String] {
        var lines: [String] = []
        if p.executionPoints == nil {
            lines.append(pick("目标表未列本项目预算数：预算执行率不评分，绩效指标分值按 100 分折算",
                              "the targets give no budget for this project: the execution rate is not scored, its indicators share the 100 points"))
        }
        if let cap = p.cap, p.uncapped > cap, let rate = p.executionRate {
            lines.append(pick("预算执行率 \(String(format: "%.1f", rate))%：按“\(form.scoring)”评分规则总分不超过 \(points(cap))（封顶前 \(points(p.uncapped))）",
                              "budget execution \(String(format: "%.1f", rate))%: under the \(form.scoring) rules the total is at most \(points(cap)) (\(points(p.uncapped)) before the cap)"))
        }
        let deviating = p.indicators.filter(\.deviates).map(\.result.indicator.name)
        if !deviating.isEmpty {
            lines.append(pick("偏离（完成值远超指标值）：", "偏离 (far above the target): ") + deviating.joined(separator: pick("、", ", ")))
        }
        let missing = p.needingReason.map(\.result.indicator.name)
        if !missing.isEmpty {
            lines.append(pick("须填写偏差原因分析的指标（ktx indicator note）：", "a 偏差原因分析 is still to be written for (ktx indicator note): ")
                         + missing.joined(separator: pick("、", ", ")))
        }
        return lines
    }

    func projectLine(_ p: ProjectEvaluation) -> String {
        pick("项目名称：", "Project: ") + p.project.name + (p.project.code.map { pick("（项目编码 \($0)）", " (code \($0))") } ?? "")
    }

    func fundsRow(_ p: ProjectEvaluation) -> [String] {
        [pick("年度资金总额", "total"), p.initialBudget.map(wan) ?? "—", p.fullYearBudget.map(wan) ?? "—", wan(p.executed),
         p.executionPoints.map(points) ?? "—", rate(p.executionRate), p.executionScore.map(points) ?? "—"]
    }

    /// 主管部门 and 实施单位: the unit that fills the form carries out its projects; its
    /// department is the association it belongs to (`临西县科学技术协会本级` → `临西县科学技术协会`).
    func units(_ form: SelfEvaluation) -> (department: String, unit: String) {
        let unit = form.filing.unit ?? ""
        return (unit.hasSuffix("本级") ? String(unit.dropLast(2)) : unit, unit)
    }

    /// 资金来源: the projects are funded by the year's appropriation (专项资金); nothing carried
    /// over or from elsewhere is recorded, so those rows stay empty to fill by hand.
    func sourceRows(_ p: ProjectEvaluation) -> [[String]] {
        [[pick("其中：当年财政拨款", "of which: this year's appropriation"), p.initialBudget.map(wan) ?? "—",
          p.fullYearBudget.map(wan) ?? "—", wan(p.executed), "—", "—", "—"],
         [pick("上年结转资金", "carried over"), "", "", "", "—", "—", "—"],
         [pick("其他资金", "other funds"), "", "", "", "—", "—", "—"]]
    }

    func indicatorRow(_ i: IndicatorEvaluation) -> [String] {
        [i.result.indicator.level1, i.result.indicator.level2, i.result.indicator.name, target(i.result.indicator),
         actual(i.result), status(i.result.status), points(i.points), points(i.score), i.deviation ?? ""]
    }

    // MARK: Table

    /// The form as a terminal table, project after project.
    public func table(_ form: SelfEvaluation) -> String {
        var out = [formTitle(form), filingLine(form), coverageLine(form.coverage, scopedTo: form.scopedTo)]
        if let approval = form.approval { out.append(approvalLine(approval)) }
        if let spending = spendingLine(form) { out.append(spending) }
        for p in form.projects {
            out += ["", "■ " + projectLine(p)]
            var funds = TextTable(headers: fundsHeaders, alignments: [.left, .right, .right, .right, .right, .right, .right])
            funds.append(fundsRow(p))
            out.append(funds.render())
            out.append(pick("年度总体目标 · 预期目标：", "Goal for the year: ") + goal(p))
            out.append(pick("年度总体目标 · 实际完成情况：", "Achieved: ") + achieved(p))
            var t = TextTable(headers: formIndicatorHeaders, alignments: [.left, .left, .left, .right, .right, .left, .right, .right, .left])
            // A terminal row is one line: the notes' lines joined.
            for i in p.indicators { t.append(indicatorRow(i).map { $0.replacingOccurrences(of: "\n", with: " / ") }) }
            out.append(t.render())
            out.append(totalLine(p))
            out += scoringLines(p, form)
        }
        if !form.breaches.isEmpty {
            out += ["", pick("数据核对：\(form.breaches.count) 项活动的数量不合常理（已按记录计入）", "check the data: \(form.breaches.count) activities break a rule (counted as recorded)")]
            out += form.breaches.map { "  " + breach($0) }
        }
        return out.joined(separator: "\n")
    }

    // MARK: CSV

    /// One row per line of the form, under one header: funds, goal, indicators, total.
    public func csv(_ form: SelfEvaluation) -> String {
        var lines = [CSV.line([pick("项目", "project"), pick("项目编码", "code"), pick("栏目", "part"), pick("一级指标", "level 1"),
                               pick("二级指标", "level 2"), pick("三级指标", "indicator"), pick("年度指标值", "target"),
                               pick("单位", "unit"), pick("实际完成值", "actual"), pick("分值", "points"), pick("得分", "score"),
                               pick("偏差原因分析及改进措施", "deviation and remedy")])]
        func plain(_ v: Double?, _ unit: String) -> String {
            guard let v else { return "" }
            return unit == "万元" ? wan(v) : (unit == "%" ? String(format: "%.1f", v) : ungrouped(v))
        }
        for p in form.projects {
            let head = [p.project.name, p.project.code ?? ""]
            lines.append(CSV.line(head + [pick("预算执行率", "budget execution"), "", "", pick("全年预算数", "full-year budget"),
                                          p.fullYearBudget.map(wan) ?? "", "万元", wan(p.executed),
                                          p.executionPoints.map(points) ?? "", p.executionScore.map(points) ?? "", ""]))
            for i in p.indicators {
                let ind = i.result.indicator
                lines.append(CSV.line(head + [pick("绩效指标", "indicator"), ind.level1, ind.level2, ind.name,
                                              ind.comparator.symbol + ind.targetText, ind.unit, plain(i.result.actual, ind.unit),
                                              points(i.points), points(i.score), i.deviation ?? ""]))
            }
            lines.append(CSV.line(head + [pick("总分", "total"), "", "", p.grade.name(language), "", "", "", points(100), points(p.total), ""]))
        }
        return lines.joined(separator: "\n")
    }

    // MARK: JSON

    /// The form as JSON.
    public func json(_ form: SelfEvaluation) -> JSONValue {
        func num(_ v: Double?) -> JSONValue {
            guard let v else { return .null }
            let r = (v * 10_000).rounded() / 10_000
            return .number(r == r.rounded() && abs(r) < 1e15 ? String(Int64(r)) : "\(r)")
        }
        return .object([
            ("form", .string("self-evaluation")),
            ("year", .int(form.year)),
            ("unit", .optional(form.filing.unit)),
            ("filler", .optional(form.filing.filler)),
            ("phone", .optional(form.filing.phone)),
            ("filled_on", .string(form.filing.date)),
            ("townships", .array(form.coverage.map { c in
                .object([("township", .string(c.township)), ("replicas", .int(c.replicas)), ("operations", .int(c.operations)),
                         ("latest", c.latest.map { .string(Self.day($0)) } ?? .null)])
            })),
            ("approval", form.approval.map(approvalJSON) ?? .null),
            ("project_spending_budget", num(form.projectSpending)),
            ("projects", .array(form.projects.map { p in
                .object([
                    ("key", .string(p.project.key)), ("name", .string(p.project.name)), ("code", .optional(p.project.code)),
                    ("initial_budget", num(p.initialBudget)), ("full_year_budget", num(p.fullYearBudget)),
                    ("executed", num(p.executed)), ("execution_points", num(p.executionPoints)),
                    ("execution_rate", num(p.executionRate)), ("execution_score", num(p.executionScore)),
                    ("goal", .optional(p.project.goal)), ("achieved", .string(achieved(p))),
                    ("indicators", .array(p.indicators.map { i in
                        .object([
                            ("level1", .string(i.result.indicator.level1)), ("level2", .string(i.result.indicator.level2)),
                            ("name", .string(i.result.indicator.name)), ("comparator", .string(i.result.indicator.comparator.symbol)),
                            ("target", num(i.result.indicator.target)), ("unit", .string(i.result.indicator.unit)),
                            ("actual", num(i.result.actual)), ("rate", num(i.result.rate)), ("status", .string(i.result.status.rawValue)),
                            ("points", num(i.points)), ("score", num(i.score)), ("deviation", .optional(i.deviation)),
                        ])
                    })),
                    ("total", num(p.total)), ("grade", .string(p.grade.name(.zh))),
                ])
            })),
        ])
    }

    // MARK: HTML

    /// The form page's stylesheet, as its inline `<style>` holds it: for a site that serves
    /// the page with its stylesheet apart (the dashboard's policy allows no inline style).
    public func formStylesheet() -> String {
        let empty = SelfEvaluation(year: 2000, filing: SelfEvaluation.Filing(unit: nil, date: ""), coverage: [], projects: [], breaches: [])
        let page = html(empty)
        guard let open = page.range(of: "<style>"), let close = page.range(of: "</style>", range: open.upperBound..<page.endIndex) else { return "" }
        return String(page[open.upperBound..<close.lowerBound])
    }

    /// A page with its inline `<style>` replaced by `replacement` (a `<link>` to the same sheet).
    public static func replacingStyle(_ page: String, with replacement: String) -> String {
        guard let open = page.range(of: "<style>"), let close = page.range(of: "</style>", range: open.upperBound..<page.endIndex) else { return page }
        return page.replacingCharacters(in: open.lowerBound..<close.upperBound, with: replacement)
    }

    /// The page numbers at the foot of a printed form (CSS paged media).
    var pageNumbers: String {
        "@bottom-center { content: \"\(pick("第 \" counter(page) \" 页，共 \" counter(pages) \" 页", "page \" counter(page) \" of \" counter(pages) \""))\"; font-size: 9pt; }"
    }

    /// The style of the printed forms (the self-evaluation and the monitoring form): a
    /// section a page, ruled tables, figures to the right, a status on one line.
    var formCSS: String {
        """
            h1 { font-size: 15pt; text-align: center; margin: 0 0 3mm; }
            p.meta { margin: 0 0 2mm; }
            section { break-after: page; page-break-after: always; }
            section:last-of-type { break-after: auto; page-break-after: auto; }
            table { border-collapse: collapse; width: 100%; margin: 2mm 0; }
            th, td { border: 0.3mm solid #555; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
            th { background: #eee; text-align: center; }
            td.n { text-align: right; white-space: nowrap; }
            td.s { white-space: nowrap; }
            tr.total td { font-weight: bold; }
            """
    }

    /// One page per project on A4, each with the form's header; page numbers at the foot.
    public func html(_ form: SelfEvaluation) -> String {
        let page = "size: A4; margin: 15mm 12mm 18mm; " + pageNumbers
        var h = pageHead(title: formTitle(form), page: page, fontSize: "10pt", css: formCSS)
        for p in form.projects {
            h += "<section>\n<h1>\(esc(formTitle(form)))</h1>\n<p class=\"meta\">\(esc(filingLine(form)))</p>\n"
            h += "<p class=\"meta\">\(esc(coverageLine(form.coverage, scopedTo: form.scopedTo)))</p>\n"
            if let approval = form.approval { h += "<p class=\"meta\">\(esc(approvalLine(approval)))</p>\n" }
            if let spending = spendingLine(form) { h += "<p class=\"meta\">\(esc(spending))</p>\n" }
            h += "<table>\n<tr><th>\(esc(pick("项目名称", "Project")))</th><td colspan=\"6\">\(esc(p.project.name))</td></tr>\n"
            if let code = p.project.code { h += "<tr><th>\(esc(pick("项目编码", "Code")))</th><td colspan=\"6\">\(esc(code))</td></tr>\n" }
            let (department, unit) = units(form)
            h += "<tr><th>\(esc(pick("主管部门", "Department")))</th><td colspan=\"2\">\(esc(department))</td>"
            h += "<th>\(esc(pick("实施单位", "Carried out by")))</th><td colspan=\"3\">\(esc(unit))</td></tr>\n"
            h += "<tr>" + fundsHeaders.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
            for row in [fundsRow(p)] + sourceRows(p) {
                h += "<tr>" + row.enumerated().map { $0 == 0 ? "<td>\(esc($1))</td>" : "<td class=\"n\">\(esc($1))</td>" }.joined() + "</tr>\n"
            }
            h += "</table>\n<table>\n"
            h += "<tr><th rowspan=\"2\">\(esc(pick("年度总体目标", "Goal for the year")))</th><th>\(esc(pick("预期目标", "expected")))</th><th>\(esc(pick("实际完成情况", "achieved")))</th></tr>\n"
            h += "<tr><td>\(esc(goal(p)))</td><td>\(esc(achieved(p)))</td></tr>\n</table>\n<table>\n"
            h += "<tr>" + formIndicatorHeaders.map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
            for i in p.indicators {
                let row = indicatorRow(i)
                h += "<tr>" + row.enumerated().map {
                    $0 == 5 ? "<td class=\"s\">\(esc($1))</td>" : [3, 4, 6, 7].contains($0) ? "<td class=\"n\">\(esc($1))</td>" : "<td>\(esc($1).replacingOccurrences(of: "\n", with: "<br />"))</td>"
                }.joined() + "</tr>\n"
            }
            h += "<tr class=\"total\"><td colspan=\"6\">\(esc(pick("总分", "Total")))</td><td class=\"n\">\(points(100))</td><td class=\"n\">\(esc(points(p.total)))</td><td>\(esc(pick("等级：", "grade: ") + p.grade.name(language)))</td></tr>\n"
            h += "</table>\n"
            h += scoringLines(p, form).map { "<p class=\"meta\">\(esc($0))</p>\n" }.joined()
            h += "</section>\n"
        }
        return h + "</body>\n</html>\n"
    }

    // MARK: Excel

    /// One sheet per project, laid out as the printed form, fitted to the A4 width, with
    /// page numbers in the footer; figures are numbers (Excel sums them), shown with
    /// thousands separators and 万元 with two decimals.
    public func workbook(_ form: SelfEvaluation) -> Workbook {
        var book = Workbook()
        for p in form.projects {
            // The template's columns: 一级指标 … 偏差原因, with 达标情况 beside 实际完成值 (a value).
            let columns = 9
            var sheet = Workbook.Sheet(name: Self.sheetName(p.project))
            sheet.widths = [8, 10, 16, 10, 9, 7, 6.5, 7, 20]
            sheet.footer = Workbook.pageNumbers(language)
            func line(_ text: String, _ style: Workbook.Style) {
                sheet.append([.text(text, style)])
                sheet.mergeLast(from: 0, columns: columns)
            }
            func labelled(_ label: String, _ value: String) {
                sheet.append([.text(label, .heading), .text(value)] + Array(repeating: .blank, count: columns - 2))
                sheet.mergeLast(from: 1, columns: columns - 1)
            }
            line(formTitle(form), .title)
            line(filingLine(form), .plain)
            line(coverageLine(form.coverage, scopedTo: form.scopedTo), .plain)
            if let spending = spendingLine(form) { line(spending, .plain) }
            labelled(pick("项目名称", "Project"), p.project.name)
            labelled(pick("项目编码", "Code"), p.project.code ?? "")
            let (department, unit) = units(form)
            sheet.append([.text(pick("主管部门", "Department"), .heading), .text(department), .blank, .blank,
                          .text(pick("实施单位", "Carried out by"), .heading), .text(unit), .blank, .blank, .blank])
            sheet.mergeLast(from: 1, columns: 3)
            sheet.mergeLast(from: 5, columns: 4)
            sheet.append(fundsHeaders.map { .text($0, .heading) } + [.blank, .blank])
            sheet.mergeLast(from: 7, columns: 2)
            sheet.append([.text(pick("年度资金总额", "total")), .number(p.initialBudget), .number(p.fullYearBudget), .number(p.executed),
                          p.executionPoints.map { .number($0) } ?? .text("—"), .number(p.executionRate.map { ($0 * 10).rounded() / 10 }, .percent),
                          p.executionScore.map { .number(($0 * 100).rounded() / 100) } ?? .text("—"), .blank, .blank])
            sheet.mergeLast(from: 7, columns: 2)
            // 资金来源 (see sourceRows): figures as numbers here.
            for (label, fiscal) in [(pick("其中：当年财政拨款", "of which: this year's appropriation"), true),
                                    (pick("上年结转资金", "carried over"), false), (pick("其他资金", "other funds"), false)] {
                sheet.append([.text(label), fiscal ? .number(p.initialBudget) : .blank, fiscal ? .number(p.fullYearBudget) : .blank,
                              fiscal ? .number(p.executed) : .blank, .text("—"), .text("—"), .text("—"), .blank, .blank])
                sheet.mergeLast(from: 7, columns: 2)
            }
            sheet.append([.text(pick("年度总体目标", "Goal"), .heading), .text(pick("预期目标", "expected"), .heading), .blank, .blank,
                          .text(pick("实际完成情况", "achieved"), .heading), .blank, .blank, .blank, .blank])
            sheet.mergeLast(from: 1, columns: 3)
            sheet.mergeLast(from: 4, columns: 5)
            sheet.append([.blank, .text(goal(p)), .blank, .blank, .text(achieved(p)), .blank, .blank, .blank, .blank])
            sheet.mergeLast(from: 1, columns: 3)
            sheet.mergeLast(from: 4, columns: 5)
            sheet.merges.append("A\(sheet.rows.count - 1):A\(sheet.rows.count)")
            sheet.append(formIndicatorHeaders.map { .text($0, .heading) })
            sheet.repeatedRows = sheet.rows.count...sheet.rows.count
            for i in p.indicators {
                let ind = i.result.indicator
                // A value, in the target's unit (the unit is in the 年度指标值 beside it); none
                // where a manual value has not been entered.
                let actualCell: Workbook.Cell
                if let a = i.result.actual {
                    actualCell = switch ind.unit {
                    case "%": .number((a * 10).rounded() / 10, .percent)
                    case "万元": .number(a, .decimal)
                    default: a == a.rounded() ? .number(a, .integer) : .number(a, .decimal)
                    }
                } else {
                    actualCell = .number(nil, .integer)
                }
                sheet.append([.text(ind.level1), .text(ind.level2), .text(ind.name), .text(target(ind)), actualCell,
                              .text(status(i.result.status)),
                              .number((i.points * 100).rounded() / 100, .decimal), .number((i.score * 100).rounded() / 100, .decimal),
                              .text(i.deviation ?? "")])
            }
            sheet.append([.text(pick("总分", "Total"), .strong), .blank, .blank, .blank, .blank, .blank, .number(100, .decimal),
                          .number((p.total * 100).rounded() / 100, .decimal), .text(pick("等级：", "grade: ") + p.grade.name(language), .strong)])
            sheet.mergeLast(from: 0, columns: 6)
            for note in scoringLines(p, form) { line(note, .plain) }
            // What the figures rest on, under the table.
            if let approval = form.approval { line(approvalLine(approval), .plain) }
            book.sheets.append(sheet)
        }
        return book
    }
}

extension ReportRenderer {
    /// The working summary as one sheet: the CSV's rows, figures as numbers.
    public func workbook(_ report: Report) -> Workbook {
        var sheet = Workbook.Sheet(name: pick("\(report.year)年绩效", "\(report.year) performance"))
        sheet.footer = Workbook.pageNumbers(language)
        sheet.landscape = true
        sheet.append([.text(title(report), .title)])
        sheet.mergeLast(from: 0, columns: 11)
        sheet.append([.text(coverageLine(report.coverage, scopedTo: report.scopedTo), .plain)])
        sheet.mergeLast(from: 0, columns: 11)
        sheet.widths = [22, 14, 8, 10, 10, 22, 12, 7, 12, 9, 9]
        for (i, row) in rows(report).enumerated() {
            sheet.append(row.enumerated().map { c, text in
                if i == 0 { return .text(text, .heading) }
                if [8, 9].contains(c) || (c == 6 && !text.hasPrefix("≥") && !text.hasPrefix("≤")), let v = Double(text) {
                    return .number(v, c == 9 ? .percent : (v == v.rounded() && row[7] != "万元" ? .integer : .decimal))
                }
                return .text(text)
            })
        }
        if let approval = report.approval {
            sheet.append([.text(approvalLine(approval), .plain)])
            sheet.mergeLast(from: 0, columns: 11)
        }
        var book = Workbook()
        book.sheets = [sheet]
        return book
    }
}
