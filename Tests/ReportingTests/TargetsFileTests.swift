import Foundation
#if canImport(FoundationXML)
import FoundationXML
import KtxWords
#endif
import Reporting
import Store
import SyncCore
import Testing
import TestSupport

@Suite struct TargetsFileTests {
    @Test func theShippedTablesHoldEveryProjectAndIndicatorOfTheDocuments() throws {
        let t2023 = try #require(try TargetsParser.builtIn(year: 2023, catalog: .standard))
        #expect(t2023.projects.map(\.name).prefix(3) == ["科技下乡活动", "科技型中小企业培训", "青少年科技活动"])
        #expect(t2023.projects[3].name == "冀财教〔2022〕166号提前下达2023年支持市县科技创新和科学普及专项资金-流动科技馆运转经费")
        #expect(t2023.projects.map(\.code) == ["13053523P00000110073C", "13053523P00000110075K", "13053523P000001100740", "13053523P00000111132M"])
        #expect(t2023.projects.map(\.budget) == [2.00, 3.00, 1.40, 6.00])
        #expect(t2023.projects[3].plan.map(\.month) == [3, 6, 10, 12])
        #expect(t2023.projects[3].plan.map(\.amount) == [1.5, 3, 4.5, 6])
        #expect(t2023.projects.map(\.indicators.count) == [7, 7, 7, 7])
        let visitors = try #require(t2023.project(named: "museum")?.indicators.first { $0.name == "参观人数" })
        #expect(visitors.comparator == .atLeast && visitors.target == 5000 && visitors.unit == "人次")
        #expect(visitors.level1 == "效益指标" && visitors.level2 == "社会效益指标" && visitors.basis == "临科字【2016】8号")
        let damaged = try #require(t2023.project(named: "13053523P00000111132M")?.indicators.first { $0.name == "展品损坏数" })
        #expect(damaged.comparator == .atMost && damaged.target == 5 && damaged.computation == .sum("damaged"))

        let t2020 = try #require(try TargetsParser.builtIn(year: 2020, catalog: .standard))
        #expect(t2020.projects.map(\.key) == ["innovation", "award", "rural", "sme-training", "youth", "school-enterprise", "bearing"])
        #expect(t2020.projects.map(\.indicators.count) == [6, 7, 6, 7, 6, 6, 6])
        #expect(t2020.project(named: "科技下乡活动")?.indicators.first { $0.name == "科技服务次数" }?.target == 5)
    }

    /// A file with one mistake, and the line and words the message must carry.
    struct Broken: CustomTestStringConvertible, Sendable {
        var replace: String
        var with: String
        var line: Int
        var says: String
        var testDescription: String { says }
    }

    static let base = """
        年度: 2024
        项目:
          - 简称: rural
            项目名称: 科技下乡活动
            预算数: 2.00
            资金支出计划: {3月底: 0.50, 6月底: 1.00, 10月底: 1.50, 12月底: 2.00}
            活动类型: [科技下乡]
            指标:
              - 一级指标: 产出指标
                二级指标: 数量指标
                三级指标: 科技服务人次
                绩效指标描述: 科技服务人数
                指标值: ≥2000人次
                计算: {合计: 参加人次}
              - 一级指标: 满意度指标
                二级指标: 服务对象满意度指标
                三级指标: 群众满意度
                绩效指标描述: 满意度
                指标值: ≥95%
                计算: {比率: [满意人数, 调查人数]}
        """

    static let broken: [Broken] = [
        Broken(replace: "指标值: ≥2000人次", with: "指标值: 2000人次", line: 13, says: "comparator (≥ or ≤)"),
        Broken(replace: "指标值: ≥2000人次", with: "指标值: ≥2000元", line: 13, says: "a unit"),
        Broken(replace: "{合计: 参加人次}", with: "{合计: 参观人数}", line: 14, says: "unknown metric '参观人数'"),
        Broken(replace: "活动类型: [科技下乡]", with: "活动类型: [科技赶集]", line: 7, says: "unknown kind '科技赶集'"),
        Broken(replace: "三级指标: 群众满意度", with: "三级指标: 科技服务人次", line: 15, says: "repeats the one at line 9"),
        Broken(replace: "        计算: {比率: [满意人数, 调查人数]}", with: "        计算: 费用", line: 20, says: "a cost's target must be in 万元"),
        Broken(replace: "    预算数: 2.00", with: "    预算数: 1.00", line: 6, says: "exceeds the budget"),
        Broken(replace: "10月底: 1.50", with: "10月底: 0.40", line: 6, says: "cumulative"),
        Broken(replace: "    活动类型: [科技下乡]\n", with: "", line: 3, says: "missing 活动类型"),
        Broken(replace: "        绩效指标描述: 满意度", with: "        说明: 满意度", line: 18, says: "unknown key '说明'"),
        Broken(replace: "年度: 2024", with: "年度: 24", line: 1, says: "four digits"),
        Broken(replace: "      - 一级指标: 产出指标", with: "      - 一级指标: [产出指标", line: 10, says: "not valid YAML"),
        Broken(replace: "计算: {合计: 参加人次}", with: "计算: 平均", line: 14, says: "unknown computation '平均'"),
    ]

    /// With 活动项目编码 set, only activities recorded with that budget project code count;
    /// an indicator's own 活动类型 overrides the project's.
    @Test func aProjectCodeAndAnIndicatorsKindsNarrowWhatCounts() throws {
        let text = Self.base
            .replacingOccurrences(of: "    活动类型: [科技下乡]", with: "    活动类型: [科技下乡]\n    活动项目编码: P-7")
            .replacingOccurrences(of: "        计算: {比率: [满意人数, 调查人数]}", with: "        计算: {比率: [满意人数, 调查人数]}\n        活动类型: [科技培训]")
        let targets = try TargetsParser.parse(text, name: "2024.yaml", catalog: .standard)
        let lab = ReplicaLab()
        defer { lab.remove() }
        let store = try lab.replica("office", township: "河西镇")
        try store.record(ActivityDraft(kind: "科技下乡", date: "2024-05-01", title: "a", project: "P-7", quantities: ["attendance": 1500]))
        try store.record(ActivityDraft(kind: "科技下乡", date: "2024-05-02", title: "b", project: "P-8", quantities: ["attendance": 900]))
        try store.record(ActivityDraft(kind: "科技下乡", date: "2024-05-03", title: "c", quantities: ["attendance": 800]))
        try store.record(ActivityDraft(kind: "科技培训", date: "2024-06-01", title: "d", project: "P-7", quantities: ["surveyed": 10, "satisfied": 9]))
        try store.record(ActivityDraft(kind: "科技培训", date: "2024-06-02", title: "e", quantities: ["surveyed": 10, "satisfied": 1]))
        let p = try #require(try ReportBuilder.build(targets, store: store, quarter: nil).projects.first)
        #expect(p.indicators[0].actual == 1500)   // only P-7's 科技下乡
        #expect(p.indicators[1].actual == 90)     // only P-7's 科技培训: 9 / 10
        #expect(p.activities == 1)
    }

    @Test func theSampleIsWellFormed() throws {
        let t = try TargetsParser.parse(Self.base, name: "2024.yaml", catalog: .standard)
        #expect(t.year == 2024 && t.projects.count == 1 && t.projects[0].indicators.count == 2)
    }

    @Test(arguments: broken)
    func aMistakeIsNamedWithItsLine(_ b: Broken) throws {
        let text = Self.base.replacingOccurrences(of: b.replace, with: b.with)
        #expect(text != Self.base)
        do {
            _ = try TargetsParser.parse(text, name: "2024.yaml", catalog: .standard)
            Issue.record("accepted a file with a mistake: \(b.says)")
        } catch let error as KtxError {
            #expect(error.code == .badTargets)
            #expect(error.en.hasPrefix("2024.yaml line \(b.line): "), "\(error.en)")
            #expect(error.en.contains(b.says), "\(error.en)")
            #expect(error.zh.hasPrefix("2024.yaml 第 \(b.line) 行："), "\(error.zh)")
        }
    }
}

@Suite struct ReportFormatTests {
    /// The HTML page parses as XML (so as HTML), is self-contained (no external
    /// reference) and has one chart per project.
    @Test func theHTMLReportIsOneValidPageWithAChartPerProject() throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let store = try lab.replica("office", township: "河西镇")
        try store.record(ActivityDraft(kind: "科技下乡", date: "2023-05-20", title: "果树修剪 <培训> & “示范”",
                                       quantities: ["attendance": 1200, "surveyed": 10, "satisfied": 10]))
        try store.record(ActivityDraft(kind: "流动科技馆", date: "2023-07-01", title: "流动馆", quantities: ["attendance": 3000]))
        for year in [2020, 2023] {
            let targets = try #require(try TargetsParser.builtIn(year: year, catalog: .standard))
            for language in [Language.zh, .en] {
                let html = ReportRenderer(language: language).html(try ReportBuilder.build(targets, store: store, quarter: nil))
                let counter = ElementCounter()
                let parser = XMLParser(data: Data(html.utf8))
                parser.delegate = counter
                #expect(parser.parse(), "\(parser.parserError.map { String(describing: $0) } ?? "")")
                #expect(counter.counts["svg"] == targets.projects.count)
                #expect(counter.counts["section"] == targets.projects.count)
                #expect(counter.counts["style"] == 1)
                #expect(counter.counts["script"] == nil && counter.counts["link"] == nil && counter.counts["img"] == nil)
                #expect(html.hasPrefix("<!DOCTYPE html>"))
                #expect(html.contains("@page { size: A4"))
                #expect(html.components(separatedBy: "http").count - 1 == targets.projects.count) // only the SVG namespace
            }
        }
    }

    @Test func jsonAndCSVCarryTheSameFigures() throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let store = try lab.replica("office", township: "河西镇")
        try store.record(ActivityDraft(kind: "科技下乡", date: "2023-05-20", title: "t", quantities: ["attendance": 2500, "cost": 123_456]))
        let targets = try #require(try TargetsParser.builtIn(year: 2023, catalog: .standard))
        let report = try ReportBuilder.build(targets, store: store, quarter: 2, project: targets.project(named: "rural"))
        let r = ReportRenderer(language: .en)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.json(report).render().utf8)) as? [String: Any])
        #expect(json["as_of"] as? String == "2023-06-30" && json["quarter"] as? Int == 2)
        let project = try #require((json["projects"] as? [[String: Any]])?.first)
        let first = try #require((project["indicators"] as? [[String: Any]])?.first)
        #expect(first["name"] as? String == "科技服务人次" && first["actual"] as? Int == 2500 && first["status"] as? String == "met")
        #expect((project["spending"] as? [[String: Any]])?.count == 2) // 3月底 and 6月底 by the end of Q2
        let csv = r.csv(report).split(separator: "\n")
        #expect(csv.count == 1 + 7 + 2)
        #expect(csv[1] == "科技下乡活动,13053523P00000110073C,indicator,产出指标,数量指标,科技服务人次,≥2000,人次,2500,125.0,met")
        #expect(csv[9] == "科技下乡活动,13053523P00000110073C,spending,,,end of June,1.00,万元,0.1235,12.3,")
    }
}

final class ElementCounter: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        counts[elementName, default: 0] += 1
    }
}
