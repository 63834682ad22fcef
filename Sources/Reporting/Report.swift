import Foundation
import Store
import SyncCore

/// A performance report: every project of a year's targets, computed from the merged
/// records as of the end of the year or of a quarter.
public struct Report: Sendable {
    /// The year of the targets.
    public var year: Int
    /// The quarter reported as of its end; nil for the whole year.
    public var quarter: Int?
    /// The last day counted, `YYYY-MM-DD`.
    public var asOf: String
    /// 填报单位: the unit the targets name.
    public var unit: String?
    /// Every project of the targets, in their order.
    public var projects: [ProjectReport]
    /// Activities of the year whose quantities break a catalog rule (merged from several
    /// PCs, or recorded before the rule): counted as recorded, and listed for checking.
    public var breaches: [RuleBreach] = []
    /// The townships whose records are counted, and how current each one's data is here.
    public var coverage: [TownshipFreshness] = []
    /// The township this replica pulls alone (`--scope township`), if it does.
    public var scopedTo: String?
    /// The approval the figures rest on, and the amendments they leave out (issue 30).
    public var approval: ApprovalSummary?
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

/// Computes reports from report cells; pure, so tests can check it against `ktx totals`.
public enum ReportBuilder {
    /// The last day a report counts: the end of the quarter, or of the year.
    public static func lastDay(year: Int, quarter: Int?) -> String {
        guard let quarter else { return String(format: "%04d-12-31", year) }
        let month = quarter * 3
        let day = month == 6 || month == 9 ? 30 : 31
        return String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// The last day of `month` of `year`.
    static func lastDay(year: Int, month: Int) -> String {
        let days = [31, year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return String(format: "%04d-%02d-%02d", year, month, days[month - 1])
    }

    /// Builds the report of `targets` from the store's merged records.
    public static func build(_ targets: Targets, store: Store, quarter: Int?, project: Project? = nil) throws -> Report {
        try build(targets, store: store, quarter: quarter, throughMonth: (quarter ?? 4) * 3, project: project)
    }

    /// The report of `targets` through the end of month `throughMonth` (the monitoring form's 1–N月).
    public static func build(_ targets: Targets, store: Store, throughMonth: Int, project: Project? = nil) throws -> Report {
        try build(targets, store: store, quarter: nil, throughMonth: throughMonth, project: project)
    }

    static func build(_ targets: Targets, store: Store, quarter: Int?, throughMonth: Int, project: Project?) throws -> Report {
        let asOf = throughMonth == (quarter ?? 4) * 3 ? lastDay(year: targets.year, quarter: quarter) : lastDay(year: targets.year, month: throughMonth)
        var maxima: Set<String> = []
        for indicator in targets.projects.flatMap(\.indicators) {
            if case let .max(metric) = indicator.computation { maxima.insert(metric) }
        }
        let cells = try store.reportCells(year: targets.year, throughMonth: throughMonth, maxima: maxima)
        let manual = try store.indicatorValues(year: targets.year)
        let projects = project.map { [$0] } ?? targets.projects
        return Report(year: targets.year, quarter: quarter, asOf: asOf, unit: targets.unit,
                      projects: projects.map { build($0, year: targets.year, cells: cells, manual: manual, quarter: quarter, throughMonth: throughMonth) },
                      breaches: try store.ruleBreaches(year: targets.year), coverage: try store.freshness(), scopedTo: try store.pullScopeTownship(),
                      approval: try ApprovalSummary.build(year: targets.year, store: store))
    }

    static let fenPerWan = 1_000_000.0

    static func build(_ project: Project, year: Int, cells: [ReportCell], manual: [IndicatorKey: String], quarter: Int?,
                      throughMonth: Int? = nil) -> ProjectReport {
        func matching(_ kinds: [String]) -> [ReportCell] {
            cells.filter { kinds.contains($0.kind) && (project.activityProject == nil || $0.project == project.activityProject) }
        }
        let own = matching(project.kinds)
        let cost = Double(own.reduce(0) { $0 + ($1.sums["cost"] ?? 0) }) / fenPerWan
        var results: [IndicatorResult] = []
        for indicator in project.indicators {
            let mine = indicator.kinds.map(matching) ?? own
            let actual: Double?
            if indicator.computation.isManual {
                actual = manual[IndicatorKey(year: year, project: project.key, indicator: indicator.name)].flatMap(Double.init)
            } else {
                actual = compute(indicator.computation, mine, budget: project.budget)
            }
            results.append(evaluate(indicator, actual: actual))
        }
        let lastMonth = throughMonth ?? (quarter ?? 4) * 3
        var spending: [SpendingResult] = []
        let checkpoints: [(Int, Double?)] = project.plan.isEmpty
            ? stride(from: 3, through: lastMonth, by: 3).map { ($0, nil) }
            : project.plan.filter { $0.month <= lastMonth }.map { ($0.month, $0.amount) }
        for (month, plan) in checkpoints {
            let spent = own.filter { $0.month <= month }.reduce(0) { $0 + ($1.sums["cost"] ?? 0) }
            spending.append(SpendingResult(month: month, plan: plan, actual: Double(spent) / fenPerWan))
        }
        return ProjectReport(project: project, activities: own.reduce(0) { $0 + $1.activities },
                             indicators: results, spending: spending, cost: cost)
    }

    /// The actual value of a computed indicator over its cells.
    static func compute(_ computation: Computation, _ cells: [ReportCell], budget: Double?) -> Double? {
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
            return cells.filter { $0.activities > 0 }.map(\.quarter).max().map(Double.init)
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
        let tolerance = 1e-9 * max(1, abs(target))
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
