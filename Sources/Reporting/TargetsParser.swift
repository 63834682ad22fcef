import Foundation
import KtxSchema
import SyncCore
import Yams

/// Reads a targets file (YAML, Chinese keys as in the tables) into ``Targets``, checking
/// everything and naming the line of the first mistake.
///
/// The format, by example (`ktx targets show --year 2023` prints a whole file):
/// ```yaml
/// 年度: 2023
/// 项目:
///   - 简称: rural
///     项目名称: 科技下乡活动
///     项目编码: 13053523P00000110073C
///     预算数: 2.00                       # 万元
///     资金支出计划: {3月底: 0.50, 6月底: 1.00, 10月底: 1.50, 12月底: 2.00}
///     活动类型: [科技下乡]
///     指标:
///       - 一级指标: 产出指标
///         二级指标: 数量指标
///         三级指标: 科技服务人次
///         绩效指标描述: 科技服务、技术指导和农业科技培训人数
///         指标值: ≥2000人次
///         指标值确定依据: 临科字【2016】8号
///         计算: {合计: 参加人次}
/// ```
public enum TargetsParser {
    /// Units an indicator value may carry.
    public static let units = ["人次", "人", "个", "次", "家", "台", "件", "项", "%", "万元", "季度"]

    /// Parses a targets file.
    ///
    /// - Parameters:
    ///   - text: the file's text.
    ///   - name: the file's name, for messages.
    /// - Throws: ``KtxError`` `bad-targets`, naming the file and line.
    public static func parse(_ text: String, name: String, catalog: Catalog) throws -> Targets {
        do {
            let root: Node?
            do {
                root = try Yams.compose(yaml: text)
            } catch let error as YamlError {
                throw yamlProblem(error)
            }
            guard let root else { throw Problem(1, zh: "文件是空的", en: "the file is empty") }
            return try Reader(catalog: catalog).targets(root)
        } catch let problem as Problem {
            throw KtxError(.badTargets, zh: "\(name) 第 \(problem.line) 行：\(problem.zh)",
                           en: "\(name) line \(problem.line): \(problem.en)")
        }
    }

    /// The targets shipped for a year, nil if there are none.
    public static func builtIn(year: Int, catalog: Catalog) throws -> Targets? {
        guard let file = KtxSchema.targets[year] else { return nil }
        return try parse(file.text, name: file.name, catalog: catalog)
    }

    /// The text of the targets file shipped for a year.
    public static func builtInText(year: Int) -> String? { KtxSchema.targets[year]?.text }

    /// Years with shipped targets.
    public static var builtInYears: [Int] { KtxSchema.targets.keys.sorted() }

    struct Problem: Error {
        var line: Int
        var zh: String
        var en: String
        init(_ line: Int, zh: String, en: String) {
            self.line = line
            self.zh = zh
            self.en = en
        }
    }

    private static func yamlProblem(_ error: YamlError) -> Problem {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            Problem(mark.line, zh: "不是有效的 YAML（\(problem)）", en: "not valid YAML (\(problem))")
        default:
            Problem(1, zh: "不是有效的 YAML（\(error)）", en: "not valid YAML (\(error))")
        }
    }
}

/// Walks the composed YAML, keeping the line of every node for messages.
private struct Reader {
    typealias Problem = TargetsParser.Problem
    let catalog: Catalog

    func targets(_ root: Node) throws -> Targets {
        let top = try mapping(root, what: ("文件", "the file"), keys: ["年度", "单位", "来源", "项目支出预算", "项目"])
        guard let yearNode = top["年度"] else { throw missing("年度", "year", in: root) }
        guard let yearText = yearNode.scalar?.string, yearText.count == 4, let year = Int(yearText),
              (1900...2999).contains(year)
        else { throw Problem(line(yearNode), zh: "年度应为四位数字，例如 2023", en: "年度 (year) must be four digits, e.g. 2023") }
        guard let projectsNode = top["项目"] else { throw missing("项目", "projects", in: root) }
        guard let items = projectsNode.sequence, !items.isEmpty else {
            throw Problem(line(projectsNode), zh: "项目应为列表，至少一个项目", en: "项目 (projects) must be a list of at least one project")
        }
        var projects: [Project] = []
        for item in items {
            let project = try self.project(item)
            if let other = projects.first(where: { $0.key == project.key }) {
                throw Problem(project.line, zh: "简称“\(project.key)”与第 \(other.line) 行的项目重复",
                              en: "简称 (key) '\(project.key)' repeats the project at line \(other.line)")
            }
            projects.append(project)
        }
        var targets = Targets(year: year, unit: try optionalText(top["单位"]), source: try optionalText(top["来源"]), projects: projects)
        if let node = top["项目支出预算"] { targets.projectSpending = try number(node, "项目支出预算", "the projects' budget") }
        return targets
    }

    func project(_ node: Node) throws -> Project {
        let m = try mapping(node, what: ("项目", "a project"),
                            keys: ["简称", "项目名称", "项目编码", "预算数", "全年预算数", "绩效目标", "资金支出计划", "活动类型", "活动项目编码", "指标"])
        let key = try text(m["简称"], "简称", "key", in: node)
        guard !key.contains("/"), !key.contains(where: \.isWhitespace) else {
            throw Problem(line(m["简称"] ?? node), zh: "简称不能含空格或“/”", en: "简称 (key) must not contain spaces or '/'")
        }
        let name = try text(m["项目名称"], "项目名称", "project name", in: node)
        let code = try optionalText(m["项目编码"])
        var budget: Double?
        if let b = m["预算数"] { budget = try number(b, "预算数", "budget") }
        var adjustedBudget: Double?
        if let b = m["全年预算数"] { adjustedBudget = try number(b, "全年预算数", "full-year budget") }
        let goal = try optionalText(m["绩效目标"])
        var plan: [SpendingCheckpoint] = []
        if let p = m["资金支出计划"] {
            let pm = try mapping(p, what: ("资金支出计划", "the spending plan"), keys: nil)
            for (k, v) in pm.pairs {
                guard let label = k.scalar?.string, label.hasSuffix("月底"),
                      let month = Int(label.dropLast(2)), (1...12).contains(month)
                else { throw Problem(line(k), zh: "支出计划的时点应写作“3月底”“6月底”这样", en: "spending checkpoints are written like 3月底, 6月底 (end of month)") }
                if let last = plan.last, last.month >= month {
                    throw Problem(line(k), zh: "支出计划的时点应按月份先后排列", en: "spending checkpoints must be in month order")
                }
                let amount = try number(v, label, "spending by \(label)")
                if let last = plan.last, amount < last.amount {
                    throw Problem(line(v), zh: "支出计划是累计数，不能比前一时点少", en: "the spending plan is cumulative: it cannot fall below the previous checkpoint")
                }
                plan.append(SpendingCheckpoint(month: month, amount: amount))
            }
            if let budget, let last = plan.last, last.amount > budget + 1e-9 {
                throw Problem(line(p), zh: "支出计划（\(format(last.amount)) 万元）超过预算数（\(format(budget)) 万元）",
                              en: "the spending plan (\(format(last.amount)) 万元) exceeds the budget (\(format(budget)) 万元)")
            }
        }
        guard let kindsNode = m["活动类型"] else { throw missing("活动类型", "activity kinds", in: node) }
        let kinds = try self.kinds(kindsNode)
        let activityProject = try optionalText(m["活动项目编码"])
        guard let indicatorsNode = m["指标"] else { throw missing("指标", "indicators", in: node) }
        guard let items = indicatorsNode.sequence, !items.isEmpty else {
            throw Problem(line(indicatorsNode), zh: "指标应为列表，至少一个指标", en: "指标 (indicators) must be a list of at least one indicator")
        }
        var indicators: [Indicator] = []
        for item in items {
            let indicator = try self.indicator(item, projectKinds: kinds, hasBudget: budget != nil)
            if let other = indicators.first(where: { $0.name == indicator.name }) {
                throw Problem(indicator.line, zh: "三级指标“\(indicator.name)”与第 \(other.line) 行重复",
                              en: "indicator '\(indicator.name)' repeats the one at line \(other.line)")
            }
            indicators.append(indicator)
        }
        if indicators.contains(where: { $0.points != nil }) {
            if let lacking = indicators.first(where: { $0.points == nil }) {
                throw Problem(lacking.line, zh: "同一项目的指标要么都写“分值”，要么都不写（按产出 50、效益 30、满意度 10 平分）",
                              en: "either every indicator of a project gives 分值 (points) or none does (then 产出 50, 效益 30, 满意度 10 are split evenly)")
            }
            let sum = indicators.reduce(0) { $0 + ($1.points ?? 0) }
            guard abs(sum - 90) < 1e-6 else {
                throw Problem(indicators[0].line, zh: "项目“\(key)”各指标分值合计 \(format(sum))，应为 90（另 10 分为预算执行率）",
                              en: "the indicators of '\(key)' score \(format(sum)) in all; they must total 90 (the budget execution rate has the other 10)")
            }
        }
        return Project(key: key, name: name, code: code, budget: budget, adjustedBudget: adjustedBudget, goal: goal, plan: plan, kinds: kinds,
                       activityProject: activityProject, indicators: indicators, line: line(node))
    }

    func indicator(_ node: Node, projectKinds: [String], hasBudget: Bool) throws -> Indicator {
        let m = try mapping(node, what: ("指标", "an indicator"),
                            keys: ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据", "计算", "活动类型", "分值"])
        let level1 = try text(m["一级指标"], "一级指标", "level-1 name", in: node)
        let level2 = try text(m["二级指标"], "二级指标", "level-2 name", in: node)
        let name = try text(m["三级指标"], "三级指标", "indicator name", in: node)
        guard !name.contains("/") else {
            throw Problem(line(m["三级指标"] ?? node), zh: "三级指标不能含“/”", en: "an indicator name must not contain '/'")
        }
        let description = try text(m["绩效指标描述"], "绩效指标描述", "description", in: node)
        guard let valueNode = m["指标值"] else { throw missing("指标值", "target value", in: node) }
        let (comparator, target, targetText, unit) = try targetValue(valueNode)
        let basis = try optionalText(m["指标值确定依据"])
        guard let computationNode = m["计算"] else { throw missing("计算", "computation", in: node) }
        let computation = try self.computation(computationNode)
        var kinds: [String]?
        if let k = m["活动类型"] { kinds = try self.kinds(k) }
        let l = line(computationNode)
        switch computation {
        case .ratio, .budgetRate:
            guard unit == "%" else { throw Problem(l, zh: "比率类计算的指标值单位应为 %", en: "a ratio's target must be in %") }
        case .cost, .costPerQuarter:
            guard unit == "万元" else { throw Problem(l, zh: "费用类计算的指标值单位应为 万元", en: "a cost's target must be in 万元") }
        case .quarter:
            guard unit == "季度" else { throw Problem(l, zh: "完成季度的指标值单位应为 季度", en: "a completion quarter's target must be in 季度") }
            guard (1...4).contains(Int(target)), target == target.rounded() else {
                throw Problem(line(valueNode), zh: "季度应为 1 到 4", en: "a quarter is 1 to 4")
            }
        case .sum, .max, .count:
            guard !["%", "万元", "季度"].contains(unit) else {
                throw Problem(l, zh: "合计、最大与次数类计算的指标值单位不能是 \(unit)", en: "a sum, maximum or count cannot have a target in \(unit)")
            }
        case .manual:
            break
        }
        if computation == .budgetRate && !hasBudget {
            throw Problem(l, zh: "预算执行率需要项目的预算数", en: "预算执行率 (budget rate) needs the project's 预算数 (budget)")
        }
        if !computation.isManual && (kinds ?? projectKinds).isEmpty {
            throw Problem(l, zh: "按记录计算的指标需要活动类型（项目或指标的“活动类型”）",
                          en: "an indicator computed from records needs activity kinds (活动类型 on the project or the indicator)")
        }
        var points: Double?
        if let p = m["分值"] {
            guard let s = p.scalar?.string, let v = Double(s.trimmingSpaces()), v.isFinite, v >= 0, v <= 90 else {
                throw Problem(line(p), zh: "“分值”应为 0 到 90 的数，例如 10", en: "分值 (points) must be a number from 0 to 90, e.g. 10")
            }
            points = v
        }
        return Indicator(level1: level1, level2: level2, name: name, description: description, comparator: comparator,
                         target: target, targetText: targetText, unit: unit, basis: basis, computation: computation,
                         kinds: kinds, points: points, line: line(node))
    }

    /// `≥2000人次`, `≤ 0.5 万元`, `≥95%`, `≤4季度`.
    func targetValue(_ node: Node) throws -> (KtxCore.Comparator, Double, String, String) {
        let bad = Problem(line(node), zh: "指标值应写作“≥2000人次”或“≤0.5万元”这样：比较符（≥ 或 ≤）、数值、单位（\(TargetsParser.units.joined(separator: "、"))）",
                          en: "a target is written like ≥2000人次 or ≤0.5万元: a comparator (≥ or ≤), a number, a unit (\(TargetsParser.units.joined(separator: ", ")))")
        guard let raw = node.scalar?.string else { throw bad }
        var s = Substring(raw.filter { !$0.isWhitespace })
        let comparator: KtxCore.Comparator
        if s.hasPrefix("≥") || s.hasPrefix(">=") { comparator = .atLeast; s = s.dropFirst(s.hasPrefix("≥") ? 1 : 2) }
        else if s.hasPrefix("≤") || s.hasPrefix("<=") { comparator = .atMost; s = s.dropFirst(s.hasPrefix("≤") ? 1 : 2) }
        else { throw bad }
        let digits = s.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = String(s.dropFirst(digits.count))
        guard !digits.isEmpty, let value = Double(digits), TargetsParser.units.contains(unit) else { throw bad }
        return (comparator, value, String(digits), unit)
    }

    func computation(_ node: Node) throws -> Computation {
        let l = line(node)
        let help = "活动次数、费用、每季度费用、完成季度、预算执行率、手工填报，或 {合计: 指标名}、{最大: 指标名}、{比率: [满意人数, 调查人数]}"
        let helpEn = "活动次数 (count), 费用 (cost), 每季度费用 (cost per quarter), 完成季度 (quarter), 预算执行率 (budget rate), 手工填报 (manual), or {合计: metric}, {最大: metric}, {比率: [metric, metric]}"
        if let word = node.scalar?.string {
            switch word.trimmingSpaces() {
            case "活动次数", "count": return .count
            case "费用", "cost": return .cost
            case "每季度费用", "cost_per_quarter": return .costPerQuarter
            case "完成季度", "quarter": return .quarter
            case "预算执行率", "budget_rate": return .budgetRate
            case "手工填报", "manual": return .manual
            default: throw Problem(l, zh: "不认识的计算方式“\(word)”：可用 \(help)", en: "unknown computation '\(word)': use \(helpEn)")
            }
        }
        guard let m = node.mapping, m.count == 1, let (k, v) = m.first, let word = k.scalar?.string else {
            throw Problem(l, zh: "计算应为一种方式：\(help)", en: "a computation is one of: \(helpEn)")
        }
        switch word {
        case "合计", "sum": return .sum(try metric(v))
        case "最大", "max": return .max(try metric(v))
        case "比率", "ratio":
            guard let pair = v.sequence, pair.count == 2 else {
                throw Problem(line(v), zh: "比率应写两个数量：[分子, 分母]，例如 [满意人数, 调查人数]",
                              en: "a ratio names two metrics: [numerator, denominator], e.g. [满意人数, 调查人数]")
            }
            return .ratio(try metric(pair[0]), try metric(pair[1]))
        default:
            throw Problem(l, zh: "不认识的计算方式“\(word)”：可用 \(help)", en: "unknown computation '\(word)': use \(helpEn)")
        }
    }

    func metric(_ node: Node) throws -> String {
        guard let name = node.scalar?.string, let metric = catalog.metric(named: name) else {
            let known = catalog.metrics.map(\.name).joined(separator: "、")
            throw Problem(line(node), zh: "不认识的数量“\(node.scalar?.string ?? "")”：可用 \(known)",
                          en: "unknown metric '\(node.scalar?.string ?? "")': use one of \(known)")
        }
        return metric.code
    }

    func kinds(_ node: Node) throws -> [String] {
        guard let items = node.sequence else {
            throw Problem(line(node), zh: "活动类型应为列表，例如 [科技下乡]", en: "活动类型 (kinds) must be a list, e.g. [科技下乡]")
        }
        return try items.map { item in
            guard let name = item.scalar?.string, let kind = catalog.kind(named: name) else {
                let known = catalog.kinds.map(\.name).joined(separator: "、")
                throw Problem(line(item), zh: "不认识的活动类型“\(item.scalar?.string ?? "")”：可用 \(known)",
                              en: "unknown kind '\(item.scalar?.string ?? "")': use one of \(known)")
            }
            return kind.code
        }
    }

    // MARK: Helpers

    struct Mapping {
        var pairs: [(Node, Node)]
        subscript(key: String) -> Node? { pairs.first { $0.0.scalar?.string == key }?.1 }
    }

    func mapping(_ node: Node, what: (String, String), keys: [String]?) throws -> Mapping {
        guard let m = node.mapping else {
            throw Problem(line(node), zh: "\(what.0)应为“键: 值”的映射", en: "\(what.1) must be a mapping of 键: 值")
        }
        var seen: [String: Int] = [:]
        var pairs: [(Node, Node)] = []
        for (k, v) in m {
            guard let name = k.scalar?.string else { throw Problem(line(k), zh: "键应为文字", en: "a key must be text") }
            if let keys, !keys.contains(name) {
                throw Problem(line(k), zh: "不认识的键“\(name)”：可用 \(keys.joined(separator: "、"))",
                              en: "unknown key '\(name)': use \(keys.joined(separator: ", "))")
            }
            if let first = seen[name] {
                throw Problem(line(k), zh: "键“\(name)”与第 \(first) 行重复", en: "key '\(name)' repeats the one at line \(first)")
            }
            seen[name] = line(k)
            pairs.append((k, v))
        }
        return Mapping(pairs: pairs)
    }

    func missing(_ key: String, _ english: String, in node: Node) -> Problem {
        Problem(line(node), zh: "缺少“\(key)”", en: "missing \(key) (\(english))")
    }

    func text(_ node: Node?, _ key: String, _ english: String, in parent: Node) throws -> String {
        guard let node else { throw missing(key, english, in: parent) }
        guard let s = node.scalar?.string.trimmingSpaces(), !s.isEmpty else {
            throw Problem(line(node), zh: "“\(key)”应为非空文字", en: "\(key) (\(english)) must be non-empty text")
        }
        return s
    }

    func optionalText(_ node: Node?) throws -> String? {
        guard let node else { return nil }
        guard let s = node.scalar?.string.trimmingSpaces() else { throw Problem(line(node), zh: "应为文字", en: "must be text") }
        return s.isEmpty ? nil : s
    }

    func number(_ node: Node, _ key: String, _ english: String) throws -> Double {
        guard let s = node.scalar?.string, let v = Double(s.trimmingSpaces()), v.isFinite, v >= 0 else {
            throw Problem(line(node), zh: "“\(key)”应为非负数（万元），例如 2.00", en: "\(key) (\(english)) must be a non-negative number (万元), e.g. 2.00")
        }
        return v
    }

    func line(_ node: Node) -> Int { node.mark?.line ?? 1 }
}

func format(_ value: Double) -> String {
    String(format: "%.2f", value)
}
