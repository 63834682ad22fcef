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

/// Builds reports from a store's cells with the performance rules (``Performance``, KtxCore).
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
        let cells = try store.reportCells(year: targets.year, throughMonth: throughMonth, maxima: Performance.maxima(of: targets))
        let manual = try store.indicatorValues(year: targets.year)
        let projects = project.map { [$0] } ?? targets.projects
        return Report(year: targets.year, quarter: quarter, asOf: asOf, unit: targets.unit,
                      projects: projects.map { p in
                          Performance.project(p, cells: cells, throughMonth: throughMonth) {
                              manual[IndicatorKey(year: targets.year, project: p.key, indicator: $0.name)].flatMap(Double.init)
                          }
                      },
                      breaches: try store.ruleBreaches(year: targets.year), coverage: try store.freshness(), scopedTo: try store.pullScopeTownship(),
                      approval: try ApprovalSummary.build(year: targets.year, store: store))
    }
}
