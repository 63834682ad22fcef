import Foundation
import Testing
import TestSupport

/// `ktx report --form self-evaluation` and `ktx indicator note` through the binary: the
/// confirmations, the header, the county's notes in the form, the Excel file, and the
/// mistakes an official makes answered in one line that changes nothing.
@Suite struct SelfEvaluationCommandTests {
    let dir = TemporaryDirectory("self-evaluation")
    var ktx: KtxProcess { KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")]) }

    @Test func theCountyWritesItsNotesAndHandsInTheForm() throws {
        defer { dir.remove() }
        try ktx.ok(["init", "--county"])
        try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪技术培训", "--attendance", "1200",
                    "--beneficiaries", "900", "--cost", "4500"])
        #expect(try ktx.ok(["indicator", "note", "--year", "2023", "--project", "rural", "--indicator", "受益人口数",
                            "汛期停办两次，四季度补办", "--lang", "zh"])
            == "已填写偏差原因：科技下乡活动 · 受益人口数：汛期停办两次，四季度补办")
        #expect(try ktx.ok(["indicator", "note", "--year", "2023", "--project", "rural", "--indicator", "科技服务人次", " ", "--lang", "en"])
            == "notes cleared: rural · 科技服务人次")
        let slip = try ktx.run(["indicator", "note", "--year", "2023", "--project", "rural", "--indicator", "受益人口", "x", "--lang", "en"])
        #expect(slip.status != 0)
        #expect(slip.stderr.hasPrefix("ktx: project 'rural' has no indicator '受益人口' (did you mean '受益人口数'?): use one of "))

        let form = try ktx.ok(["report", "--year", "2023", "--project", "rural", "--form", "self-evaluation", "--filler", "张三",
                               "--phone", "0319-1234567", "--filled-on", "2024年1月15日", "--lang", "zh"]).split(separator: "\n").map(String.init)
        #expect(form[0] == "项目支出绩效自评表（2023年度）")
        #expect(form[1] == "填报单位：临西县科学技术协会本级    填报人：张三    联系电话：0319-1234567    填报日期：2024-01-15")
        #expect(form[2].hasPrefix("数据来源（本副本已收到的乡镇）：县科协（1 台电脑，最新数据 "))
        #expect(form.contains { $0.hasPrefix("效益指标    社会效益指标        受益人口数") && $0.hasSuffix("汛期停办两次，四季度补办") })
        // 0.45 of 2.00 万元: 22.5 %, 2.25 of 10; 1200 of 2000: 7.50 of 12.50; Q2 and 0.45 ≤ 0.5: 12.50 each;
        // 900 of 2000: 6.75 of 15; no 科技特派员覆盖率, techniques or survey: 0. 2.25 + 7.5 + 25 + 6.75 = 41.50.
        #expect(form.contains("年度资金总额            2.00        2.00        0.45  10.00   22.5%  2.25"))
        #expect(form.contains("总分 100.00，自评得分 41.50，等级 差"))
        #expect(form.contains("须填写偏差原因分析的指标（ktx indicator note）：科技服务人次、推广示范新品种、新技术、新成果、群众满意度"))
        #expect(form.last?.hasPrefix("数字摘要：") == true)

        try ktx.ok(["report", "--year", "2023", "--form", "self-evaluation", "--format", "xlsx", "--output", "自评表.xlsx"])
        let xlsx = try #require(FileManager.default.contents(atPath: dir.file("自评表.xlsx")))
        #expect(Array(xlsx.prefix(2)) == [0x50, 0x4B])   // a zip: PK
    }

    @Test func mistakesAreNamedAndNothingIsWritten() throws {
        defer { dir.remove() }
        try ktx.ok(["init", "--township", "县科协"])
        let cases: [([String], String)] = [
            (["--form", "self-evaluation", "--format", "xlsx"],
             "ktx: xlsx 是 Excel 文件，不能写到终端：请用 --output 文件名.xlsx\n"),
            (["--filler", "张三"], "ktx: --filler 只用于自评表：请加 --form self-evaluation\n"),
            (["--form", "self-evaluation", "--quarter", "2"], "ktx: 自评表是全年的：请去掉 --quarter\n"),
        ]
        for (arguments, message) in cases {
            let result = try ktx.run(["report", "--year", "2023", "--lang", "zh"] + arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr == message)
            #expect(result.stdout.isEmpty)
        }
        let en = try ktx.run(["report", "--year", "2023", "--format", "xlsx", "--lang", "en"])
        #expect(en.stderr == "ktx: xlsx is an Excel file, not text for the terminal: add --output FILE.xlsx\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".xlsx") }.isEmpty)
    }
}
