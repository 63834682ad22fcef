import Foundation
import Testing
import TestSupport
import ZIPFoundation

/// `ktx verify`: an Excel report or form ktx made is made again from the replica and compared
/// cell by cell; an untouched file verifies, an edited cell is named, a file ktx did not make
/// is refused (exit 64).
@Suite struct VerifyTests {
    /// The file with one number of its first sheet changed, as someone editing it would.
    static func edited(_ path: String, from: String, to: String, into target: String) throws {
        let source = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        let copy = try Archive(url: URL(fileURLWithPath: target), accessMode: .create)
        for entry in source {
            var data = Data()
            _ = try source.extract(entry, consumer: { data.append($0) })
            if entry.path == "xl/worksheets/sheet1.xml" {
                let text = String(decoding: data, as: UTF8.self)
                #expect(text.contains(from))
                data = Data(text.replacingOccurrences(of: from, with: to).utf8)
            }
            try copy.addEntry(with: entry.path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    @Test func anUntouchedFormVerifiesAndAnEditedCellIsNamed() throws {
        let dir = TemporaryDirectory("verify")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("c.db")])
        try ktx.ok(["init", "--county"])
        try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪", "--attendance", "2100"])
        let form = dir.file("form.xlsx")
        let made = try ktx.ok(["report", "--year", "2023", "--form", "self-evaluation", "--filler", "张三", "--format", "xlsx", "--output", form])
        #expect(made.isEmpty)
        let ok = try ktx.ok(["verify", form, "--lang", "en"])
        #expect(ok.hasPrefix("verified: every figure matches this replica (digest "))
        // The digest in every format is the workbook's.
        let digest = String(ok.split(separator: "digest ")[1].prefix(14))
        #expect(try ktx.ok(["report", "--year", "2023", "--form", "self-evaluation", "--filler", "张三", "--lang", "en"]).contains("Digest of the figures: \(digest)"))

        try Self.edited(form, from: "<v>2100</v>", to: "<v>2400</v>", into: dir.file("edited.xlsx"))
        let bad = try ktx.run(["verify", dir.file("edited.xlsx"), "--lang", "en"])
        #expect(bad.status == 1)
        #expect(bad.stdout == "sheet 科技下乡活动 E15: the file says “2400”, this replica gives “2100”\n", "\(bad.stdout)")
        #expect(bad.stderr.contains("1 cells differ from this replica"))

        try Data("not a workbook".utf8).write(to: URL(fileURLWithPath: dir.file("junk.xlsx")))
        let junk = try ktx.run(["verify", dir.file("junk.xlsx"), "--lang", "en"])
        #expect(junk.status == 64 && junk.stderr.contains("is not an Excel (.xlsx) file"))
        let missing = try ktx.run(["verify", dir.file("nope.xlsx"), "--lang", "en"])
        #expect(missing.status == 64 && missing.stderr.contains("there is no file"))
    }
}
