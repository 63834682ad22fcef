import Foundation
import Store
import SyncCore

/// The mid-year 绩效运行监控表 (issue 30): per project, the funds executed in months 1–N and
/// the full year's expected execution, each indicator's value so far and expected for the year,
/// the deviation's reason (the county's notes) and how likely the target is met.
public struct MonitoringForm: Sendable {
    /// How likely an indicator's target is met by the year's end (完成目标可能性).
    public enum Likelihood: String, Sendable {
        /// 确定能: the expected value meets the target.
        case certain
        /// 有可能: within a fifth of it.
        case possible
        /// 完全不可能: further off.
        case unlikely
        /// A manual value not entered yet.
        case unknown
    }

    /// One indicator of the monitoring form.
    public struct IndicatorLine: Sendable {
        /// The indicator, as the targets file gives it.
        public var indicator: Indicator
        /// 1–N月执行情况.
        public var soFar: Double?
        /// 全年预计完成情况: counts and sums run on at the same pace; rates, times, costs and
        /// manual values are taken as they are.
        public var expected: Double?
        /// 确定能, 有可能 or 完全不可能 to meet the target by the year's end, or unknown.
        public var likelihood: Likelihood
        /// 偏差原因分析 (the county's notes on the indicator).
        public var reason: String?
    }

    /// One project of the monitoring form.
    public struct ProjectLines: Sendable {
        /// The project, as the targets file gives it.
        public var project: Project
        /// 年初预算数 and 全年预算数, 万元.
        public var budget: Double?
        /// 全年预算数, 万元, where the budget was adjusted.
        public var fullYearBudget: Double?
        /// 1–N月执行数, 万元.
        public var executed: Double
        /// 全年预计执行数: the same pace to December, 万元.
        public var expectedExecution: Double
        /// Every indicator of the project, in the table's order.
        public var indicators: [IndicatorLine]

        /// 执行率 through month N, percent of the full-year budget.
        public var executionRate: Double? { fullYearBudget.flatMap { $0 > 0 ? executed / $0 * 100 : nil } }
        /// 偏差: expected execution less the full-year budget, 万元.
        public var deviation: Double? { fullYearBudget.map { expectedExecution - $0 } }
    }

    /// The year of the targets.
    public var year: Int
    /// The last month counted (1–12).
    public var throughMonth: Int
    /// 填报单位.
    public var unit: String?
    /// The last day counted, `YYYY-MM-DD`.
    public var asOf: String
    /// The townships whose records the form counts, and how current each is here.
    public var coverage: [TownshipFreshness]
    /// The approval the figures rest on, and the amendments they leave out.
    public var approval: ApprovalSummary?
    /// Every project, in the targets' order.
    public var projects: [ProjectLines]

    /// Builds the form of `targets` from the store's records through month `throughMonth`.
    public static func build(_ targets: Targets, store: Store, throughMonth: Int, project: Project? = nil) throws -> MonitoringForm {
        let report = try ReportBuilder.build(targets, store: store, throughMonth: throughMonth, project: project)
        let notes = try store.indicatorNotes(year: targets.year)
        let pace = 12.0 / Double(throughMonth)
        return MonitoringForm(
            year: targets.year, throughMonth: throughMonth, unit: targets.unit, asOf: report.asOf, coverage: report.coverage,
            approval: report.approval,
            projects: report.projects.map { p in
                ProjectLines(
                    project: p.project, budget: p.project.budget, fullYearBudget: p.project.adjustedBudget ?? p.project.budget,
                    executed: p.cost, expectedExecution: p.cost * pace,
                    indicators: p.indicators.map { r in
                        let runsOn: Bool = switch r.indicator.computation {
                        case .sum, .count: true
                        default: false
                        }
                        // People and events run on as whole ones.
                        let expected = r.actual.map { runsOn ? ($0 * pace).rounded() : $0 }
                        return IndicatorLine(indicator: r.indicator, soFar: r.actual, expected: expected,
                                             likelihood: likelihood(r.indicator, expected),
                                             reason: notes[IndicatorKey(year: targets.year, project: p.project.key, indicator: r.indicator.name)])
                    })
            })
    }

    static func likelihood(_ indicator: Indicator, _ expected: Double?) -> Likelihood {
        guard let expected else { return .unknown }
        let target = indicator.target
        switch indicator.comparator {
        case .atMost:
            if expected <= target { return .certain }
            return expected <= target * 1.2 ? .possible : .unlikely
        case .atLeast:
            if expected >= target { return .certain }
            return expected >= target * 0.8 ? .possible : .unlikely
        }
    }
}

extension ReportRenderer {
    func monitoringTitle(_ form: MonitoringForm) -> String {
        pick("项目支出绩效运行监控表（\(form.year)年1–\(form.throughMonth)月）",
             "Project expenditure performance monitoring (\(form.year), months 1–\(form.throughMonth))")
    }

    /// 确定能, 有可能, 完全不可能 or 待填报, in the renderer's language.
    public func likelihoodWord(_ l: MonitoringForm.Likelihood) -> String {
        switch l {
        case .certain: pick("确定能", "certain")
        case .possible: pick("有可能", "possible")
        case .unlikely: pick("完全不可能", "unlikely")
        case .unknown: pick("待填报", "not entered")
        }
    }

    var monitoringFundsHeaders: [String] {
        [pick("项目资金（万元）", "Funds (10k yuan)"), pick("年初预算数", "initial budget"), pick("全年预算数", "full-year budget"),
         pick("1–N月执行数", "spent, months 1–N"), pick("执行率", "rate"), pick("全年预计执行数", "expected for the year"), pick("偏差", "deviation")]
    }

    func monitoringIndicatorHeaders(_ n: Int) -> [String] {
        [pick("一级指标", "level 1"), pick("二级指标", "level 2"), pick("三级指标", "indicator"), pick("年度指标值", "target"),
         pick("1–\(n)月执行情况", "months 1–\(n)"), pick("全年预计完成情况", "expected for the year"),
         pick("偏差原因分析", "reason for the deviation"), pick("完成目标可能性", "likelihood")]
    }

    /// A number in the indicator's unit, for the text forms.
    func shown(_ v: Double?, _ unit: String) -> String { v.map { value($0, unit: unit) } ?? "—" }

    /// The form as terminal text.
    public func table(_ form: MonitoringForm) -> String {
        var out = [monitoringTitle(form), pick("填报单位：", "Unit: ") + (form.unit ?? ""), coverageLine(form.coverage)]
        if let approval = form.approval { out.append(approvalLine(approval)) }
        for p in form.projects {
            out.append("")
            out.append("■ " + p.project.name)
            var funds = TextTable(headers: monitoringFundsHeaders.map { $0.replacingOccurrences(of: "N", with: String(form.throughMonth)) },
                                  alignments: [.left, .right, .right, .right, .right, .right, .right])
            funds.append([pick("年度资金总额", "total"), p.budget.map(wan) ?? "—", p.fullYearBudget.map(wan) ?? "—", wan(p.executed),
                          rate(p.executionRate), wan(p.expectedExecution), p.deviation.map(wan) ?? "—"])
            out.append(funds.render())
            var t = TextTable(headers: monitoringIndicatorHeaders(form.throughMonth),
                              alignments: [.left, .left, .left, .right, .right, .right, .left, .left])
            for i in p.indicators {
                t.append([i.indicator.level1, i.indicator.level2, i.indicator.name, i.indicator.targetShown,
                          shown(i.soFar, i.indicator.unit), shown(i.expected, i.indicator.unit), i.reason ?? "", likelihoodWord(i.likelihood)])
            }
            out.append(t.render())
        }
        return out.joined(separator: "\n")
    }

    /// One page per project on A4.
    public func html(_ form: MonitoringForm) -> String {
        let page = "size: A4 landscape; margin: 12mm; " + pageNumbers
        var h = pageHead(title: monitoringTitle(form), page: page, fontSize: "10pt", css: formCSS)
        for p in form.projects {
            h += "<section>\n<h1>\(esc(monitoringTitle(form)))</h1>\n"
            h += "<p class=\"meta\">\(esc(pick("填报单位：", "Unit: ") + (form.unit ?? "")))</p>\n"
            h += "<p class=\"meta\">\(esc(coverageLine(form.coverage)))</p>\n"
            if let approval = form.approval { h += "<p class=\"meta\">\(esc(approvalLine(approval)))</p>\n" }
            h += "<table>\n<tr><th>\(esc(pick("项目名称", "Project")))</th><td colspan=\"6\">\(esc(p.project.name))</td></tr>\n"
            h += "<tr>" + monitoringFundsHeaders.map { "<th>\(esc($0.replacingOccurrences(of: "N", with: String(form.throughMonth))))</th>" }.joined() + "</tr>\n"
            h += "<tr><td>\(esc(pick("年度资金总额", "total")))</td>"
            h += [p.budget.map(wan) ?? "—", p.fullYearBudget.map(wan) ?? "—", wan(p.executed), rate(p.executionRate),
                  wan(p.expectedExecution), p.deviation.map(wan) ?? "—"].map { "<td class=\"n\">\(esc($0))</td>" }.joined() + "</tr>\n</table>\n"
            h += "<table>\n<tr>" + monitoringIndicatorHeaders(form.throughMonth).map { "<th>\(esc($0))</th>" }.joined() + "</tr>\n"
            for i in p.indicators {
                h += "<tr><td>\(esc(i.indicator.level1))</td><td>\(esc(i.indicator.level2))</td><td>\(esc(i.indicator.name))</td>"
                h += "<td class=\"n\">\(esc(i.indicator.targetShown))</td><td class=\"n\">\(esc(shown(i.soFar, i.indicator.unit)))</td>"
                h += "<td class=\"n\">\(esc(shown(i.expected, i.indicator.unit)))</td><td>\(esc(i.reason ?? ""))</td><td>\(esc(likelihoodWord(i.likelihood)))</td></tr>\n"
            }
            h += "</table>\n</section>\n"
        }
        return h + "</body>\n</html>\n"
    }

    /// One sheet per project, landscape A4, numbers as numbers.
    public func workbook(_ form: MonitoringForm) -> Workbook {
        var book = Workbook()
        for p in form.projects {
            let columns = 8
            var sheet = Workbook.Sheet(name: Self.sheetName(p.project))
            sheet.landscape = true
            sheet.widths = [9, 11, 20, 12, 12, 12, 30, 11]
            sheet.footer = Workbook.pageNumbers(language)
            func line(_ text: String, _ style: Workbook.Style) {
                sheet.append([.text(text, style)])
                sheet.mergeLast(from: 0, columns: columns)
            }
            line(monitoringTitle(form), .title)
            line(pick("填报单位：", "Unit: ") + (form.unit ?? ""), .plain)
            line(coverageLine(form.coverage), .plain)
            sheet.append([.text(pick("项目名称", "Project"), .heading), .text(p.project.name)] + Array(repeating: .blank, count: columns - 2))
            sheet.mergeLast(from: 1, columns: columns - 1)
            sheet.append(monitoringFundsHeaders.map { .text($0.replacingOccurrences(of: "N", with: String(form.throughMonth)), .heading) } + [.blank])
            sheet.append([.text(pick("年度资金总额", "total")), .number(p.budget), .number(p.fullYearBudget), .number(p.executed),
                          .number(p.executionRate.map { ($0 * 10).rounded() / 10 }, .percent), .number((p.expectedExecution * 100).rounded() / 100),
                          .number(p.deviation.map { ($0 * 100).rounded() / 100 }), .blank])
            sheet.append(monitoringIndicatorHeaders(form.throughMonth).map { .text($0, .heading) })
            sheet.repeatedRows = sheet.rows.count...sheet.rows.count
            for i in p.indicators {
                func cell(_ v: Double?) -> Workbook.Cell {
                    guard let v else { return .number(nil, .integer) }
                    switch i.indicator.unit {
                    case "%": return .number((v * 10).rounded() / 10, .percent)
                    case "万元": return .number((v * 100).rounded() / 100, .decimal)
                    default: return v == v.rounded() ? .number(v, .integer) : .number((v * 100).rounded() / 100, .decimal)
                    }
                }
                sheet.append([.text(i.indicator.level1), .text(i.indicator.level2), .text(i.indicator.name), .text(target(i.indicator)),
                              cell(i.soFar), cell(i.expected), .text(i.reason ?? ""), .text(likelihoodWord(i.likelihood))])
            }
            if let approval = form.approval { line(approvalLine(approval), .plain) }
            book.sheets.append(sheet)
        }
        return book
    }
}
