import Foundation
import Testing
import TestSupport

/// The mid-year 绩效运行监控表 from the same records (issue 30): months 1–N, the year's expected
/// value at the same pace, and how likely each target is met; in text, JSON and Excel.
@Suite struct MonitoringFormTests {
    @Test func theMonitoringFormRunsTheYearOnFromJuly() throws {
        let dir = TemporaryDirectory("monitoring")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("c.db")])
        try ktx.ok(["init", "--county"])
        try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪", "--attendance", "1200",
                    "--beneficiaries", "700", "--cost", "1000"])
        // After July: not in 1–7月.
        try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-08-10", "--title", "大棚蔬菜", "--attendance", "900"])
        let text = try ktx.ok(["report", "--year", "2023", "--form", "monitoring", "--through", "7", "--project", "rural", "--lang", "zh"])
        #expect(text.hasPrefix("项目支出绩效运行监控表（2023年1–7月）"))
        // 1200 in seven months runs on to 1200 × 12 / 7 = 2057 ≥ 2000: certain. 700 → 1200, short of
        // 1600 (80 % of 2000): unlikely. 0.1 万元 spent of 2: 5 %, 0.17 expected, 1.83 short.
        let lines = text.split(separator: "\n")
        let served = try #require(lines.first { $0.contains("科技服务人次") })
        #expect(served.contains("1,200人次") && served.contains("2,057人次") && served.hasSuffix("确定能"), "\(served)")
        let beneficiaries = try #require(lines.first { $0.contains("受益人口数") })
        #expect(beneficiaries.contains("700人") && beneficiaries.contains("1,200人") && beneficiaries.hasSuffix("完全不可能"))
        #expect(text.contains("0.10") && text.contains("5.0%") && text.contains("0.17") && text.contains("-1.83"))
        let json = try ktx.ok(["report", "--year", "2023", "--form", "monitoring", "--through", "12", "--project", "rural", "--format", "json"])
        #expect(json.contains("\"through_month\": 12") && json.contains("\"so_far\": 2100"))

        let file = dir.file("监控表.xlsx")
        try ktx.ok(["report", "--year", "2023", "--form", "monitoring", "--format", "xlsx", "--output", file])
        #expect(try ktx.ok(["verify", file, "--lang", "en"]).hasPrefix("verified: every figure matches this replica"))
        for bad in [["--through", "13"], ["--through", "七"], ["--quarter", "2"], ["--format", "csv"]] {
            let run = try ktx.run(["report", "--year", "2023", "--form", "monitoring"] + bad + ["--lang", "en"])
            #expect(run.status == 64, "\(bad)")
        }
        let elsewhere = try ktx.run(["report", "--year", "2023", "--through", "7", "--lang", "en"])
        #expect(elsewhere.status == 64 && elsewhere.stderr.contains("--through belongs to the monitoring form"))
    }
}
