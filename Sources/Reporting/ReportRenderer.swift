import Foundation
import Store
import SyncCore

/// Writes a ``Report`` as a terminal table, JSON, CSV or one self-contained HTML page,
/// in Chinese or English (indicator and project names stay as the tables write them).
public struct ReportRenderer {
    /// The language of every word it writes.
    public let language: Language

    /// A renderer in a language.
    public init(language: Language) { self.language = language }

    func pick(_ zh: String, _ en: String) -> String { language.pick(zh: zh, en: en) }

    // MARK: Words

    /// 达标, 未达标 or 待填报, in the renderer's language.
    public func status(_ s: IndicatorStatus) -> String {
        switch s {
        case .met: pick("达标", "met")
        case .notMet: pick("未达标", "not met")
        case .pending: pick("待填报", "to be entered")
        }
    }

    /// A checkpoint's name: 3月底, 6月底, 10月底, 12月底.
    public func checkpoint(_ month: Int) -> String {
        if language == .zh { return "\(month)月底" }
        let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                     "October", "November", "December"]
        return "end of \(names[month - 1])"
    }

    var indicatorHeaders: [String] {
        [pick("一级指标", "level 1"), pick("二级指标", "level 2"), pick("三级指标", "indicator"),
         pick("指标值", "target"), pick("实际值", "actual"), pick("完成率", "completion"), pick("结果", "result")]
    }

    var spendingHeaders: [String] {
        [pick("时点", "checkpoint"), pick("计划累计（万元）", "planned, cumulative (10k yuan)"),
         pick("实际累计（万元）", "spent, cumulative (10k yuan)"), pick("执行率", "rate")]
    }

    func title(_ report: Report) -> String {
        let period = report.quarter.map { pick("第\($0)季度末", "end of Q\($0)") } ?? pick("全年", "full year")
        return pick("\(report.year)年度预算项目绩效目标完成情况（\(period)，截至 \(report.asOf)）",
                    "Performance of the \(report.year) budget projects (\(period), as of \(report.asOf))")
    }

    func heading(_ p: ProjectReport) -> String {
        var parts = [p.project.name]
        if let code = p.project.code { parts.append(pick("项目编码 ", "code ") + code) }
        if let budget = p.project.budget { parts.append(pick("预算 \(wan(budget)) 万元", "budget \(wan(budget)) 10k yuan")) }
        parts.append(pick("活动 \(p.activities) 次", "activities: \(p.activities)"))
        parts.append(pick("费用 \(wan(p.cost)) 万元", "spent \(wan(p.cost)) 10k yuan"))
        return parts.joined(separator: pick("；", "; "))
    }

    // MARK: Numbers

    /// An amount in the indicator's unit, as the tables write it.
    public func value(_ v: Double, unit: String) -> String {
        switch unit {
        case "%": return String(format: "%.1f%%", v)
        case "万元": return wan(v) + language.unit("万元")
        case "季度": return language == .zh ? "\(Int(v))季度" : "Q\(Int(v))"
        default: return trimmed(v) + language.unit(unit)
        }
    }

    /// 万元 with two decimals, as budget tables write them: 0.50, 0.41.
    public func wan(_ v: Double) -> String { String(format: "%.2f", v) }

    /// 万元 to the yuan (two to four decimals), for CSV that is worked on further: 0.50, 0.1235.
    func wanToTheYuan(_ v: Double) -> String {
        var s = String(format: "%.4f", v)
        while s.hasSuffix("0"), let dot = s.firstIndex(of: "."), s.distance(from: dot, to: s.endIndex) > 3 { s.removeLast() }
        return s
    }

    /// A target as the table shows it, with its unit in this language.
    func target(_ indicator: Indicator) -> String {
        indicator.unit == "季度" && language == .en
            ? indicator.comparator.symbol + "Q" + indicator.targetText
            : indicator.comparator.symbol + Self.grouped(indicator.targetText) + language.unit(indicator.unit)
    }

    /// A figure as a table shows it: whole numbers with thousands separators (1,266,995),
    /// others with two decimals.
    func trimmed(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? Self.grouped(String(Int64(v))) : String(format: "%.2f", v)
    }

    /// A figure for CSV, worked on further: no separators.
    func ungrouped(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.2f", v)
    }

    /// Digits grouped in threes: `1266995` → `1,266,995`; anything but plain digits as it is.
    static func grouped(_ digits: String) -> String {
        let negative = digits.hasPrefix("-")
        let body = negative ? String(digits.dropFirst()) : digits
        guard body.count > 3, body.allSatisfy({ $0.isASCII && $0.isNumber }) else { return digits }
        var out = ""
        for (i, c) in body.enumerated() {
            if i > 0, (body.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (negative ? "-" : "") + out
    }

    func rate(_ r: Double?) -> String { r.map { String(format: "%.1f%%", $0) } ?? "—" }

    func actual(_ r: IndicatorResult) -> String { r.actual.map { value($0, unit: r.indicator.unit) } ?? "—" }

    // MARK: Table

    /// The report as a terminal table.
    public func table(_ report: Report) -> String {
        var out = [title(report)]
        if let unit = report.unit { out.append(unit) }
        out.append(coverageLine(report.coverage, scopedTo: report.scopedTo))
        if let approval = report.approval { out.append(approvalLine(approval)) }
        for p in report.projects {
            out.append("")
            out.append("■ " + heading(p))
            var t = TextTable(headers: indicatorHeaders, alignments: [.left, .left, .left, .right, .right, .right, .left])
            for r in p.indicators {
                t.append([r.indicator.level1, r.indicator.level2, r.indicator.name, target(r.indicator),
                          actual(r), rate(r.rate), status(r.status)])
            }
            out.append(t.render())
            out.append("")
            var s = TextTable(headers: spendingHeaders, alignments: [.left, .right, .right, .right])
            for row in p.spending {
                s.append([checkpoint(row.month), row.plan.map(wan) ?? "—", wan(row.actual), rate(row.rate)])
            }
            out.append(s.render())
        }
        if !report.breaches.isEmpty {
            out.append("")
            out.append(breachesHeading(report))
            out += report.breaches.map { "  " + breach($0) }
        }
        return out.joined(separator: "\n")
    }

    func breachesHeading(_ report: Report) -> String {
        pick("数据核对：以下 \(report.breaches.count) 项活动的数量不合常理（已按记录计入，请核实后用 ktx attend 更正）",
             "check the data: \(report.breaches.count) activities carry quantities that break a rule (counted as recorded; verify and correct with `ktx attend`)")
    }

    func breach(_ b: RuleBreach) -> String {
        let catalog = Catalog.standard
        let metric = catalog.metric(code: b.rule.metric)
        let bound = catalog.metric(code: b.rule.atMost)
        let township = b.township.map { pick("（\($0)）", " (\($0))") } ?? ""
        return pick("\(b.activity)\(township)：\(metric?.name ?? b.rule.metric) \(metric?.format(b.value) ?? String(b.value)) 多于 \(bound?.name ?? b.rule.atMost) \(bound?.format(b.limit) ?? String(b.limit))",
                    "\(b.activity)\(township): \(metric?.english ?? b.rule.metric) \(metric?.format(b.value) ?? String(b.value)) exceeds \(bound?.english ?? b.rule.atMost) \(bound?.format(b.limit) ?? String(b.limit))")
    }

    // MARK: JSON

    /// The report as JSON.
    public func json(_ report: Report) -> JSONValue {
        func num(_ v: Double?) -> JSONValue {
            guard let v else { return .null }
            return .number(v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(format: "%.6g", v))
        }
        return .object([
            ("year", .int(report.year)),
            ("quarter", report.quarter.map { .int($0) } ?? .null),
            ("as_of", .string(report.asOf)),
            ("unit", .optional(report.unit)),
            ("townships", .array(report.coverage.map { c in
                .object([("township", .string(c.township)), ("replicas", .int(c.replicas)), ("operations", .int(c.operations)),
                         ("latest", c.latest.map { .string(Self.day($0)) } ?? .null)])
            })),
            ("approval", report.approval.map(approvalJSON) ?? .null),
            ("projects", .array(report.projects.map { p in
                .object([
                    ("key", .string(p.project.key)),
                    ("name", .string(p.project.name)),
                    ("code", .optional(p.project.code)),
                    ("budget", num(p.project.budget)),
                    ("activities", .int(p.activities)),
                    ("cost", num(p.cost)),
                    ("indicators", .array(p.indicators.map { r in
                        .object([
                            ("level1", .string(r.indicator.level1)),
                            ("level2", .string(r.indicator.level2)),
                            ("name", .string(r.indicator.name)),
                            ("description", .string(r.indicator.description)),
                            ("comparator", .string(r.indicator.comparator.symbol)),
                            ("target", num(r.indicator.target)),
                            ("unit", .string(r.indicator.unit)),
                            ("computation", .string(r.indicator.computation.code)),
                            ("actual", num(r.actual)),
                            ("rate", num(r.rate)),
                            ("status", .string(r.status.rawValue)),
                        ])
                    })),
                    ("spending", .array(p.spending.map { s in
                        .object([
                            ("month", .int(s.month)),
                            ("checkpoint", .string(checkpoint(s.month))),
                            ("plan", num(s.plan)),
                            ("actual", num(s.actual)),
                            ("rate", num(s.rate)),
                        ])
                    })),
                ])
            })),
            ("rule_breaches", .array(report.breaches.map { b in
                .object([("activity", .string(b.activity.rawValue)), ("township", .optional(b.township)),
                         ("metric", .string(b.rule.metric)), ("value", .int(Int(b.value))),
                         ("at_most", .string(b.rule.atMost)), ("limit", .int(Int(b.limit)))])
            })),
        ])
    }

    // MARK: CSV

    /// One row per indicator, then one per spending checkpoint, under one header.
    public func csv(_ report: Report) -> String {
        rows(report).map(CSV.line).joined(separator: "\n")
    }

    /// The CSV's rows, header first: figures without separators, 万元 to the yuan.
    func rows(_ report: Report) -> [[String]] {
        var lines = [[pick("项目", "project"), pick("项目编码", "code"), pick("类别", "section"),
                      pick("一级指标", "level 1"), pick("二级指标", "level 2"), pick("三级指标或时点", "indicator or checkpoint"),
                      pick("指标值或计划", "target or plan"), pick("单位", "unit"), pick("实际值", "actual"),
                      pick("完成率", "rate"), pick("结果", "result")]]
        func plain(_ v: Double?, _ unit: String) -> String {
            guard let v else { return "" }
            return unit == "万元" ? wanToTheYuan(v) : (unit == "%" ? String(format: "%.1f", v) : ungrouped(v))
        }
        for p in report.projects {
            for r in p.indicators {
                lines.append([p.project.name, p.project.code ?? "", pick("指标", "indicator"),
                              r.indicator.level1, r.indicator.level2, r.indicator.name,
                              r.indicator.comparator.symbol + r.indicator.targetText, r.indicator.unit,
                              plain(r.actual, r.indicator.unit), r.rate.map { String(format: "%.1f", $0) } ?? "",
                              status(r.status)])
            }
            for s in p.spending {
                lines.append([p.project.name, p.project.code ?? "", pick("支出", "spending"), "", "",
                              checkpoint(s.month), s.plan.map(wanToTheYuan) ?? "", "万元", wanToTheYuan(s.actual),
                              s.rate.map { String(format: "%.1f", $0) } ?? "", ""])
            }
        }
        return lines
    }

    // MARK: HTML

    /// One self-contained page (inline CSS, inline SVG), well-formed XML so any parser
    /// reads it, laid out for A4 paper.
    public func html(_ report: Report) -> String {
        var h = pageHead(title: title(report), page: "size: A4; margin: 15mm 12mm;", fontSize: "10.5pt", css: """
            h1 { font-size: 15pt; margin: 0 0 4mm; }
            h2 { font-size: 12pt; margin: 6mm 0 2mm; }
            p.meta { margin: 0 0 2mm; color: #444; }
            section { page-break-inside: avoid; break-inside: avoid; margin-bottom: 6mm; }
            table { border-collapse: collapse; width: 100%; margin: 2mm 0; }
            th, td { border: 0.3mm solid #888; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
            th { background: #eee; }
            td.n { text-align: right; white-space: nowrap; }
            td.met, td.not-met, td.pending { white-space: nowrap; }
            .met { color: #176f2c; font-weight: bold; }
            .not-met { color: #b00020; font-weight: bold; }
            .pending { color: #8a6d00; }
            svg { display: block; margin: 2mm 0; }
            @media print { body { max-width: none; } }
            """) + """
            <h1>\(esc(title(report)))</h1>

            """
        if let unit = report.unit { h += "<p class=\"meta\">\(esc(unit))</p>\n" }
        h += "<p class=\"meta\">\(esc(coverageLine(report.coverage, scopedTo: report.scopedTo)))</p>\n"
        if let approval = report.approval { h += "<p class=\"meta\">\(esc(approvalLine(approval)))</p>\n" }
        for p in report.projects {
            h += "<section>\n<h2>\(esc(p.project.name))</h2>\n<p class=\"meta\">\(esc(heading(p)))</p>\n"
            h += chart(p)
            h += "<table>\n<thead><tr>" + indicatorHeaders.map { "<th>\(esc($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for r in p.indicators {
                h += "<tr><td>\(esc(r.indicator.level1))</td><td>\(esc(r.indicator.level2))</td><td>\(esc(r.indicator.name))</td>"
                h += "<td class=\"n\">\(esc(target(r.indicator)))</td><td class=\"n\">\(esc(actual(r)))</td>"
                h += "<td class=\"n\">\(esc(rate(r.rate)))</td><td class=\"\(r.status.rawValue)\">\(esc(status(r.status)))</td></tr>\n"
            }
            h += "</tbody>\n</table>\n<table>\n<thead><tr>" + spendingHeaders.map { "<th>\(esc($0))</th>" }.joined() + "</tr></thead>\n<tbody>\n"
            for s in p.spending {
                h += "<tr><td>\(esc(checkpoint(s.month)))</td><td class=\"n\">\(s.plan.map(wan) ?? "—")</td>"
                h += "<td class=\"n\">\(wan(s.actual))</td><td class=\"n\">\(esc(rate(s.rate)))</td></tr>\n"
            }
            h += "</tbody>\n</table>\n</section>\n"
        }
        if !report.breaches.isEmpty {
            h += "<section class=\"breaches\">\n<p>\(esc(breachesHeading(report)))</p>\n<ul>\n"
            h += report.breaches.map { "<li>\(esc(breach($0)))</li>\n" }.joined()
            h += "</ul>\n</section>\n"
        }
        h += "</body>\n</html>\n"
        return h
    }

    /// The start of a self-contained page for A4, through `<body>`: the title, the page
    /// rule, the body font, then `css`.
    func pageHead(title: String, page: String, fontSize: String, css: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="\(language == .zh ? "zh-CN" : "en")">
        <head>
        <meta charset="utf-8" />
        <title>\(esc(title))</title>
        <style>
        @page { \(page) }
        body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "SimSun", sans-serif; font-size: \(fontSize); color: #111; margin: 0 auto; max-width: 186mm; }
        \(css)</style>
        </head>
        <body>

        """
    }

    /// Horizontal bars, one per indicator with a value: actual against its target
    /// (the target line at the same place for every row, bars scaled to it, capped at 150 %).
    func chart(_ p: ProjectReport) -> String {
        let rows = p.indicators.filter { $0.actual != nil }
        let labelWidth = 250.0, barArea = 400.0, rowHeight = 18.0, width = labelWidth + barArea + 90
        let height = Double(max(rows.count, 1)) * rowHeight + 24
        let targetX = labelWidth + barArea / 1.5
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"100%\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(esc(pick("实际值与指标值对比", "actual against target")))：\(esc(p.project.name))\">\n"
        s += "<line x1=\"\(targetX)\" y1=\"4\" x2=\"\(targetX)\" y2=\"\(height - 16)\" stroke=\"#333\" stroke-dasharray=\"3,2\" />\n"
        s += "<text x=\"\(targetX)\" y=\"\(height - 4)\" font-size=\"10\" text-anchor=\"middle\">\(esc(pick("指标值", "target")))</text>\n"
        for (i, r) in rows.enumerated() {
            let y = 6 + Double(i) * rowHeight
            let fraction = barFraction(r)
            let color = r.status == .met ? "#3a8f4f" : "#c0392b"
            s += "<text x=\"\(labelWidth - 6)\" y=\"\(y + 11)\" font-size=\"10\" text-anchor=\"end\">\(esc(shortName(r.indicator.name)))</text>\n"
            s += "<rect x=\"\(labelWidth)\" y=\"\(y)\" width=\"\(String(format: "%.1f", max(1, fraction * barArea / 1.5)))\" height=\"\(rowHeight - 5)\" fill=\"\(color)\" />\n"
            s += "<text x=\"\(labelWidth + barArea + 4)\" y=\"\(y + 11)\" font-size=\"10\">\(esc(actual(r)))</text>\n"
        }
        if rows.isEmpty {
            s += "<text x=\"\(labelWidth)\" y=\"16\" font-size=\"10\">\(esc(pick("暂无可比较的数值", "no values to compare yet")))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// Bar length relative to the target (1 = at the target), capped at 1.5; for a ≤
    /// indicator the bar is the actual value against its ceiling, so longer than the line is over it.
    func barFraction(_ r: IndicatorResult) -> Double {
        guard let a = r.actual else { return 0 }
        let t = r.indicator.target
        let f = t > 0 ? a / t : (a > 0 ? 1.5 : 0)
        return min(1.5, max(0, f))
    }

    func shortName(_ name: String) -> String { name.count > 16 ? String(name.prefix(15)) + "…" : name }

    func esc(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
