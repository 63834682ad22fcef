import KtxCore

/// A year's performance tables as JSON: what the hub serves at `GET /v1/targets` and what the
/// page hands back to the `report` call. One codec, used by the hub to write and by the core
/// (in the browser) to read; numbers travel as decimal text (`"2000"`, `"0.5"`).
public enum TargetsText {
    /// The JSON of `targets`.
    public static func json(_ targets: Targets) -> JSONText {
        var members: [(String, JSONText)] = [("year", .int(Int64(targets.year)))]
        if let unit = targets.unit { members.append(("unit", .string(unit))) }
        members.append(("projects", .array(targets.projects.map(json))))
        return .object(members)
    }

    static func json(_ project: Project) -> JSONText {
        var members: [(String, JSONText)] = [("key", .string(project.key)), ("name", .string(project.name))]
        if let code = project.code { members.append(("code", .string(code))) }
        if let budget = project.budget.flatMap({ DecimalText.format($0) }) { members.append(("budget", .string(budget))) }
        members.append(("kinds", .array(project.kinds.map { .string($0) })))
        if let activityProject = project.activityProject { members.append(("activityProject", .string(activityProject))) }
        members.append(("plan", .array(project.plan.map { point in
            .object([("month", .int(Int64(point.month))), ("amount", .string(DecimalText.format(point.amount) ?? "0"))])
        })))
        members.append(("indicators", .array(project.indicators.map(json))))
        return .object(members)
    }

    static func json(_ indicator: Indicator) -> JSONText {
        var members: [(String, JSONText)] = [
            ("level1", .string(indicator.level1)), ("level2", .string(indicator.level2)), ("name", .string(indicator.name)),
            ("description", .string(indicator.description)), ("comparator", .string(indicator.comparator.symbol)),
            ("target", .string(DecimalText.format(indicator.target) ?? "0")), ("targetText", .string(indicator.targetText)),
            ("unit", .string(indicator.unit)), ("computation", .string(indicator.computation.code)),
        ]
        if let kinds = indicator.kinds { members.append(("kinds", .array(kinds.map { .string($0) }))) }
        return .object(members)
    }

    /// The targets a JSON value holds; nil when a member is missing or not what it should be.
    public static func targets(_ json: JSONText) -> Targets? {
        guard let year = json["year"]?.int, (1000...9999).contains(year), let items = json["projects"]?.array else { return nil }
        var projects: [Project] = []
        for item in items {
            guard let project = project(item, line: projects.count + 1) else { return nil }
            projects.append(project)
        }
        return Targets(year: Int(year), unit: json["unit"]?.string, projects: projects)
    }

    static func project(_ json: JSONText, line: Int) -> Project? {
        guard let key = json["key"]?.string, let name = json["name"]?.string, let kinds = strings(json["kinds"]),
              let items = json["indicators"]?.array else { return nil }
        var plan: [SpendingCheckpoint] = []
        for point in json["plan"]?.array ?? [] {
            guard let month = point["month"]?.int, (1...12).contains(month),
                  let amount = point["amount"]?.string.flatMap(DecimalText.parse) else { return nil }
            plan.append(SpendingCheckpoint(month: Int(month), amount: amount))
        }
        var budget: Double?
        if let text = json["budget"]?.string {
            guard let value = DecimalText.parse(text) else { return nil }
            budget = value
        }
        var indicators: [Indicator] = []
        for item in items {
            guard let indicator = indicator(item, line: indicators.count + 1) else { return nil }
            indicators.append(indicator)
        }
        return Project(key: key, name: name, code: json["code"]?.string, budget: budget, adjustedBudget: nil, goal: nil, plan: plan,
                       kinds: kinds, activityProject: json["activityProject"]?.string, indicators: indicators, line: line)
    }

    static func indicator(_ json: JSONText, line: Int) -> Indicator? {
        guard let name = json["name"]?.string, let comparator = json["comparator"]?.string.flatMap(Comparator.init(rawValue:)),
              let target = json["target"]?.string.flatMap(DecimalText.parse), let unit = json["unit"]?.string,
              let computation = json["computation"]?.string.flatMap(Computation.init(code:)) else { return nil }
        var kinds: [String]?
        if let given = json["kinds"] {
            guard let list = strings(given) else { return nil }
            kinds = list
        }
        return Indicator(level1: json["level1"]?.string ?? "", level2: json["level2"]?.string ?? "", name: name,
                         description: json["description"]?.string ?? "", comparator: comparator, target: target,
                         targetText: json["targetText"]?.string ?? DecimalText.format(target) ?? "", unit: unit, basis: nil,
                         computation: computation, kinds: kinds, line: line)
    }

    static func strings(_ json: JSONText?) -> [String]? {
        guard let items = json?.array else { return nil }
        var out: [String] = []
        for item in items {
            guard let text = item.string else { return nil }
            out.append(text)
        }
        return out
    }

    /// The JSON of one project's report: its activities, cost, every indicator's actual value,
    /// completion rate and verdict, and spending against plan (numbers as decimal text, null
    /// where there is none).
    public static func json(_ report: ProjectReport) -> JSONText {
        func number(_ value: Double?, places: Int = 4) -> JSONText { value.flatMap { DecimalText.format($0, places: places) }.map { .string($0) } ?? .null }
        let indicators: [JSONText] = report.indicators.map { result in
            .object([("level1", .string(result.indicator.level1)), ("level2", .string(result.indicator.level2)),
                     ("name", .string(result.indicator.name)), ("comparator", .string(result.indicator.comparator.symbol)),
                     ("target", .string(result.indicator.targetText)), ("unit", .string(result.indicator.unit)),
                     ("computation", .string(result.indicator.computation.code)), ("actual", number(result.actual)),
                     ("rate", number(result.rate, places: 1)), ("status", .string(result.status.rawValue))])
        }
        let spending: [JSONText] = report.spending.map { point in
            .object([("month", .int(Int64(point.month))), ("plan", number(point.plan)), ("actual", number(point.actual)),
                     ("rate", number(point.rate, places: 1))])
        }
        return .object([("key", .string(report.project.key)), ("name", .string(report.project.name)),
                        ("activities", .int(report.activities)), ("cost", number(report.cost)),
                        ("budget", number(report.project.budget)), ("indicators", .array(indicators)), ("spending", .array(spending))])
    }
}
