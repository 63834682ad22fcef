import Foundation
import Reporting
import Store
import SyncCore
import Testing
import TestSupport

/// The report and `ktx totals` are two roads to the same numbers: for every computed
/// indicator of both years, the report's value equals the one worked out from
/// `Store.totals` (what `ktx totals` prints) over the same activities.
@Suite struct ReportAgainstTotalsTests {
    /// Three townships record a seeded mix of every kind over both years (with edits,
    /// corrections and deletes), sync through a folder, and the county replica reports.
    func countyReplica(_ lab: ReplicaLab, seed: UInt64) async throws -> Store {
        var rng = SeededGenerator(seed: seed)
        let offices = try ["河西镇", "东枣园乡", "临西镇"].enumerated().map { i, t in try lab.replica("o\(i)", township: t) }
        for office in offices {
            var ids: [ActivityID] = []
            for _ in 0..<60 { ids.append(try office.record(Self.seededDraft(&rng))) }
            for id in ids.shuffled(using: &rng).prefix(10) { try office.add(to: id, metric: "attendance", amount: 7) }
            for id in ids.shuffled(using: &rng).prefix(5) { try office.delete(id) }
            for id in ids.shuffled(using: &rng).prefix(5) {
                if try office.activity(id)?.deleted == false {
                    try office.edit(id, ActivityEdit(date: "2023-0\(Int.random(in: 1...9, using: &rng))-15"))
                }
            }
            try await lab.sync(office)
        }
        let county = try lab.replica("county", township: "县科协")
        try await lab.sync(county)
        return county
    }

    /// One activity as a clerk may record it, from a seeded generator: any kind, a day of 2020 or
    /// 2023, a random subset of the metrics within the catalog's rules (满意人数 ≤ 调查人数…),
    /// on `project` when given.
    static func seededDraft(_ rng: inout SeededGenerator, project: String? = nil) -> ActivityDraft {
        let catalog = Catalog.standard
        let kind = catalog.kinds.randomElement(using: &rng)!
        let year = Bool.random(using: &rng) ? 2020 : 2023
        let date = String(format: "%04d-%02d-%02d", year, Int.random(in: 1...12, using: &rng), Int.random(in: 1...28, using: &rng))
        var q: [String: Int64] = [:]
        for metric in catalog.metrics where Int.random(in: 0..<3, using: &rng) > 0 {
            q[metric.code] = Int64.random(in: 0...(metric.scale == 100 ? 500_000 : 400), using: &rng)
        }
        for rule in catalog.rules where q[rule.metric] != nil { q[rule.metric] = min(q[rule.metric]!, q[rule.atMost] ?? 0) }
        return ActivityDraft(kind: kind.code, date: date, title: "活动", project: project, quantities: q)
    }

    @Test(arguments: [nil, 1, 2, 3] as [Int?])
    func everyComputedIndicatorEqualsTheTotals(quarter: Int?) async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let store = try await countyReplica(lab, seed: 42 + UInt64(quarter ?? 0))
        var checked = 0
        for year in [2020, 2023] {
            let targets = try #require(try TargetsParser.builtIn(year: year, catalog: .standard))
            let report = try ReportBuilder.build(targets, store: store, quarter: quarter)
            let lastMonth = (quarter ?? 4) * 3
            for p in report.projects {
                for result in p.indicators where !result.indicator.computation.isManual {
                    let kinds = result.indicator.kinds ?? p.project.kinds
                    let expected = try Self.fromTotals(result.indicator.computation, store: store, year: year, kinds: kinds,
                                                       lastMonth: lastMonth, budget: p.project.budget)
                    #expect(Self.same(result.actual, expected), "\(year) \(p.project.key) \(result.indicator.name)")
                    checked += 1
                }
                let cost = try Self.fromTotals(.cost, store: store, year: year, kinds: p.project.kinds, lastMonth: lastMonth, budget: nil)
                #expect(Self.same(p.cost, cost ?? 0), "\(year) \(p.project.key) cost")
            }
        }
        #expect(checked == 15 + 26) // every computed indicator of 2020 and 2023
    }

    static func same(_ a: Double?, _ b: Double?) -> Bool {
        switch (a, b) {
        case (nil, nil): true
        case let (x?, y?): abs(x - y) <= 1e-9 * max(1, abs(y))
        default: false
        }
    }

    /// The value of a computation from `totals(by: [.month])` per kind, the way a clerk
    /// would add up `ktx totals --by month --kind K --year Y`.
    static func fromTotals(_ computation: Computation, store: Store, year: Int, kinds: [String], lastMonth: Int,
                           budget: Double?) throws -> Double? {
        var rows: [TotalsRow] = []
        for kind in kinds {
            rows += try store.totals(by: [.month], filter: ActivityFilter(kind: kind, year: year))
                .filter { Int($0.group[.month]!.suffix(2))! <= lastMonth }
        }
        func sum(_ metric: String) -> Int64 { rows.reduce(0) { $0 + ($1.quantities[metric] ?? 0) } }
        switch computation {
        case let .sum(metric): return Double(sum(metric))
        case .count: return Double(rows.reduce(0) { $0 + $1.activities })
        case let .ratio(a, b): return sum(b) > 0 ? Double(sum(a)) / Double(sum(b)) * 100 : nil
        case .cost: return Double(sum("cost")) / 1_000_000
        case .budgetRate: return budget.map { Double(sum("cost")) / 1_000_000 / $0 * 100 }
        case .costPerQuarter:
            var byQuarter: [Int: Int64] = [:]
            for row in rows {
                let month = Int(row.group[.month]!.suffix(2))!
                byQuarter[(month + 2) / 3, default: 0] += row.quantities["cost"] ?? 0
            }
            return Double(byQuarter.values.max() ?? 0) / 1_000_000
        case .quarter:
            return rows.filter { $0.activities > 0 }.map { Double((Int($0.group[.month]!.suffix(2))! + 2) / 3) }.max()
        case let .max(metric):
            // Not a total: the largest on one activity, from the activity list.
            var best: Int64 = 0
            for kind in kinds {
                for a in try store.activities(ActivityFilter(kind: kind, year: year))
                where Int(a.date!.dropFirst(5).prefix(2))! <= lastMonth {
                    best = max(best, a.quantities[metric] ?? 0)
                }
            }
            return Double(best)
        case .manual: return nil
        }
    }
}
