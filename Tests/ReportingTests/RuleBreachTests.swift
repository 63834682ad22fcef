import Foundation
import KtxWords
import Reporting
import Store
import SyncCore
import Testing
import TestSupport

/// Rules between quantities are checked where a clerk changes an activity, never on what
/// other PCs send (replicas must converge): a breach that only the merge makes is counted
/// as recorded, and the report lists it for checking.
@Suite struct RuleBreachTests {
    @Test func aBreachMadeByTheMergeIsCountedAndListedInTheReport() async throws {
        let lab = ReplicaLab("breach")
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let id = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "培训",
                                            quantities: ["attendance": 100, "surveyed": 10, "satisfied": 5]))
        try await lab.sync(a)
        let b = try lab.replica("b", township: "河西镇")
        try await lab.sync(b)
        // Each PC's change keeps the rule on its own: 10 satisfied of 10, 5 of 5 surveyed.
        try a.add(to: id, metric: "satisfied", amount: 5)
        try b.add(to: id, metric: "surveyed", amount: -5)
        #expect(throws: KtxError.self) { try a.add(to: id, metric: "surveyed", amount: -1) }
        for store in [a, b, a] { try await lab.sync(store) }

        for store in [a, b] {
            #expect(try store.activity(id)?.quantities["satisfied"] == 10)
            #expect(try store.activity(id)?.quantities["surveyed"] == 5)
            #expect(try store.ruleBreaches(year: 2023) == [RuleBreach(activity: id, township: "河西镇",
                                                                      rule: Catalog.standard.rules[0], value: 10, limit: 5)])
        }
        #expect(try a.ruleBreaches(year: 2020).isEmpty)
        // A correction that narrows the breach is taken; one that widens it is not.
        #expect(throws: KtxError.self) { try b.add(to: id, metric: "satisfied", amount: 1) }
        try b.add(to: id, metric: "surveyed", amount: 2)

        let targets = try #require(try TargetsParser.builtIn(year: 2023, catalog: .standard))
        let report = try ReportBuilder.build(targets, store: b, quarter: nil)
        let table = ReportRenderer(language: .zh).table(report)
        #expect(table.hasSuffix("""
            数据核对：以下 1 项活动的数量不合常理（已按记录计入，请核实后用 ktx attend 更正）
              \(id)（河西镇）：满意人数 10 多于 调查人数 7
            """))
        #expect(ReportRenderer(language: .en).json(report).render().contains("\"rule_breaches\""))
    }
}
