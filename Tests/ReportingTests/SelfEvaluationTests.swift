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
import ZIPFoundation

/// The year-end 项目支出绩效自评表 of every project table of both years, on the fixtures of
/// ``ProjectTableTests``, against 分值 and 得分 worked out by hand: 产出 50, 效益 (效果) 30,
/// 满意度 10 split evenly in each group; 得分 = 分值 × completion (at most 分值), to the
/// hundredth; 预算执行率 = cost ÷ budget, its 10 points scored the same way; the total adds
/// the figures shown.
@Suite struct SelfEvaluationTests {
    struct Expected: Sendable {
        /// `rate|score` of the budget execution (— without a budget).
        var execution: String
        /// `total|grade`.
        var total: String
        /// `indicator|分值|得分`, in the table's order.
        var indicators: [String]
    }

    static let expected: [String: Expected] = [
        // 0.45 / 2.00 = 22.5 % → 2.25; 88 / 90 × 12.5 = 12.22.
        "2023 rural": Expected(execution: "22.5%|2.25", total: "91.97|优", indicators: [
            "科技服务人次|12.50|12.50", "科技特派员覆盖率|12.50|12.22", "项目完成时间|12.50|12.50", "运行保障成本|12.50|12.50",
            "受益人口数|15.00|15.00", "推广示范新品种、新技术、新成果|15.00|15.00", "群众满意度|10.00|10.00"]),
        // 0.80 / 3.00 = 26.7 % → 2.67; 26.67 / 95 × 12.5 = 3.51; 0.75 / 0.80 × 12.5 = 11.72.
        "2023 sme-training": Expected(execution: "26.7%|2.67", total: "82.90|良", indicators: [
            "培训人员人次|12.50|12.50", "项目完成时间|12.50|12.50", "按预算资金完成率|12.50|3.51", "培训成本|12.50|11.72",
            "受益总人数|15.00|15.00", "参加培训企业数量|15.00|15.00", "企业满意度|10.00|10.00"]),
        "2023 youth": Expected(execution: "32.1%|3.21", total: "93.21|优", indicators: [
            "科普活动开展次数|12.50|12.50", "受益学校数|12.50|12.50", "项目完成时间|12.50|12.50", "控制成本|12.50|12.50",
            "覆盖人数|15.00|15.00", "受益人数|15.00|15.00", "服务对象满意度|10.00|10.00"]),
        // 5 / 7 × 12.5 = 8.93; 1.5 / 1.6 × 12.5 = 11.72; 4900 / 5000 × 15 = 14.70; 设备运行率 not entered: 0.
        "2023 museum": Expected(execution: "41.7%|4.17", total: "74.52|中", indicators: [
            "设备数量|12.50|12.50", "展品损坏数|12.50|8.93", "项目完成时间|12.50|12.50", "项目运行成本|12.50|11.72",
            "参观人数|15.00|14.70", "设备运行率|15.00|0.00", "参与人员满意度|10.00|10.00"]),
        // 2020 tables have no 预算数: the execution rate is not scored (—) and the indicators
        // share the 100 points: each group's weight × 100 / 90. 85 / 90 × 16.67 = 15.74.
        "2020 innovation": Expected(execution: "—|—", total: "76.86|中", indicators: [
            "开发应用新产品、新技术、新品种数量|27.78|27.78", "开发应用新技术、新产品|27.78|27.78", "新技术应用率|16.67|15.74",
            "应用创新方法解决企业技术或管理难题数|16.67|0.00", "受训学员满意度|5.56|5.56", "群众满意度|5.56|0.00"]),
        // Three 产出 indicators: 50 × 100 / 90 / 3 = 18.52 each.
        "2020 award": Expected(execution: "—|—", total: "18.52|差", indicators: [
            "产业技术创新成果获奖比（%）|18.52|0.00", "获得奖励数（个）|18.52|18.52",
            "破解创新能力瓶颈，鼓励、引导和支持企业科技进步和自主创新活动，激励创新创业社会文化|18.52|0.00",
            "生产效率提高率（％）|16.67|0.00", "新技术应用率（%）|16.67|0.00", "服务对象满意度|5.56|0.00", "群众满意度|5.56|0.00"]),
        // 4 / 5 × 18.52 = 14.81.
        "2020 rural": Expected(execution: "—|—", total: "96.30|优", indicators: [
            "科技服务人次|18.52|18.52", "科技服务次数|18.52|14.81", "推广示范新品种、新技术、新成果数量|18.52|18.52",
            "受益人口数|16.67|16.67", "引进科技人才|16.67|16.67", "群众满意度|11.11|11.11"]),
        // 5.5 / 6 × 33.33 = 30.56; 86 / 135 × 5.56 = 3.54.
        "2020 sme-training": Expected(execution: "—|—", total: "95.22|优", indicators: [
            "培训次数|13.89|13.89", "培训参加人数|13.89|13.89", "科技型企业新增数|13.89|13.89", "受益人数|13.89|13.89",
            "人才增长率|33.33|30.56", "服务对象满意度|5.56|5.56", "受益人口满意度|5.56|3.54"]),
        // 1.4 / 1.5 × 13.89 = 12.96.
        "2020 youth": Expected(execution: "—|—", total: "87.96|良", indicators: [
            "科普活动和科技竞赛开展次数|13.89|13.89", "科普活动和科技竞赛参与人次|13.89|13.89", "科普活动和科技竞赛控制成本|13.89|12.96",
            "受益人数|13.89|13.89", "科普活动参与者满意度|33.33|33.33", "科普公共服务平台用户满意度|11.11|0.00"]),
        // 2 / 3 × 13.89 = 9.26.
        "2020 school-enterprise": Expected(execution: "—|—", total: "23.15|差", indicators: [
            "科技人才引进培养的数量|13.89|0.00", "高技能人才培训完成人次|13.89|9.26", "校企合作财政投入|13.89|13.89",
            "科技成果转化|13.89|0.00", "高层次科技人才增长率|33.33|0.00", "服务对象满意率|11.11|0.00"]),
        "2020 bearing": Expected(execution: "—|—", total: "47.22|差", indicators: [
            "科学技术开发成果数量|13.89|0.00", "科学技术投入成本|13.89|13.89", "开发应用新产品数量|13.89|0.00",
            "提出新研究系统理论观点数量|13.89|0.00", "解决企业技术管理难题数|33.33|33.33", "网络评估满意率|11.11|0.00"]),
    ]

    func form(_ c: ProjectTableTests.Case, in lab: ReplicaLab) throws -> SelfEvaluation {
        let store = try lab.replica("office", township: "县科协")
        try ProjectTableTests.record(c.activities, manual: c.manual, year: c.year, project: c.project, into: store)
        let targets = try #require(try TargetsParser.builtIn(year: c.year, catalog: .standard))
        return try SelfEvaluation.build(targets, store: store, project: targets.project(named: c.project),
                                        filing: .init(unit: targets.unit, filler: "张三", phone: "0319-1234567", date: "2024-01-15"))
    }

    @Test(arguments: ProjectTableTests.cases)
    func theFormMatchesTheScoresWorkedOutByHand(_ c: ProjectTableTests.Case) throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let want = try #require(Self.expected[c.testDescription])
        let p = try #require(try form(c, in: lab).projects.first)
        let r = ReportRenderer(language: .zh)
        #expect("\(p.executionRate.map { String(format: "%.1f%%", $0) } ?? "—")|\(p.executionScore.map(r.points) ?? "—")" == want.execution)
        #expect("\(r.points(p.total))|\(p.grade.name(.zh))" == want.total)
        #expect(p.indicators.map { "\($0.result.indicator.name)|\(r.points($0.points))|\(r.points($0.score))" } == want.indicators)
        // Every table's points total 100, with the budget execution's 10 where it is scored.
        #expect(abs(p.indicators.reduce(p.executionPoints ?? 0) { $0 + $1.points } - 100) < 1e-9)
    }

    /// The 2020 document gives only the department's 项目支出 (626.4 万元), no budget per
    /// project: the form of all projects prints it beside the spending recorded, and each
    /// project says its execution rate is not scored.
    @Test func the2020FormCarriesTheDepartmentsBudgetAndLeavesTheRateUnscored() throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let store = try lab.replica("office", township: "县科协")
        let targets = try #require(try TargetsParser.builtIn(year: 2020, catalog: .standard))
        #expect(targets.projectSpending == 626.4)
        let form = try SelfEvaluation.build(targets, store: store, filing: .init(unit: targets.unit, date: "2021-01-15"))
        #expect(form.projectSpending == 626.4 && form.projects.allSatisfy { $0.executionScore == nil && $0.executionPoints == nil })
        let text = ReportRenderer(language: .zh).table(form)
        #expect(text.contains("部门项目支出预算 626.40 万元（目标表未列各项目预算数）；各项目已记录支出合计 0.00 万元"), "\(text.prefix(600))")
        #expect(text.contains("目标表未列本项目预算数：预算执行率不评分，绩效指标分值按 100 分折算"))
        // One project's form is not the department's: no department line.
        let one = try SelfEvaluation.build(targets, store: store, project: targets.project(named: "rural"), filing: .init(date: "2021-01-15"))
        #expect(!ReportRenderer(language: .zh).table(one).contains("部门项目支出预算"))
    }

    @Test func everyProjectHasAnExpectedForm() {
        #expect(Set(ProjectTableTests.cases.map(\.testDescription)) == Set(Self.expected.keys))
    }

    /// The printed form: one page per project, each with the header, page numbers at the foot.
    @Test func theHTMLFormIsAPagePerProjectWithPageNumbers() throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let store = try lab.replica("county", township: "县科协", role: .county)
        try store.setIndicatorNote(IndicatorKey(year: 2023, project: "rural", indicator: "受益人口数"), text: "汛期停办两次\n<四季度补办>")
        let targets = try #require(try TargetsParser.builtIn(year: 2023, catalog: .standard))
        let form = try SelfEvaluation.build(targets, store: store, filing: .init(unit: targets.unit, date: "2024-01-15"))
        let html = ReportRenderer(language: .zh).html(form)
        #expect(html.components(separatedBy: "<section>").count - 1 == targets.projects.count)
        #expect(html.components(separatedBy: "<h1>项目支出绩效自评表（2023年度）</h1>").count - 1 == targets.projects.count)
        #expect(html.contains("@bottom-center { content: \"第 \" counter(page) \" 页，共 \" counter(pages) \" 页\""))
        #expect(html.contains("<td>汛期停办两次<br />&lt;四季度补办&gt;</td>"))
        // Well-formed XML, so any parser reads it.
        let counter = ElementCounter()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = counter
        #expect(parser.parse(), "\(parser.parserError.map { String(describing: $0) } ?? "")")
        #expect(counter.counts["section"] == targets.projects.count)
        #expect(counter.counts["script"] == nil && counter.counts["link"] == nil && counter.counts["img"] == nil)
    }

    @Test func gradesFollowTheUsualBands() {
        #expect([90, 89.99, 80, 79.99, 60, 59.99, 100, 0].map { Grade($0).name(.zh) } == ["优", "良", "良", "中", "中", "差", "优", "差"])
    }

    /// The Excel file read back cell by cell: the header, the funds, every indicator row
    /// with numbers as numbers, the total; merged title; page numbers in the footer.
    @Test func theWorkbookHoldsTheFormCellByCell() throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let c = try #require(ProjectTableTests.cases.first { $0.testDescription == "2023 rural" })
        let book = ReportRenderer(language: .zh).workbook(try form(c, in: lab))
        let archive = try Archive(data: try book.data(), accessMode: .read)
        func part(_ path: String) throws -> String {
            let entry = try #require(archive[path])
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            return String(decoding: data, as: UTF8.self)
        }
        for path in ["[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"] {
            #expect(archive[path] != nil, "\(path)")
        }
        #expect(try part("xl/workbook.xml").contains("<sheet name=\"科技下乡活动\" sheetId=\"1\" r:id=\"rId1\"/>"))
        // The indicator table's header row prints again atop every later page of the sheet.
        #expect(try part("xl/workbook.xml").contains("<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"0\">&apos;科技下乡活动&apos;!$14:$14</definedName>"))
        let sheet = try part("xl/worksheets/sheet1.xml")
        let cells = try SheetCells(sheet)
        #expect(cells["A1"] == "项目支出绩效自评表（2023年度）")
        #expect(cells["A2"] == "填报单位：临西县科学技术协会本级    填报人：张三    联系电话：0319-1234567    填报日期：2024-01-15")
        #expect(cells["B4"] == "科技下乡活动")
        #expect(cells["B5"] == "13053523P00000110073C")
        #expect(cells["A6"] == "主管部门" && cells["B6"] == "临西县科学技术协会" && cells["E6"] == "实施单位" && cells["F6"] == "临西县科学技术协会本级")
        #expect((1...7).map { cells["\(Workbook.column($0 - 1))7"] } == ["项目资金（万元）", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"])
        #expect((2...7).map { cells["\(Workbook.column($0 - 1))8"] } == ["2", "2", "0.45", "10", "22.5", "2.25"])
        #expect(cells["A9"] == "其中：当年财政拨款" && cells["A10"] == "上年结转资金" && cells["A11"] == "其他资金")
        #expect(cells["B13"]?.hasPrefix("大力实施农民科学素质行动") == true)
        #expect(cells["E13"] == "开展活动 2 次，支出 0.45 万元；7 项指标中 6 项达标")
        #expect((1...9).map { cells["\(Workbook.column($0 - 1))14"] } == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "达标情况", "分值", "得分", "偏差原因分析及改进措施"])
        #expect((1...8).map { cells["\(Workbook.column($0 - 1))15"] } == ["产出指标", "数量指标", "科技服务人次", "≥2,000人次", "2100", "达标", "12.5", "12.5"])
        #expect((3...8).map { cells["\(Workbook.column($0 - 1))16"] } == ["科技特派员覆盖率", "≥90%", "88", "未达标", "12.5", "12.22"])
        #expect(cells["A22"] == "总分" && cells["G22"] == "100" && cells["H22"] == "91.97" && cells["I22"] == "等级：优")
        #expect(sheet.contains("<mergeCell ref=\"A1:I1\"/>"))
        #expect(sheet.contains("<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>"))
        #expect(sheet.contains("paperSize=\"9\""))
    }
}

/// The cells of a worksheet part written with inline strings: reference → text or number.
struct SheetCells {
    var values: [String: String] = [:]

    init(_ xml: String) throws {
        let pattern = try NSRegularExpression(pattern: "<c r=\"([A-Z]+[0-9]+)\" s=\"[0-9]+\"(?: t=\"inlineStr\"><is><t xml:space=\"preserve\">(.*?)</t></is></c>|><v>(.*?)</v></c>|/>)")
        let ns = xml as NSString
        for m in pattern.matches(in: xml, range: NSRange(location: 0, length: ns.length)) {
            let ref = ns.substring(with: m.range(at: 1))
            if m.range(at: 2).location != NSNotFound {
                values[ref] = ns.substring(with: m.range(at: 2)).replacingOccurrences(of: "&amp;", with: "&")
                    .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            } else if m.range(at: 3).location != NSNotFound {
                values[ref] = ns.substring(with: m.range(at: 3))
            }
        }
    }

    subscript(_ ref: String) -> String? { values[ref] }
}

/// A form read back (`ktx verify`) is read whole or refused: a sheet that is not well-formed
/// XML is a damaged file, never a form with no cells.
@Suite struct XLSXReadBackTests {
    @Test func aDamagedSheetIsRefusedNotReadAsEmpty() throws {
        let dir = TemporaryDirectory("xlsx-read")
        defer { dir.remove() }
        var sheet = Workbook.Sheet(name: "表")
        sheet.append([.text("项目"), .number(12.5)])
        var book = Workbook()
        book.sheets = [sheet]
        let good = URL(fileURLWithPath: dir.file("good.xlsx"))
        try book.data().write(to: good)
        #expect(try XLSXFile(contentsOf: good).sheets.first?["B1"] == "12.5")

        let bad = URL(fileURLWithPath: dir.file("bad.xlsx"))
        try FileManager.default.copyItem(at: good, to: bad)
        let archive = try Archive(url: bad, accessMode: .update)
        try archive.remove(try #require(archive["xl/worksheets/sheet1.xml"]))
        let broken = Data("<worksheet><sheetData><row><c r=\"A1\"".utf8)
        try archive.addEntry(with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(broken.count)) { position, size in
            broken.subdata(in: Int(position)..<Int(position) + size)
        }
        #expect { try XLSXFile(contentsOf: bad) } throws: { ($0 as? KtxError)?.en.contains("is damaged: its xl/worksheets/sheet1.xml cannot be read") == true }
    }
}
