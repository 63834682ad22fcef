import Foundation
import Reporting
import Testing
import TestSupport

/// `ktx import`, `export`, `report`, `indicator set` and `targets` through the built binary.
@Suite struct ReportingCommandTests {
    let dir = TemporaryDirectory("reporting")
    var ktx: KtxProcess { KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("office.db")]) }

    init() throws {
        _ = try KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("office.db")])
            .ok(["init", "--township", "河西镇"])
    }

    func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = dir.file(name)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    static let good = """
        类型,日期,标题,地点,参加人次,受益人数,费用
        科技下乡,2023-03-10,"果树修剪培训, 第一期",村委会,120,150,2000.50
        流动科技馆,2023-05-20,流动馆进校园,第一中学,3000,,
        training,2023-06-01,"带""引号""的标题",,45,40,0
        """

    /// What the replica holds, as a user would check it.
    func snapshot() throws -> String {
        try ktx.ok(["export", "--format", "json"]) + (try ktx.ok(["status", "--format", "json"]))
    }

    @Test func aGoodFileIsImportedWhole() throws {
        defer { dir.remove() }
        let path = file("good.csv", Array(Self.good.utf8))
        let out = try ktx.ok(["import", path, "--lang", "en"])
        #expect(out == "imported \(path): 3 added, 0 updated, 0 unchanged, 0 duplicates skipped")
        let totals = try ktx.ok(["totals", "--format", "csv"])
        #expect(totals.split(separator: "\n")[1].hasPrefix("3,3165,190,0,0,0,0,0,0,0,2000.50"))
        let list = try ktx.ok(["list", "--format", "json"])
        #expect(list.contains("果树修剪培训, 第一期") && list.contains("带\\\"引号\\\"的标题"))
    }

    @Test(arguments: ["bom", "gb18030"])
    func spreadsheetEncodingsAreRead(_ encoding: String) throws {
        defer { dir.remove() }
        let bytes = encoding == "bom" ? [0xEF, 0xBB, 0xBF] + Array(Self.good.utf8) : try #require(TextFile.gb18030(Self.good))
        if encoding == "gb18030" { #expect(String(validating: bytes, as: UTF8.self) == nil) } // really not UTF-8
        let path = file("\(encoding).csv", bytes)
        #expect(try ktx.ok(["import", path]) == "已导入 \(path)：新增 3 条，更新 0 条，未变 0 条，跳过重复 0 条")
        let list = try ktx.ok(["list", "--format", "csv"])
        #expect(list.contains("果树修剪培训, 第一期") && list.contains("流动科技馆") && list.contains("村委会"))
    }

    @Test func aBadRowImportsNothingAndNamesItsLineAndColumn() throws {
        defer { dir.remove() }
        let before = try snapshot()
        let bad = Self.good + "\n科技下乡,2023-02-30,日期错了,,10,,\n科技下乡,2023-04-01,人数错了,,十,,"
        let result = try ktx.run(["import", file("bad.csv", Array(bad.utf8)), "--lang", "en"])
        #expect(result.status == 64)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 3, "\(result.stderr)")
        #expect(lines[0] == "ktx: line 5, column 2 (日期): invalid date '2023-02-30': February 2023 has no day 30 (it has 28 days)")
        #expect(lines[1].hasPrefix("line 6, column 5 (参加人次): 参加人次 value '十' is not a valid amount"))
        #expect(lines[2] == "2 mistakes; nothing was imported")
        #expect(try snapshot() == before)

        let zh = try ktx.run(["import", file("bad2.csv", Array("kind,date,title,attendance\n科技下乡,2023-01-01,t,5\n科技下乡,2023-01-02,t,-5\n".utf8))])
        #expect(zh.status == 64)
        #expect(zh.stderr.hasPrefix("ktx: 第 3 行第 4 列（attendance）："))
        #expect(zh.stderr.contains("未导入任何活动"))
        #expect(try snapshot() == before)

        for (name, text, says) in [
            ("nohead.csv", "date,title\n2023-01-01,t\n", "no kind"),
            ("near.csv", "kind,date,title,参加人数\n", "line 1, column 4 (参加人数): unknown column '参加人数': did you mean '参加人次'?"),
            ("quote.csv", "kind,date,title\n科技下乡,2023-01-01,\"unclosed\n", "line 2: a quoted field is not closed"),
            ("other.csv", "township,kind,date,title\n东街镇,科技下乡,2023-01-01,t\n", "this activity is 东街镇's; this replica records for 河西镇"),
            ("lines.csv", "kind,date,title\n科技下乡,2023-01-01,\"两\n行\"\n", "line 2, column 3 (title): title must not be empty, contain line breaks"),
        ] {
            let r = try ktx.run(["import", file(name, Array(text.utf8)), "--lang", "en"])
            #expect(r.status == 64 && r.stderr.contains(says) && r.stderr.contains("nothing was imported"), "\(name): \(r.stderr)")
        }
        let notText = try ktx.run(["import", file("binary.csv", [0xFF, 0xFE, 0x00, 0x81, 0x30]), "--lang", "en"])
        #expect(notText.status == 64 && notText.stderr.contains("not UTF-8 or GB18030"))
        #expect(try snapshot() == before)
    }

    @Test func exportRoundTripsThroughImport() throws {
        defer { dir.remove() }
        try ktx.ok(["import", file("good.csv", Array(Self.good.utf8))])
        let gone = try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-07-07", "--title", "删掉的", "--attendance", "9"])
        try ktx.ok(["delete", gone, "--yes"])
        let exported = dir.file("export.csv")
        try ktx.ok(["export", "--year", "2023", "--bom", "--output", exported])
        let bytes = try #require(FileManager.default.contents(atPath: exported))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])

        // Imported again, the export changes nothing.
        let before = try snapshot()
        #expect(try ktx.ok(["import", exported, "--lang", "en"]) == "imported \(exported): 0 added, 0 updated, 3 unchanged, 0 duplicates skipped")
        #expect(try snapshot() == before)

        // Into a replica that has not synced those activities: refused, named, nothing imported.
        let other = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("copy.db")])
        try other.ok(["init", "--township", "河西镇"])
        let refused = try other.run(["import", exported, "--lang", "en"])
        #expect(refused.status == 64)
        #expect(refused.stderr.hasPrefix("ktx: line 2: no activity "))
        #expect(refused.stderr.hasSuffix("3 mistakes; nothing was imported\n"))
        #expect(try other.ok(["list", "--format", "json"]) == "[]")
    }

    @Test func aManualValueSyncsAndTheReportShowsIt() throws {
        defer { dir.remove() }
        try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树", "--attendance", "2100"])
        let before = try ktx.ok(["report", "--year", "2023", "--project", "rural", "--format", "csv", "--lang", "en"])
        #expect(before.contains(",科技特派员覆盖率,≥90,%,,,to be entered"))

        // The county office enters it; the township sees it after syncing through a folder.
        let county = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
        try county.ok(["init", "--county"])
        #expect(try county.ok(["indicator", "set", "--year", "2023", "--project", "13053523P00000110073C",
                               "--indicator", "科技特派员覆盖率", "92", "--lang", "en"])
                == "entered: rural · 科技特派员覆盖率 = 92% (target ≥90%)")
        try county.ok(["hub", "init", "hub"])
        for p in [county, ktx] {
            try p.ok(["remote", "add", "usb", "hub"])
            try p.ok(["sync"])
        }
        let after = try ktx.ok(["report", "--year", "2023", "--project", "rural", "--format", "csv", "--lang", "en"])
        #expect(after.contains(",科技特派员覆盖率,≥90,%,92.0,102.2,met"))
        #expect(after.contains(",科技服务人次,≥2000,人次,2100,105.0,met"))
        let html = dir.file("r.html")
        try ktx.ok(["report", "--year", "2023", "--format", "html", "--output", html])
        #expect(String(decoding: try #require(FileManager.default.contents(atPath: html)), as: UTF8.self).contains("102.2%"))
    }

    @Test func badReportingInputIsRefusedAndChangesNothing() throws {
        defer { dir.remove() }
        let before = try snapshot()
        let refusals: [([String], String)] = [
            (["report", "--year", "2024"], "no performance targets for 2024"),
            (["report", "--year", "23"], "invalid year '23'"),
            (["report", "--year", "2023", "--quarter", "5"], "invalid quarter '5'"),
            (["report", "--year", "2023", "--project", "nope"], "2023 has no project 'nope'"),
            (["report", "--year", "2023", "--format", "pdf"], "--format"),
            (["indicator", "set", "--year", "2023", "--project", "rural", "--indicator", "科技服务人次", "5"], "computed from the records"),
            (["indicator", "set", "--year", "2023", "--project", "rural", "--indicator", "覆盖率", "5"], "no indicator '覆盖率'"),
            (["indicator", "set", "--year", "2023", "--project", "rural", "--indicator", "科技特派员覆盖率", "九十"], "invalid indicator value '九十'"),
            (["indicator", "set", "--year", "2023", "--project", "rural", "--indicator", "科技特派员覆盖率", "92%"], "invalid indicator value '92%'"),
            (["targets", "check", "missing.yaml"], "cannot read missing.yaml"),
            (["targets", "check", file("t.yaml", Array("年度: 2024\n项目: []\n".utf8))], "t.yaml line 2:"),
            (["report", "--year", "2023", "--targets", file("t2020.yaml", Array((TargetsParser.builtInText(year: 2020) ?? "").utf8))],
             "holds the targets of 2020, not 2023"),
        ]
        for (arguments, says) in refusals {
            let r = try ktx.run(arguments + ["--lang", "en"])
            #expect(r.status == 64 && r.stderr.contains(says) && r.stderr.split(separator: "\n").count == 1, "\(arguments): \(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        #expect(try snapshot() == before)
    }

    @Test func targetsShowPrintsAFileThatChecksAndReportsForANewYear() throws {
        defer { dir.remove() }
        let text = try ktx.ok(["targets", "show", "--year", "2023"]).replacingOccurrences(of: "年度: 2023", with: "年度: 2024")
        let path = file("2024.yaml", Array(text.utf8))
        let check = try ktx.ok(["targets", "check", path, "--lang", "en"])
        #expect(check.hasSuffix("2024, 4 projects, 28 indicators (2 entered by hand), all well-formed"))
        try ktx.ok(["record", "--kind", "流动科技馆", "--date", "2024-03-01", "--title", "t", "--attendance", "6000"])
        let report = try ktx.ok(["report", "--year", "2024", "--targets", path, "--project", "museum", "--format", "csv", "--lang", "en"])
        #expect(report.contains(",参观人数,≥5000,人次,6000,120.0,met"))
    }
}
