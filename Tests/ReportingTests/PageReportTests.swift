import CoreCalls
import Foundation
import Reporting
import Store
import SyncCore
import Testing
import TestSupport

/// The offline web app's report is the PC's: a township PC records a seeded mix (every kind,
/// both years, some on a budget project code, with edits, corrections and deletes); a page's
/// replica takes the same operations, and the core's `report` call — fed the targets as the
/// hub serves them (`GET /v1/targets`) — gives every indicator the value, rate and verdict
/// `ktx report` gives, and the same spending, for the year and for each quarter.
@Suite struct PageReportTests {
    func office(_ lab: ReplicaLab, seed: UInt64) throws -> Store {
        var rng = SeededGenerator(seed: seed)
        let office = try lab.replica("office", township: "河西镇")
        var ids: [ActivityID] = []
        for _ in 0..<120 {
            let project = Int.random(in: 0..<4, using: &rng) == 0 ? "13053523P00000110073C" : nil
            ids.append(try office.record(ReportAgainstTotalsTests.seededDraft(&rng, project: project)))
        }
        for id in ids.shuffled(using: &rng).prefix(15) { try office.add(to: id, metric: "attendance", amount: Int64.random(in: 1...9, using: &rng)) }
        for id in ids.shuffled(using: &rng).prefix(8) { try office.delete(id) }
        for id in ids.shuffled(using: &rng).prefix(8) where try office.activity(id)?.deleted == false {
            try office.edit(id, ActivityEdit(date: "2023-0\(Int.random(in: 1...9, using: &rng))-15"))
        }
        return office
    }

    @Test(arguments: [nil, 1, 2, 3] as [Int?])
    func theAppsReportIsThePCs(quarter: Int?) throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let office = try office(lab, seed: 7 + UInt64(quarter ?? 0))
        let me = try office.identity()
        var page: PageReplica? = PageReplica(me: ReplicaID(bytes: Array(repeating: 9, count: 16))!, township: me.township,
                                             catalog: .standard, clock: .zero)
        let ops = try office.operations(of: me.replica, after: 0, limit: 1_000_000)
        #expect(try page?.take(ops, of: me.replica, township: me.township) == ops.count)
        var compared = 0
        for year in [2020, 2023] {
            let targets = try #require(try TargetsParser.builtIn(year: year, catalog: .standard))
            let pc = try ReportBuilder.build(targets, store: office, quarter: quarter)
            let request = JSONText.object([("call", .string("report")), ("targets", TargetsText.json(targets)),
                                           ("through", .int(Int64((quarter ?? 4) * 3)))]).text
            let answer = try JSONSerialization.jsonObject(with: Data(CoreCall.answer(Array(request.utf8), page: &page).utf8)) as? [String: Any]
            let projects = try #require(answer?["projects"] as? [[String: Any]], "\(String(describing: answer))")
            #expect(projects.count == pc.projects.count)
            for (mine, theirs) in zip(projects, pc.projects) {
                #expect(mine["key"] as? String == theirs.project.key)
                #expect(mine["activities"] as? Int64 == theirs.activities, "\(year) \(theirs.project.key)")
                #expect(mine["cost"] as? String == DecimalText.format(theirs.cost, places: 4))
                let indicators = mine["indicators"] as? [[String: Any]] ?? []
                #expect(indicators.count == theirs.indicators.count)
                for (row, result) in zip(indicators, theirs.indicators) {
                    let name = "\(year) \(theirs.project.key) \(result.indicator.name)"
                    #expect(row["name"] as? String == result.indicator.name)
                    #expect(row["actual"] as? String == result.actual.flatMap { DecimalText.format($0, places: 4) }
                            || (result.indicator.computation.isManual && row["actual"] is NSNull), "\(name)")
                    #expect(row["status"] as? String == result.status.rawValue || result.indicator.computation.isManual, "\(name)")
                    #expect(row["rate"] as? String == result.rate.flatMap { DecimalText.format($0, places: 1) }
                            || result.indicator.computation.isManual, "\(name)")
                    compared += result.indicator.computation.isManual ? 0 : 1
                }
                let spending = mine["spending"] as? [[String: Any]] ?? []
                #expect(spending.map { $0["month"] as? Int64 } == theirs.spending.map { Int64($0.month) })
                #expect(spending.map { $0["actual"] as? String } == theirs.spending.map { DecimalText.format($0.actual, places: 4) })
            }
        }
        #expect(compared == 15 + 26)
        // The report counts something: the seeded records meet some indicators and miss others.
        let office2023 = try ReportBuilder.build(try #require(try TargetsParser.builtIn(year: 2023, catalog: .standard)), store: office, quarter: quarter)
        #expect(office2023.projects.contains { $0.activities > 0 })
    }

    /// Targets as the hub serves them come back whole through the core's reader.
    @Test func targetsTravelAsTheyAre() throws {
        for year in TargetsParser.builtInYears {
            let targets = try #require(try TargetsParser.builtIn(year: year, catalog: .standard))
            let text = TargetsText.json(targets).text
            let back = try #require(TargetsText.targets(try JSONText.parse(Array(text.utf8))))
            #expect(back.year == targets.year && back.projects.count == targets.projects.count)
            for (a, b) in zip(back.projects, targets.projects) {
                #expect(a.key == b.key && a.kinds == b.kinds && a.budget == b.budget && a.activityProject == b.activityProject)
                #expect(a.plan == b.plan)
                #expect(a.indicators.map(\.name) == b.indicators.map(\.name))
                #expect(a.indicators.map(\.computation) == b.indicators.map(\.computation))
                #expect(a.indicators.map(\.target) == b.indicators.map(\.target))
                #expect(a.indicators.map(\.targetShown) == b.indicators.map(\.targetShown))
            }
        }
        #expect(TargetsText.targets(try JSONText.parse(Array(#"{"year":2023,"projects":[{"key":"x"}]}"#.utf8))) == nil)
        #expect(DecimalText.parse("0.5") == 0.5 && DecimalText.parse("-12") == -12 && DecimalText.parse("1e5") == nil && DecimalText.parse(".") == nil)
        #expect(DecimalText.format(0.125, places: 2) == "0.13" && DecimalText.format(2000) == "2000" && DecimalText.format(-0.0001, places: 2) == "0")
    }
}
