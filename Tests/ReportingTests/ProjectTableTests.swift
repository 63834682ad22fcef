import Foundation
import Reporting
import Store
import SyncCore
import Testing
import TestSupport

/// One test per project table of the 2020 and 2023 budget documents: a fixture of
/// recorded activities (with some that must not count: another kind, another year, a
/// deleted one) and the expected report, worked out by hand from the table and the fixture.
@Suite struct ProjectTableTests {
    /// An activity of a fixture; quantities as typed (`cost` in yuan).
    struct A {
        var kind: String
        var date: String
        var q: [String: String] = [:]
        var deleted = false
    }

    /// A project's fixture and its expected rows, `name|actual|rate|result` and
    /// `checkpoint|plan|actual|rate`, as the Chinese report prints them.
    struct Case: CustomTestStringConvertible, Sendable {
        var year: Int
        var project: String
        var activities: [A] = []
        var manual: [String: String] = [:]
        var indicators: [String]
        var spending: [String]
        var testDescription: String { "\(year) \(project)" }
    }

    static let cases: [Case] = [
        // 2023 科技下乡活动: ≥2000人次, ≥90% (manual), ≤4季度, ≤0.5万元, ≥2000人, ≥2个, ≥95%.
        Case(year: 2023, project: "rural",
             activities: [
                A(kind: "科技下乡", date: "2023-03-10", q: ["attendance": "1200", "beneficiaries": "1500", "techniques": "1", "surveyed": "100", "satisfied": "97", "cost": "2000"]),
                A(kind: "科技下乡", date: "2023-08-10", q: ["attendance": "900", "beneficiaries": "600", "techniques": "1", "surveyed": "50", "satisfied": "48", "cost": "2500"]),
                A(kind: "科技下乡", date: "2023-11-05", q: ["attendance": "100", "cost": "9000"], deleted: true),
                A(kind: "科技下乡", date: "2022-12-30", q: ["attendance": "5000"]),
                A(kind: "科技培训", date: "2023-06-01", q: ["attendance": "300"]),
             ],
             manual: ["科技特派员覆盖率": "88"],
             indicators: [
                "科技服务人次|2,100人次|105.0%|达标",        // 1200 + 900
                "科技特派员覆盖率|88.0%|97.8%|未达标",      // 88 / 90
                "项目完成时间|3季度|100.0%|达标",           // last activity in August
                "运行保障成本|0.45万元|100.0%|达标",        // 4500 yuan
                "受益人口数|2,100人|105.0%|达标",
                "推广示范新品种、新技术、新成果|2个|100.0%|达标",
                "群众满意度|96.7%|101.8%|达标",             // 145 / 150 = 96.67 %, / 95
             ],
             spending: ["3月底|0.50|0.20|40.0%", "6月底|1.00|0.20|20.0%", "10月底|1.50|0.45|30.0%", "12月底|2.00|0.45|22.5%"]),
        // 2023 科技型中小企业培训: ≥200人次, ≤4季度, ≥95% budget, ≤0.75万元, ≥150人, ≥20家, ≥95%.
        Case(year: 2023, project: "sme-training",
             activities: [
                A(kind: "科技培训", date: "2023-04-12", q: ["attendance": "120", "beneficiaries": "90", "enterprises": "12", "surveyed": "40", "satisfied": "37", "cost": "3000"]),
                A(kind: "科技培训", date: "2023-10-20", q: ["attendance": "90", "beneficiaries": "70", "enterprises": "9", "surveyed": "30", "satisfied": "30", "cost": "5000"]),
                A(kind: "科技下乡", date: "2023-05-01", q: ["attendance": "999", "cost": "999"]),
             ],
             indicators: [
                "培训人员人次|210人次|105.0%|达标",
                "项目完成时间|4季度|100.0%|达标",           // October
                "按预算资金完成率|26.7%|28.1%|未达标",      // 0.8 / 3.00 = 26.67 %, / 95
                "培训成本|0.80万元|93.8%|未达标",           // over the 0.75 ceiling: 0.75 / 0.80
                "受益总人数|160人|106.7%|达标",
                "参加培训企业数量|21家|105.0%|达标",
                "企业满意度|95.7%|100.8%|达标",             // 67 / 70
             ],
             spending: ["3月底|0.75|0.00|0.0%", "6月底|1.50|0.30|20.0%", "10月底|2.25|0.80|35.6%", "12月底|3.00|0.80|26.7%"]),
        // 2023 青少年科技活动: ≥2次, ≥2个, ≤4季度, ≤0.35万元 per quarter, ≥2000人次, ≥1800人, ≥90%.
        Case(year: 2023, project: "youth",
             activities: [
                A(kind: "科技活动周", date: "2023-05-20", q: ["attendance": "800", "beneficiaries": "700", "schools": "1", "surveyed": "60", "satisfied": "55", "cost": "1500"]),
                A(kind: "青少年科普日", date: "2023-09-15", q: ["attendance": "1300", "beneficiaries": "1200", "schools": "2", "surveyed": "40", "satisfied": "36", "cost": "2000"]),
                A(kind: "青少年科普日", date: "2023-09-20", q: ["cost": "1000"]),
                A(kind: "全国科普日", date: "2023-09-16", q: ["attendance": "4000"]),
             ],
             indicators: [
                "科普活动开展次数|3次|150.0%|达标",
                "受益学校数|3个|150.0%|达标",
                "项目完成时间|3季度|100.0%|达标",
                "控制成本|0.30万元|100.0%|达标",            // Q2 0.15, Q3 0.30: the larger
                "覆盖人数|2,100人次|105.0%|达标",
                "受益人数|1,900人|105.6%|达标",
                "服务对象满意度|91.0%|101.1%|达标",         // 91 / 100
             ],
             spending: ["3月底|0.35|0.00|0.0%", "6月底|0.70|0.15|21.4%", "10月底|1.05|0.45|42.9%", "12月底|1.40|0.45|32.1%"]),
        // 2023 流动科技馆: ≥50台 (largest on show), ≤5个 damaged, ≤4季度, ≤1.5万元 per quarter,
        // ≥5000人次, ≥95% running (manual, not entered), ≥95% satisfied.
        Case(year: 2023, project: "museum",
             activities: [
                A(kind: "流动科技馆", date: "2023-02-15", q: ["attendance": "2000", "exhibits": "48", "damaged": "2", "surveyed": "200", "satisfied": "188", "cost": "9000"]),
                A(kind: "流动科技馆", date: "2023-05-10", q: ["attendance": "2500", "exhibits": "52", "damaged": "2", "surveyed": "100", "satisfied": "97", "cost": "16000"]),
                A(kind: "流动科技馆", date: "2023-06-20", q: ["attendance": "400", "exhibits": "50", "damaged": "3"]),
             ],
             indicators: [
                "设备数量|52台|104.0%|达标",
                "展品损坏数|7个|71.4%|未达标",              // 5 / 7
                "项目完成时间|2季度|100.0%|达标",
                "项目运行成本|1.60万元|93.8%|未达标",       // Q1 0.90, Q2 1.60 > 1.5
                "参观人数|4,900人次|98.0%|未达标",
                "设备运行率|—|—|待填报",
                "参与人员满意度|95.0%|100.0%|达标",         // 285 / 300, exactly at the target
             ],
             spending: ["3月底|1.50|0.90|60.0%", "6月底|3.00|2.50|83.3%", "10月底|4.50|2.50|55.6%", "12月底|6.00|2.50|41.7%"]),
        // 2020 县域创新跃升计划: every indicator entered by hand.
        Case(year: 2020, project: "innovation",
             manual: ["开发应用新产品、新技术、新品种数量": "2", "开发应用新技术、新产品": "1", "新技术应用率": "85", "受训学员满意度": "96"],
             indicators: [
                "开发应用新产品、新技术、新品种数量|2个|200.0%|达标",
                "开发应用新技术、新产品|1个|100.0%|达标",
                "新技术应用率|85.0%|94.4%|未达标",
                "应用创新方法解决企业技术或管理难题数|—|—|待填报",
                "受训学员满意度|96.0%|101.1%|达标",
                "群众满意度|—|—|待填报",
             ],
             spending: ["3月底|—|0.00|—", "6月底|—|0.00|—", "9月底|—|0.00|—", "12月底|—|0.00|—"]),
        // 2020 科技创新奖励: one value entered, the rest waiting.
        Case(year: 2020, project: "award",
             manual: ["获得奖励数（个）": "5"],
             indicators: [
                "产业技术创新成果获奖比（%）|—|—|待填报",
                "获得奖励数（个）|5个|100.0%|达标",
                "破解创新能力瓶颈，鼓励、引导和支持企业科技进步和自主创新活动，激励创新创业社会文化|—|—|待填报",
                "生产效率提高率（％）|—|—|待填报",
                "新技术应用率（%）|—|—|待填报",
                "服务对象满意度|—|—|待填报",
                "群众满意度|—|—|待填报",
             ],
             spending: ["3月底|—|0.00|—", "6月底|—|0.00|—", "9月底|—|0.00|—", "12月底|—|0.00|—"]),
        // 2020 科技下乡活动: ≥2000人次, ≥5次, ≥2个, ≥2000人, ≥3人 (manual), ≥95%. No budget in the table.
        Case(year: 2020, project: "rural",
             activities: [
                A(kind: "科技下乡", date: "2020-04-01", q: ["attendance": "700", "beneficiaries": "800", "techniques": "1", "surveyed": "20", "satisfied": "19", "cost": "1000"]),
                A(kind: "科技下乡", date: "2020-06-11", q: ["attendance": "600", "beneficiaries": "500"]),
                A(kind: "科技下乡", date: "2020-07-21", q: ["attendance": "500", "beneficiaries": "400", "techniques": "2", "surveyed": "30", "satisfied": "29"]),
                A(kind: "科技下乡", date: "2020-10-02", q: ["attendance": "300", "beneficiaries": "400"]),
                A(kind: "科技下乡", date: "2023-10-02", q: ["attendance": "300"]),
             ],
             manual: ["引进科技人才": "3"],
             indicators: [
                "科技服务人次|2,100人次|105.0%|达标",
                "科技服务次数|4次|80.0%|未达标",
                "推广示范新品种、新技术、新成果数量|3个|150.0%|达标",
                "受益人口数|2,100人|105.0%|达标",
                "引进科技人才|3人|100.0%|达标",
                "群众满意度|96.0%|101.1%|达标",            // 48 / 50
             ],
             spending: ["3月底|—|0.00|—", "6月底|—|0.10|—", "9月底|—|0.10|—", "12月底|—|0.10|—"]),
        // 2020 科技型中小企业培训: ≥2次, ≥200人次, ≥60家 (manual), ≥150人, ≥6% (manual), ≥95%, ≥135人 satisfied.
        Case(year: 2020, project: "sme-training",
             activities: [
                A(kind: "科技培训", date: "2020-05-08", q: ["attendance": "150", "beneficiaries": "100", "surveyed": "50", "satisfied": "48"]),
                A(kind: "科技培训", date: "2020-11-18", q: ["attendance": "60", "beneficiaries": "60", "surveyed": "40", "satisfied": "38"]),
             ],
             manual: ["科技型企业新增数": "62", "人才增长率": "5.5"],
             indicators: [
                "培训次数|2次|100.0%|达标",
                "培训参加人数|210人次|105.0%|达标",
                "科技型企业新增数|62家|103.3%|达标",
                "受益人数|160人|106.7%|达标",
                "人才增长率|5.5%|91.7%|未达标",
                "服务对象满意度|95.6%|100.6%|达标",        // 86 / 90
                "受益人口满意度|86人|63.7%|未达标",         // 86 satisfied against 135
             ],
             spending: ["3月底|—|0.00|—", "6月底|—|0.00|—", "9月底|—|0.00|—", "12月底|—|0.00|—"]),
        // 2020 青少年科技活动: ≥2次, ≥2000人次, ≤1.4万元, ≥1800人, ≥90%, ≥90% (manual).
        Case(year: 2020, project: "youth",
             activities: [
                A(kind: "科技活动周", date: "2020-05-17", q: ["attendance": "1200", "beneficiaries": "1000", "surveyed": "80", "satisfied": "70", "cost": "6000"]),
                A(kind: "青少年科普日", date: "2020-09-19", q: ["attendance": "900", "beneficiaries": "850", "surveyed": "20", "satisfied": "20", "cost": "9000"]),
                A(kind: "全国科普日", date: "2020-09-19", q: ["attendance": "5000"]),
             ],
             indicators: [
                "科普活动和科技竞赛开展次数|2次|100.0%|达标",
                "科普活动和科技竞赛参与人次|2,100人次|105.0%|达标",
                "科普活动和科技竞赛控制成本|1.50万元|93.3%|未达标",
                "受益人数|1,850人|102.8%|达标",
                "科普活动参与者满意度|90.0%|100.0%|达标",
                "科普公共服务平台用户满意度|—|—|待填报",
             ],
             spending: ["3月底|—|0.00|—", "6月底|—|0.60|—", "9月底|—|1.50|—", "12月底|—|1.50|—"]),
        // 2020 县校企合作基金: a ceiling entered by hand, and a shortfall.
        Case(year: 2020, project: "school-enterprise",
             manual: ["校企合作财政投入": "18", "高技能人才培训完成人次": "2"],
             indicators: [
                "科技人才引进培养的数量|—|—|待填报",
                "高技能人才培训完成人次|2人次|66.7%|未达标",
                "校企合作财政投入|18.00万元|100.0%|达标",
                "科技成果转化|—|—|待填报",
                "高层次科技人才增长率|—|—|待填报",
                "服务对象满意率|—|—|待填报",
             ],
             spending: ["3月底|—|0.00|—", "6月底|—|0.00|—", "9月底|—|0.00|—", "12月底|—|0.00|—"]),
        // 2020 轴承研究院科技创新: a cost with a floor (≥240万元).
        Case(year: 2020, project: "bearing",
             manual: ["科学技术投入成本": "250", "解决企业技术管理难题数": "5"],
             indicators: [
                "科学技术开发成果数量|—|—|待填报",
                "科学技术投入成本|250.00万元|104.2%|达标",
                "开发应用新产品数量|—|—|待填报",
                "提出新研究系统理论观点数量|—|—|待填报",
                "解决企业技术管理难题数|5项|100.0%|达标",
                "网络评估满意率|—|—|待填报",
             ],
             spending: ["3月底|—|0.00|—", "6月底|—|0.00|—", "9月底|—|0.00|—", "12月底|—|0.00|—"]),
    ]

    @Test func everyProjectTableOfBothYearsHasAFixture() throws {
        for year in [2020, 2023] {
            let targets = try #require(try TargetsParser.builtIn(year: year, catalog: .standard))
            let covered = Set(Self.cases.filter { $0.year == year }.map(\.project))
            #expect(covered == Set(targets.projects.map(\.key)), "year \(year)")
            for project in targets.projects {
                let c = try #require(Self.cases.first { $0.year == year && $0.project == project.key })
                #expect(c.indicators.map { String($0.split(separator: "|")[0]) } == project.indicators.map(\.name))
            }
        }
    }

    @Test(arguments: cases)
    func theReportMatchesTheTableWorkedOutByHand(_ c: Case) throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let store = try lab.replica("office", township: "县科协", role: .county)
        try Self.record(c.activities, manual: c.manual, year: c.year, project: c.project, into: store)
        let targets = try #require(try TargetsParser.builtIn(year: c.year, catalog: .standard))
        let project = try #require(targets.project(named: c.project))
        let report = try ReportBuilder.build(targets, store: store, quarter: nil, project: project)
        let r = ReportRenderer(language: .zh)
        let p = try #require(report.projects.first)
        let rows = p.indicators.map { (x: IndicatorResult) -> String in
            [x.indicator.name, x.actual.map { r.value($0, unit: x.indicator.unit) } ?? "—",
             x.rate.map { String(format: "%.1f%%", $0) } ?? "—", r.status(x.status)].joined(separator: "|")
        }
        #expect(rows == c.indicators)
        let spending = p.spending.map {
            [r.checkpoint($0.month), $0.plan.map(r.wan) ?? "—", r.wan($0.actual), $0.rate.map { String(format: "%.1f%%", $0) } ?? "—"]
                .joined(separator: "|")
        }
        #expect(spending == c.spending)
    }

    /// Records a fixture; manual values through the same call as `ktx indicator set`.
    static func record(_ activities: [A], manual: [String: String], year: Int, project: String, into store: Store) throws {
        for a in activities {
            var quantities: [String: Int64] = [:]
            for (code, text) in a.q {
                let metric = try #require(store.catalog.metric(code: code))
                let value = try #require(metric.parse(text))
                quantities[code] = value
            }
            let id = try store.record(ActivityDraft(kind: a.kind, date: a.date, title: "\(a.kind) \(a.date)", quantities: quantities))
            if a.deleted { try store.delete(id) }
        }
        for (name, value) in manual {
            try store.setIndicator(IndicatorKey(year: year, project: project, indicator: name), value: value)
        }
    }
}
