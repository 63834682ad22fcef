/// The records of one (kind, budget project, month) of a year: what a performance report is
/// computed from. A PC reads them from its totals (`Store.reportCells`), a page from the
/// activities it holds (`PageReplica.reportCells`); both feed ``Performance``.
public struct ReportCell: Hashable, Sendable {
    /// The kind code.
    public var kind: String
    /// The budget project code recorded on the activities ("" when none).
    public var project: String
    /// 1 to 12.
    public var month: Int
    /// Live activities in the cell.
    public var activities: Int64
    /// Sums by metric code, in stored units.
    public var sums: [String: Int64]
    /// The largest value of each metric on any one activity of the cell.
    public var maxima: [String: Int64]

    /// A cell of `activities` live activities with their sums and maxima.
    public init(kind: String, project: String, month: Int, activities: Int64, sums: [String: Int64], maxima: [String: Int64]) {
        self.kind = kind
        self.project = project
        self.month = month
        self.activities = activities
        self.sums = sums
        self.maxima = maxima
    }

    /// The quarter of the cell's month, 1 to 4.
    public var quarter: Int { (month + 2) / 3 }
}

/// One project of a report: its indicators against their targets and its spending.
public struct ProjectReport: Sendable {
    /// The project, as the targets file gives it.
    public var project: Project
    /// Live activities counted for the project (by its kinds and project code).
    public var activities: Int64
    /// Every indicator of the project, in the table's order.
    public var indicators: [IndicatorResult]
    /// Plan against actual cumulative cost at each checkpoint up to the report's date; when
    /// the table has no plan, the quarter ends instead, with actual cost only.
    public var spending: [SpendingResult]
    /// Cost of the project's activities up to the report's date, in 万元.
    public var cost: Double
}

/// One indicator against its target.
public struct IndicatorResult: Sendable {
    /// The indicator, as the targets file gives it.
    public var indicator: Indicator
    /// The actual value in the indicator's unit; nil when there is nothing to compute it
    /// from (a manual value not entered yet, a ratio over nobody surveyed, no activity).
    public var actual: Double?
    /// Completion rate in percent: actual ÷ target for ≥; for ≤, 100 when met, else target ÷ actual.
    public var rate: Double?
    /// 达标, 未达标 or 待填报.
    public var status: IndicatorStatus
}

/// Whether an indicator is met, not met, or waiting for a manual value.
public enum IndicatorStatus: String, Sendable {
    /// 达标
    case met
    /// 未达标
    case notMet = "not-met"
    /// 待填报: a manual indicator with no value yet.
    case pending
}

/// Spending against plan at one checkpoint.
public struct SpendingResult: Sendable {
    /// The month whose end it is.
    public var month: Int
    /// Cumulative spending planned by then, 万元; nil when the table has no plan.
    public var plan: Double?
    /// Cumulative cost recorded by then, 万元.
    public var actual: Double
    /// actual ÷ plan in percent.
    public var rate: Double? { plan.flatMap { $0 > 0 ? actual / $0 * 100 : nil } }
}

/// The performance rules: how the cells of a year's records become each indicator's actual
/// value, its completion rate and its verdict against the target. One definition, used by
/// `ktx report`, the dashboard and the offline web app (compiled to WebAssembly).
public enum Performance {
    /// 分 (the unit costs are stored in) per 万元 (the unit of the tables).
    public static let fenPerWan = 1_000_000.0

    /// The metric codes whose largest single value some indicator of `targets` asks for.
    public static func maxima(of targets: Targets) -> Set<String> {
        var metrics: Set<String> = []
        for project in targets.projects {
            for indicator in project.indicators {
                if case let .max(metric) = indicator.computation { metrics.insert(metric) }
            }
        }
        return metrics
    }

    /// One project's indicators and spending over the cells of its year, counted through the end
    /// of month `throughMonth`; `manual` gives the value entered for a manual indicator, if any.
    public static func project(_ project: Project, cells: [ReportCell], throughMonth: Int,
                               manual: (Indicator) -> Double?) -> ProjectReport {
        func matching(_ kinds: [String]) -> [ReportCell] {
            cells.filter { kinds.contains($0.kind) && (project.activityProject == nil || $0.project == project.activityProject) }
        }
        let own = matching(project.kinds)
        let cost = Double(own.reduce(0) { $0 + ($1.sums["cost"] ?? 0) }) / fenPerWan
        var results: [IndicatorResult] = []
        for indicator in project.indicators {
            let actual = indicator.computation.isManual
                ? manual(indicator)
                : compute(indicator.computation, indicator.kinds.map(matching) ?? own, budget: project.budget)
            results.append(evaluate(indicator, actual: actual))
        }
        var spending: [SpendingResult] = []
        var checkpoints: [(month: Int, plan: Double?)] = []
        if project.plan.isEmpty {
            for month in stride(from: 3, through: throughMonth, by: 3) { checkpoints.append((month, nil)) }
        } else {
            for point in project.plan where point.month <= throughMonth { checkpoints.append((point.month, point.amount)) }
        }
        for (month, plan) in checkpoints {
            let spent = own.filter { $0.month <= month }.reduce(0) { $0 + ($1.sums["cost"] ?? 0) }
            spending.append(SpendingResult(month: month, plan: plan, actual: Double(spent) / fenPerWan))
        }
        return ProjectReport(project: project, activities: own.reduce(0) { $0 + $1.activities },
                             indicators: results, spending: spending, cost: cost)
    }

    /// The actual value of a computed indicator over its cells.
    public static func compute(_ computation: Computation, _ cells: [ReportCell], budget: Double?) -> Double? {
        func sum(_ metric: String) -> Int64 { cells.reduce(0) { $0 + ($1.sums[metric] ?? 0) } }
        switch computation {
        case let .sum(metric): return Double(sum(metric))
        case let .max(metric): return Double(cells.compactMap { $0.maxima[metric] }.max() ?? 0)
        case .count: return Double(cells.reduce(0) { $0 + $1.activities })
        case let .ratio(numerator, denominator):
            let d = sum(denominator)
            return d > 0 ? Double(sum(numerator)) / Double(d) * 100 : nil
        case .cost: return Double(sum("cost")) / fenPerWan
        case .costPerQuarter:
            var byQuarter = [Int64](repeating: 0, count: 5)
            for cell in cells { byQuarter[cell.quarter] += cell.sums["cost"] ?? 0 }
            return Double(byQuarter.max() ?? 0) / fenPerWan
        case .quarter:
            return cells.filter { $0.activities > 0 }.map { $0.quarter }.max().map { Double($0) }
        case .budgetRate:
            guard let budget, budget > 0 else { return nil }
            return Double(sum("cost")) / fenPerWan / budget * 100
        case .manual: return nil
        }
    }

    /// Compares an actual value with the indicator's target.
    public static func evaluate(_ indicator: Indicator, actual: Double?) -> IndicatorResult {
        guard let actual else {
            return IndicatorResult(indicator: indicator, actual: nil, rate: nil,
                                   status: indicator.computation.isManual ? .pending : .notMet)
        }
        let target = indicator.target
        // Values are decimals of at most a few places; compare them as such.
        let tolerance = 1e-9 * Swift.max(1, target < 0 ? -target : target)
        let met: Bool
        let rate: Double?
        switch indicator.comparator {
        case .atLeast:
            met = actual >= target - tolerance
            rate = target > 0 ? actual / target * 100 : (met ? 100 : nil)
        case .atMost:
            met = actual <= target + tolerance
            rate = met ? 100 : (actual > 0 ? target / actual * 100 : nil)
        }
        return IndicatorResult(indicator: indicator, actual: actual, rate: rate, status: met ? .met : .notMet)
    }
}
