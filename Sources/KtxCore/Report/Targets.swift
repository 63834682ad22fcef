/// One year's performance tables (绩效目标表): every budget project with its budget,
/// its cumulative spending plan and its indicators, as read from `Schema/targets/YEAR.yaml`
/// or a file county staff wrote for a later year.
public struct Targets: Sendable {
    /// The budget year, e.g. 2023.
    public var year: Int
    /// The organisation the tables belong to, e.g. 临西县科学技术协会本级.
    public var unit: String?
    /// Where the tables come from, e.g. the budget document.
    public var source: String?
    /// 项目支出预算: the department's budget for all its projects together, in 万元, where the
    /// document gives it (the 2020 document gives only this, no budget per project).
    public var projectSpending: Double? = nil
    /// Every project of the targets, in the file's order.
    public var projects: [Project]

    /// Targets of `year` with their projects, as a parser or the hub's JSON gives them.
    public init(year: Int, unit: String? = nil, source: String? = nil, projectSpending: Double? = nil, projects: [Project]) {
        self.year = year
        self.unit = unit
        self.source = source
        self.projectSpending = projectSpending
        self.projects = projects
    }

    /// A project by its short key, its code or its name; nil if none matches.
    public func project(named text: String) -> Project? {
        let t = text.trimmingSpaces()
        return projects.first { $0.key == t } ?? projects.first { $0.code == t } ?? projects.first { $0.name == t }
    }
}

/// A budget project's table.
public struct Project: Sendable {
    /// A short key unique within the year (`rural`), used on the command line and in
    /// manual indicator values.
    public var key: String
    /// 项目名称, as written in the table.
    public var name: String
    /// 项目编码, where the document gives one.
    public var code: String?
    /// 预算数 (年初预算数), in 万元.
    public var budget: Double?
    /// 全年预算数, in 万元, where the budget was adjusted during the year; else the 预算数.
    public var adjustedBudget: Double?
    /// 绩效目标 (年度总体目标): the project's goal for the year, as the table writes it.
    public var goal: String?
    /// 资金支出计划: cumulative spending planned by each checkpoint, in 万元.
    public var plan: [SpendingCheckpoint]
    /// The activity kinds (codes) whose records count for this project.
    public var kinds: [String]
    /// Where set, only activities recorded with this budget project code count.
    public var activityProject: String?
    /// Every indicator of the project, in the file's order.
    public var indicators: [Indicator]
    /// The line of the project in its file.
    public var line: Int

    /// A project with every field of its table.
    public init(key: String, name: String, code: String?, budget: Double?, adjustedBudget: Double?, goal: String?,
                plan: [SpendingCheckpoint], kinds: [String], activityProject: String?, indicators: [Indicator], line: Int) {
        self.key = key
        self.name = name
        self.code = code
        self.budget = budget
        self.adjustedBudget = adjustedBudget
        self.goal = goal
        self.plan = plan
        self.kinds = kinds
        self.activityProject = activityProject
        self.indicators = indicators
        self.line = line
    }
}

/// A point of the spending plan: the end of a month (3月底, 6月底, 10月底, 12月底).
public struct SpendingCheckpoint: Sendable, Hashable {
    /// The month whose end it is, 1 to 12.
    public var month: Int
    /// Cumulative spending planned by then, in 万元.
    public var amount: Double

    /// `amount` 万元 planned by the end of `month`.
    public init(month: Int, amount: Double) {
        self.month = month
        self.amount = amount
    }
}

/// One row of a performance table.
public struct Indicator: Sendable {
    /// 一级指标, e.g. 产出指标.
    public var level1: String
    /// 二级指标, e.g. 数量指标.
    public var level2: String
    /// 三级指标: the indicator's name, unique within its project, e.g. 科技服务人次.
    public var name: String
    /// 绩效指标描述.
    public var description: String
    /// ≥ or ≤.
    public var comparator: Comparator
    /// 指标值 without comparator and unit, e.g. 2000.
    public var target: Double
    /// The target as written in the file, e.g. `2000`.
    public var targetText: String
    /// The unit: 人次, 人, 个, 次, 家, 台, 件, 项, %, 万元 or 季度.
    public var unit: String
    /// 指标值确定依据.
    public var basis: String?
    /// How the actual value is computed from the records.
    public var computation: Computation
    /// Kinds overriding the project's for this indicator.
    public var kinds: [String]?
    /// 分值 in the self-evaluation form, where the file sets it; else the usual split.
    public var points: Double? = nil
    /// The line of the indicator in its file.
    public var line: Int

    /// An indicator with every field of its row.
    public init(level1: String, level2: String, name: String, description: String, comparator: Comparator, target: Double,
                targetText: String, unit: String, basis: String?, computation: Computation, kinds: [String]?, points: Double? = nil, line: Int) {
        self.level1 = level1
        self.level2 = level2
        self.name = name
        self.description = description
        self.comparator = comparator
        self.target = target
        self.targetText = targetText
        self.unit = unit
        self.basis = basis
        self.computation = computation
        self.kinds = kinds
        self.points = points
        self.line = line
    }

    /// The target as shown in a table: `≥2000人次`.
    public var targetShown: String { comparator.symbol + targetText + unit }
}

/// How an indicator compares its actual value with its target.
public enum Comparator: String, Sendable {
    case atLeast = "≥"
    case atMost = "≤"

    /// The comparator as written: ≥ or ≤.
    public var symbol: String { rawValue }
}

/// How an indicator's actual value is computed from the merged records.
public enum Computation: Sendable, Hashable {
    /// The sum of a quantity (metric code) over the project's activities.
    case sum(String)
    /// The largest value of a quantity on any one activity (e.g. exhibits on show).
    case max(String)
    /// The number of activities.
    case count
    /// A ratio of two sums, as a percentage (满意度 = satisfied / surveyed).
    case ratio(String, String)
    /// The cost, in 万元.
    case cost
    /// The largest cost of any one quarter, in 万元 (每季度的成本).
    case costPerQuarter
    /// The latest quarter with an activity (项目完成时间).
    case quarter
    /// Cost as a percentage of the project's budget (预算资金完成率).
    case budgetRate
    /// Not in the records: entered with `ktx indicator set`.
    case manual

    /// A stable ASCII spelling, for JSON and messages: `sum:attendance`, `ratio:satisfied/surveyed`.
    public var code: String {
        switch self {
        case let .sum(m): "sum:\(m)"
        case let .max(m): "max:\(m)"
        case .count: "count"
        case let .ratio(a, b): "ratio:\(a)/\(b)"
        case .cost: "cost"
        case .costPerQuarter: "cost_per_quarter"
        case .quarter: "quarter"
        case .budgetRate: "budget_rate"
        case .manual: "manual"
        }
    }

    /// The computation a ``code`` spells; nil for any other text.
    public init?(code: String) {
        switch code {
        case "count": self = .count
        case "cost": self = .cost
        case "cost_per_quarter": self = .costPerQuarter
        case "quarter": self = .quarter
        case "budget_rate": self = .budgetRate
        case "manual": self = .manual
        default:
            guard let colon = code.firstIndex(of: ":") else { return nil }
            let head = code[..<colon]
            let tail = String(code[code.index(after: colon)...])
            guard !tail.isEmpty else { return nil }
            switch head {
            case "sum": self = .sum(tail)
            case "max": self = .max(tail)
            case "ratio":
                guard let slash = tail.firstIndex(of: "/") else { return nil }
                let numerator = String(tail[..<slash])
                let denominator = String(tail[tail.index(after: slash)...])
                guard !numerator.isEmpty, !denominator.isEmpty else { return nil }
                self = .ratio(numerator, denominator)
            default: return nil
            }
        }
    }

    /// Whether the county enters the value by hand.
    public var isManual: Bool { self == .manual }
}
