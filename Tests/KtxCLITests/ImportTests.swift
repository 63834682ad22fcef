import Foundation
import Testing
import TestSupport

/// An import is safe to repeat: rows with an id update their activity, rows matching an
/// existing activity are skipped, a second import of the same file changes nothing.
@Suite struct ImportTests {
    let dir = TemporaryDirectory("import")
    var ktx: KtxProcess { KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")]) }

    init() throws { try ktx.ok(["init", "--township", "河西镇"]) }

    func write(_ name: String, _ text: String) throws -> String {
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.file(name)))
        return name
    }

    static let year = """
        类型,日期,标题,地点,参加人次,调查人数,满意人数,备注,经办人
        科技下乡,2023/3/15,春耕农机使用培训,河西村,420,60,58,王主任带队,李明
        科技下乡,2023年8月22日,大棚蔬菜病虫害防治,王庄村,610,50,48,,李明
        科技培训,2023-04-12,科技型中小企业申报培训,县科技局,85,30,29,,
        """

    @Test func theSameFileTwiceAddsNothingTheSecondTime() throws {
        defer { dir.remove() }
        let file = try write("year.csv", Self.year)
        let dry = try ktx.run(["import", file, "--dry-run", "--lang", "en"])
        #expect(dry.stdout == "year.csv: no mistakes; importing would give 3 added, 0 updated, 0 unchanged, 0 duplicates skipped (dry run, nothing changed)\n")
        #expect(dry.stderr == "ktx: columns ktx does not know were ignored: 经办人\n")
        #expect(try ktx.ok(["list", "--format", "json"]) == "[]")

        #expect(try ktx.ok(["import", file, "--lang", "zh"]) == "已导入 year.csv：新增 3 条，更新 0 条，未变 0 条，跳过重复 0 条")
        let before = try ktx.ok(["export", "--format", "json"])
        let again = try ktx.run(["import", file, "--lang", "zh"])
        #expect(again.status == 0)
        #expect(again.stdout == "已导入 year.csv：新增 0 条，更新 0 条，未变 0 条，跳过重复 3 条\n")
        let lines = again.stderr.split(separator: "\n")
        #expect(lines[0] == "ktx: 不认识的列已忽略：经办人")
        #expect(lines[1].hasPrefix("ktx: 第 2 行与已有活动 ") && lines[1].hasSuffix(" 相同（日期、类型、标题、地点、乡镇），已跳过"))
        #expect(lines.last == "ktx: 确需再次导入这些行，请加 --allow-duplicates")
        #expect(try ktx.ok(["export", "--format", "json"]) == before)

        #expect(try ktx.ok(["import", file, "--allow-duplicates", "--lang", "en"]) == "imported year.csv: 3 added, 0 updated, 0 unchanged, 0 duplicates skipped")
        #expect(try ktx.ok(["totals", "--format", "json"]).contains("\"activities\": 6"))
    }

    @Test func anExportEditedInASpreadsheetUpdatesOnlyWhatDiffers() throws {
        defer { dir.remove() }
        try ktx.ok(["import", try write("year.csv", Self.year)])
        let exported = try ktx.ok(["export", "--year", "2023", "--lang", "zh"])
        let header = try #require(exported.split(separator: "\n").first)
        #expect(header == "编号,日期,乡镇,类型,标题,地点,项目,参加人次,受益人数,受益学校数,参加培训企业数,推广新品种新技术数,展品数,展品损坏数,调查人数,满意人数,费用,备注")
        // The 备注 column was imported and comes back out.
        #expect(exported.split(separator: "\n").contains { $0.contains(",春耕农机使用培训,") && $0.hasSuffix(",王主任带队") })
        #expect(try ktx.ok(["export", "--lang", "en"]).hasPrefix("id,date,township,kind,title,venue,project,attendance,"))

        // The clerk corrects one attendance and one title in the spreadsheet.
        var lines = exported.split(separator: "\n").map(String.init)
        let row = try #require(lines.firstIndex { $0.contains("大棚蔬菜病虫害防治") })
        lines[row] = lines[row].replacingOccurrences(of: ",610,", with: ",650,").replacingOccurrences(of: "大棚蔬菜病虫害防治", with: "大棚蔬菜病虫害绿色防治")
        let id = String(lines[row].prefix { $0 != "," })
        let edited = try write("edited.csv", lines.joined(separator: "\n"))
        let logBefore = try ktx.ok(["log", "--limit", "0"]).split(separator: "\n").count

        #expect(try ktx.ok(["import", edited, "--lang", "en"]) == "imported edited.csv: 0 added, 1 updated, 2 unchanged, 0 duplicates skipped")
        let shown = try ktx.ok(["show", id, "--format", "json"])
        #expect(shown.contains("\"attendance\": 650") && shown.contains("大棚蔬菜病虫害绿色防治"))
        // Two operations: the title, and +40 attendance.
        #expect(try ktx.ok(["log", "--limit", "0"]).split(separator: "\n").count == logBefore + 2)
        #expect(try ktx.ok(["import", edited, "--lang", "en"]) == "imported edited.csv: 0 added, 0 updated, 3 unchanged, 0 duplicates skipped")

        // A note changed in the spreadsheet is one operation.
        let noted = try write("noted.csv", lines.joined(separator: "\n").replacingOccurrences(of: ",王主任带队", with: ",\"王主任带队\n李明记录\""))
        #expect(try ktx.ok(["import", noted, "--lang", "en"]) == "imported noted.csv: 0 added, 1 updated, 2 unchanged, 0 duplicates skipped")
        #expect(try ktx.ok(["log", "--limit", "0"]).split(separator: "\n").count == logBefore + 3)
        #expect(try ktx.ok(["export", "--format", "json"]).contains("\"notes\": \"王主任带队\\n李明记录\""))
    }
}
