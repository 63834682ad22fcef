import Foundation
import KtxSchema
import Reporting
import Testing
import TestSupport

/// The self-evaluation form scored by rules kept as data (`Schema/scoring/`): the national
/// default, and a county's own file; figures computed by hand from the 2023 科技下乡 table.
@Suite struct ScoringTests {
    @Test func theFormIsScoredByTheRulesGivenAndSaysWhatIsStillToWrite() throws {
        let dir = TemporaryDirectory("scoring")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("c.db")])
        try ktx.ok(["init", "--county"])
        try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪", "--attendance", "4200",
                    "--beneficiaries", "700", "--cost", "1000"])
        let form = ["report", "--year", "2023", "--form", "self-evaluation", "--project", "rural", "--lang", "zh"]
        // By hand: 执行率 0.1 / 2 = 5 % → 0.5 of 10; 科技服务人次 4200 ≥ 2000: 12.5; 特派员覆盖率 not
        // entered: 0; Q2 ≤ Q4: 12.5; 0.1 ≤ 0.5 万元: 12.5; 受益人口数 700 / 2000 = 35 % of 15: 5.25;
        // 推广 0 of 2: 0; 满意度 no survey: 0. 0.5 + 12.5 + 12.5 + 12.5 + 5.25 = 43.25.
        let national = try ktx.ok(form)
        #expect(national.contains("总分 100.00，自评得分 43.25，等级 差"), "\(national)")
        // 4200 is 210 % of 2000: 偏离 (national threshold 130 %, no points lost, a reason needed).
        #expect(national.contains("偏离（完成值远超指标值）：科技服务人次"))
        #expect(national.contains("须填写偏差原因分析的指标（ktx indicator note）：科技服务人次、受益人口数"))

        // A county's rules: 偏离 loses 10 % of its 分值: 12.5 → 11.25, total 42.
        let rules = dir.file("本县评分.yaml")
        try ktx.ok(["scoring", "show", "--example"]).write(toFile: rules, atomically: true, encoding: .utf8)
        #expect(try ktx.ok(["scoring", "check", rules, "--lang", "en"]).contains("execution under 60%: total at most 69"))
        #expect(try ktx.ok(form + ["--scoring", rules]).contains("总分 100.00，自评得分 42.00，等级 差"))
        // Written, the reason is no longer asked for.
        try ktx.ok(["indicator", "note", "--year", "2023", "--project", "rural", "--indicator", "科技服务人次", "集中开展大型培训"])
        #expect(!(try ktx.ok(form)).contains("须填写偏差原因分析的指标（ktx indicator note）：科技服务人次"))

        // The file is checked like a targets file: the line of the mistake, nothing else done.
        try "名称: 本县\n偏离:\n  阈值: 50\n".write(toFile: dir.file("bad.yaml"), atomically: true, encoding: .utf8)
        let bad = try ktx.run(["scoring", "check", dir.file("bad.yaml"), "--lang", "en"])
        #expect(bad.status == 64 && bad.stderr.contains("bad.yaml line 3: 阈值 must be a number from 100 to 1000"))
        let badForm = try ktx.run(form + ["--scoring", dir.file("bad.yaml")])
        #expect(badForm.status == 64)
        try "名称: 本县\n执行率封顶:\n  - 低于: 80\n    总分上限: 89\n  - 低于: 60\n    总分上限: 69\n".write(toFile: dir.file("order.yaml"), atomically: true, encoding: .utf8)
        #expect(try ktx.run(["scoring", "check", dir.file("order.yaml"), "--lang", "en"]).stderr.contains("line 5: 低于 must rise"))
    }

    /// A project that did nothing all year scores nothing on its cost indicator (it used to score
    /// full points for spending nothing), nor anything else.
    @Test func aProjectThatDidNothingScoresNoCostPoints() throws {
        let dir = TemporaryDirectory("scoring-idle")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("c.db")])
        try ktx.ok(["init", "--county"])
        let idle = try ktx.ok(["report", "--year", "2023", "--form", "self-evaluation", "--project", "rural", "--lang", "zh"])
        let cost = try #require(idle.split(separator: "\n").first { $0.contains("运行保障成本") })
        #expect(cost.split(separator: " ").last == "0.00", "\(cost)")
        #expect(idle.contains("总分 100.00，自评得分 0.00，等级 差"), "\(idle)")
    }

    /// The example rules' caps: the first band the execution rate is under caps the total.
    @Test func theExecutionRateCapsTheTotalByTheFirstBandItIsUnder() throws {
        let profile = try ScoringProfile.parse(KtxSchema.scoring[1].text, name: "example-caps.yaml")
        #expect([55.0, 60, 65, 75, 79.9, 80, 100].map { profile.cap(executionRate: $0) } == [69, 79, 79, 89, 89, nil, nil])
        #expect(profile.cap(executionRate: nil) == nil)
        #expect(ScoringProfile.national.caps.isEmpty && ScoringProfile.national.deviationAbove == 130)
    }
}
