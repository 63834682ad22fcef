import Foundation
import Store
import SyncCore

/// The year-end 项目支出绩效自评表: per project, its funds with the budget execution rate
/// (分值 10), its goal, and every indicator with 分值 and 得分, then the total and its grade.
public struct SelfEvaluation: Sendable {
    /// Who fills the form in: the header of every page.
    public struct Filing: Sendable, Equatable {
        /// 填报单位.
        public var unit: String?
        /// 填报人.
        public var filler: String?
        /// 联系电话.
        public var phone: String?
        /// 填报日期, `YYYY-MM-DD`.
        public var date: String

        /// The header's fields; the date is required.
        public init(unit: String? = nil, filler: String? = nil, phone: String? = nil, date: String) {
            self.unit = unit
            self.filler = filler
            self.phone = phone
            self.date = date
        }
    }

    /// The year of the targets.
    public var year: Int
    /// 填报单位, 填报人, 联系电话 and 填报日期.
    public var filing: Filing
    /// The townships whose records the form counts, and how current each is here.
    public var coverage: [TownshipFreshness]
    /// The township this replica pulls alone (`--scope township`), if it does.
    public var scopedTo: String? = nil
    /// The approval the figures rest on, and the amendments they leave out (issue 30).
    public var approval: ApprovalSummary? = nil
    /// The scoring rules the form was scored by (``ScoringProfile/name``).
    public var scoring: String = ScoringProfile.national.name
    /// Every project, in the targets' order.
    public var projects: [ProjectEvaluation]
    /// 项目支出预算 of the whole department, 万元, on a form of all its projects whose targets
    /// give it.
    public var projectSpending: Double? = nil
    /// Activities whose quantities break a catalog rule (counted as recorded).
    public var breaches: [RuleBreach]
}

/// One project of the form.
public struct ProjectEvaluation: Sendable {
    /// The project's report, from the records.
    public var report: ProjectReport
    /// 年初预算数, 万元.
    public var initialBudget: Double?
    /// 全年预算数, 万元.
    public var fullYearBudget: Double?
    /// 全年执行数: the cost recorded for the year, 万元.
    public var executed: Double
    /// 执行率 in percent: executed ÷ 全年预算数; nil without a budget.
    public var executionRate: Double?
    /// The budget execution rate's 分值: ``SelfEvaluation/budgetPoints``, or nil when the
    /// targets give no budget for the project (the rate is not scored; its indicators share
    /// all 100 points).
    public var executionPoints: Double? { fullYearBudget == nil ? nil : SelfEvaluation.budgetPoints }
    /// The budget execution rate's 得分 out of ``executionPoints``; nil when not scored.
    public var executionScore: Double?
    /// Every indicator of the project, scored, in the table's order.
    public var indicators: [IndicatorEvaluation]
    /// The most the total may be, for a low execution rate (the scoring profile's caps).
    public var cap: Double? = nil

    /// The project, as the targets file gives it.
    public var project: Project { report.project }
    /// The execution score and every indicator's, before any cap.
    public var uncapped: Double { SelfEvaluation.rounded((executionScore ?? 0) + indicators.reduce(0) { $0 + $1.score }) }
    /// 自评得分: the execution score and every indicator's, at most the cap.
    public var total: Double { cap.map { min($0, uncapped) } ?? uncapped }
    /// The indicators whose 偏差原因分析 is still to be written: not met, or 偏离 where the
    /// rules ask for a reason.
    public var needingReason: [IndicatorEvaluation] { indicators.filter(\.needsReason) }
    /// 优, 良, 中 or 差, by the total.
    public var grade: Grade { Grade(total) }
}

/// One indicator of the form.
public struct IndicatorEvaluation: Sendable {
    /// The indicator against its target.
    public var result: IndicatorResult
    /// 分值.
    public var points: Double
    /// 得分: 分值 × the completion rate, at most 分值; 0 for a value not entered.
    public var score: Double
    /// 偏差原因分析及改进措施, as the county entered it (`ktx indicator note`).
    public var deviation: String?
    /// Whether the value is 偏离: far above its target, as the scoring rules define it.
    public var deviates = false
    /// Whether a 偏差原因分析 is still to be written.
    public var needsReason = false
}

/// 优 ≥ 90, 良 80 to 90, 中 60 to 80, 差 < 60.
public enum Grade: String, Sendable {
    case excellent, good, fair, poor

    /// The grade of a score (rounded to the hundredth).
    public init(_ score: Double) {
        let s = SelfEvaluation.rounded(score)
        self = s >= 90 ? .excellent : s >= 80 ? .good : s >= 60 ? .fair : .poor
    }

    /// The grade's name: 优, 良, 中, 差 or excellent, good, fair, poor.
    public func name(_ language: Language) -> String {
        switch (self, language) {
        case (.excellent, .zh): "优"
        case (.good, .zh): "良"
        case (.fair, .zh): "中"
        case (.poor, .zh): "差"
        case (.excellent, .en): "excellent"
        case (.good, .en): "good"
        case (.fair, .en): "fair"
        case (.poor, .en): "poor"
        }
    }
}

extension SelfEvaluation {
    /// The points of the budget execution rate.
    public static let budgetPoints = 10.0

    /// The usual weights of the indicator groups (一级指标): 产出 50, 效益 30 (效果 in older
    /// tables), 满意度 10; a group the file names otherwise weighs as 效益.
    public static func groupWeight(_ level1: String) -> Double {
        switch level1 {
        case "产出指标": 50
        case "满意度指标": 10
        default: 30
        }
    }

    /// 分值 of each indicator: the file's where it gives them; else each group's weight
    /// split evenly among its indicators, scaled so the indicators total 90 (100 when the
    /// execution rate is not scored, `budgeted` false) when a project lacks a group.
    public static func points(_ indicators: [Indicator], budgeted: Bool = true) -> [Double] {
        let given = indicators.compactMap(\.points)
        if given.count == indicators.count { return given }
        var counts: [String: Int] = [:]
        for i in indicators { counts[i.level1, default: 0] += 1 }
        let weights = counts.keys.reduce(0) { $0 + groupWeight($1) }
        guard weights > 0 else { return indicators.map { _ in 0 } }
        let scale = (100 - (budgeted ? budgetPoints : 0)) / weights
        return indicators.map { groupWeight($0.level1) * scale / Double(counts[$0.level1] ?? 1) }
    }

    /// A score as the form shows it, to the hundredth; the total adds these, so it is the
    /// sum of the figures on the page.
    public static func rounded(_ v: Double) -> Double { (v * 100).rounded() / 100 }

    /// 得分 of an indicator: its points times its completion rate, at most its points, to
    /// the hundredth.
    public static func score(_ r: IndicatorResult, points: Double) -> Double {
        let rate: Double
        switch r.status {
        case .pending: return 0
        case .met: rate = 100
        case .notMet: rate = min(100, max(0, r.rate ?? 0))
        }
        return rounded(points * rate / 100)
    }

    /// Builds the form of `targets` for the whole year from the store's merged records.
    public static func build(_ targets: Targets, store: Store, project: Project? = nil, filing: Filing,
                             scoring: ScoringProfile = .national) throws -> SelfEvaluation {
        let report = try ReportBuilder.build(targets, store: store, quarter: nil, project: project)
        let notes = try store.indicatorNotes(year: targets.year)
        var form = SelfEvaluation(year: targets.year, filing: filing, coverage: report.coverage,
                                  projects: report.projects.map { evaluate($0, year: targets.year, notes: notes, scoring: scoring) },
                                  breaches: report.breaches)
        form.scopedTo = report.scopedTo
        form.approval = report.approval
        form.scoring = scoring.name
        if project == nil { form.projectSpending = targets.projectSpending }
        return form
    }

    /// A project's part of the form, from its report.
    public static func evaluate(_ p: ProjectReport, year: Int, notes: [IndicatorKey: String],
                                scoring: ScoringProfile = .national) -> ProjectEvaluation {
        let fullYear = p.project.adjustedBudget ?? p.project.budget
        let rate = fullYear.flatMap { $0 > 0 ? p.cost / $0 * 100 : nil }
        // Without a budget in the targets the rate cannot be scored: not 0, not full.
        let executionScore = fullYear == nil ? nil : rounded(budgetPoints * min(100, rate ?? 0) / 100)
        let points = points(p.project.indicators, budgeted: fullYear != nil)
        let indicators = zip(p.indicators, points).map { r, pts in
            let note = notes[IndicatorKey(year: year, project: p.project.key, indicator: r.indicator.name)]
            var e = IndicatorEvaluation(result: r, points: pts, score: score(r, points: pts), deviation: note)
            // 偏离: a "≥" value far above its target.
            if let above = scoring.deviationAbove, r.indicator.comparator == .atLeast, r.indicator.target > 0,
               let actual = r.actual, actual / r.indicator.target * 100 >= above {
                e.deviates = true
                e.score = rounded(pts * (100 - scoring.deviationPointsLost) / 100)
            }
            // A cost indicator of a project that did nothing all year is not "within budget".
            if p.activities == 0, [Computation.cost, .costPerQuarter].contains(r.indicator.computation) {
                e.score = scoring.costWithoutActivityFull ? pts : 0
            }
            let noted = !(note ?? "").isEmpty
            e.needsReason = !noted && (r.status == .notMet || (e.deviates && scoring.deviationNeedsReason))
            return e
        }
        var evaluation = ProjectEvaluation(report: p, initialBudget: p.project.budget, fullYearBudget: fullYear, executed: p.cost,
                                           executionRate: rate, executionScore: executionScore, indicators: indicators)
        evaluation.cap = scoring.cap(executionRate: rate)
        return evaluation
    }
}
