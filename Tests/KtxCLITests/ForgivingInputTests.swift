import Foundation
import Testing
import TestSupport

/// Input a clerk really types is taken; what cannot be a day, an amount or a kind says
/// exactly why, in Chinese as in English.
@Suite struct ForgivingInputTests {
    @Test func datesAndAmountsAsClerksTypeThemAreTaken() throws {
        let dir = TemporaryDirectory("forgiving")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        for (date, attendance) in [("2023/5/20", "120"), ("2023-5-20", "１２０"), ("2023年5月20日", "1,200"), ("２０２３－０５－２０", "１，２００")] {
            let result = try ktx.run(["record", "--kind", "科技下乡", "--date", date, "--title", "t", "--attendance", attendance])
            #expect(result.status == 0 && result.stderr.isEmpty, "\(date): \(result.stderr)")
        }
        let listed = try ktx.ok(["list", "--format", "csv", "--lang", "en"])
        #expect(listed.components(separatedBy: ",2023-05-20,").count == 5)
        #expect(try ktx.ok(["totals", "--by", "township，kind", "--format", "json"]).contains("\"attendance\": 2640"))
        #expect(try ktx.ok(["totals", "--by", "乡镇,类型", "--format", "json"]).contains("\"attendance\": 2640"))
    }

    @Test func impossibleInputNamesItselfInChinese() throws {
        let dir = TemporaryDirectory("forgiving-zh")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        let cases: [([String], String)] = [
            (["--date", "2023-02-30"], "日期“2023-02-30”无效：2023 年 2 月没有 30 日（该月只有 28 天）"),
            (["--date", "2023-13-01"], "日期“2023-13-01”无效：没有 13 月"),
            (["--date", "5/20/2023"], "日期“5/20/2023”无效：请写成 2023-05-20、2023/5/20 或 2023年5月20日"),
            (["--kind", "科技下相"], "未知的活动类型“科技下相”；是不是“科技下乡”（rural）？"),
            (["--attendance", "120人"], "--attendance 的值“120人”不是有效数量：请只写数字，不要写单位“人”，例如 120"),
            (["--surveyed", "10", "--satisfied", "50"], "满意人数（50）不能多于调查人数（10）；未做更改"),
        ]
        for (change, message) in cases {
            var arguments = ["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "t", "--lang", "zh"]
            for pair in stride(from: 0, to: change.count, by: 2) {
                if let i = arguments.firstIndex(of: change[pair]) { arguments[i + 1] = change[pair + 1] } else { arguments += [change[pair], change[pair + 1]] }
            }
            let result = try ktx.run(arguments)
            #expect(result.status == 64)
            #expect(result.stderr == "ktx: \(message)\n")
        }
        #expect(try ktx.ok(["list", "--format", "json"]) == "[]")
        let slip = try ktx.run(["recrod", "--lang", "zh"])
        #expect(slip.status == 64)
        #expect(slip.stderr == "ktx: 没有子命令“recrod”；是不是 ktx record？（ktx --help 列出全部）\n")
    }

    /// argument-parser's usage errors, said in Chinese when Chinese is asked for.
    @Test(arguments: [
        (["attend"], "缺少参数 <id>（见 ktx attend --help）"),
        (["record", "--colour", "red"], "没有选项 --colour（见 ktx record --help）"),
        (["totals", "--format", "xml"], "--format 的值“xml”无效，可用：table、json、csv（见 ktx totals --help）"),
        (["show", "a", "b"], "多余的参数“b”（见 ktx show --help）"),
    ])
    func usageErrorsInChinese(arguments: [String], message: String) throws {
        let dir = TemporaryDirectory("usage-zh")
        defer { dir.remove() }
        let result = try KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")]).run(arguments + ["--lang", "zh"])
        #expect(result.status == 64)
        #expect(result.stderr == "ktx: \(message)\n")
    }

    /// A date far from today is taken, with a note on stderr saying so.
    @Test func aDateFarFromTodayIsTakenWithANote() throws {
        let dir = TemporaryDirectory("forgiving-far")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        let now = Calendar(identifier: .gregorian).dateComponents(in: .current, from: Date())
        let today = String(format: "%04d-%02d-%02d", now.year!, now.month!, now.day!)
        let ahead = "\(now.year! + 4)-05-20"
        let future = try ktx.run(["record", "--kind", "rural", "--date", ahead, "--title", "t", "--lang", "en"])
        #expect(future.status == 0 && !future.stdout.isEmpty)
        #expect(future.stderr == "ktx: note: the date \(ahead) is after today (\(today)); recorded as given; if it is a slip, correct it with `ktx edit ID --date`\n")
        let old = try ktx.run(["record", "--kind", "rural", "--date", "1999-01-01", "--title", "t", "--lang", "zh"])
        #expect(old.status == 0)
        #expect(old.stderr == "ktx: 注意：日期 1999-01-01 是 \(now.year! - 1999) 年前；已照此记录，如写错了请用 ktx edit 编号 --date 更正\n")
        let recent = try ktx.run(["record", "--kind", "rural", "--date", "\(now.year! - 2)-05-20", "--title", "t"])
        #expect(recent.status == 0 && recent.stderr.isEmpty)
    }

    @Test func anImportedRowThatBreaksARuleIsNamedAndNothingIsImported() throws {
        let dir = TemporaryDirectory("forgiving-import")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try Data("类型,日期,标题,参加人次,调查人数,满意人数\n科技下乡,2023/3/15,春耕,４２０,60,58\n科技下乡,2023年8月22日,大棚,610,10,50\n".utf8)
            .write(to: URL(fileURLWithPath: dir.file("year.csv")))
        let result = try ktx.run(["import", "year.csv", "--lang", "en"])
        #expect(result.status == 64)
        #expect(result.stderr == "ktx: line 3: people satisfied (50) cannot exceed people surveyed (10); nothing was imported\n")
        #expect(try ktx.ok(["list", "--format", "json"]) == "[]")
    }
}
