import Foundation
import Testing
import TestSupport

/// Every change says in one line what it did; a delete is confirmed and can be undone.
@Suite struct FeedbackTests {
    @Test func changesConfirmInOneLineAndADeleteIsConfirmedAndUndone() throws {
        let dir = TemporaryDirectory("feedback")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        let id = try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪培训", "--attendance", "120", "--cost", "1500"])
        #expect(try ktx.ok(["attend", id, "35", "--lang", "zh"]) == "参加人次 155（+35）")
        #expect(try ktx.ok(["attend", id, "-5", "--lang", "en"]) == "attendance 150 (-5)")
        #expect(try ktx.ok(["attend", id, "200.5", "--metric", "费用", "--lang", "zh"]) == "费用 1700.50（+200.50）")
        #expect(try ktx.ok(["edit", id, "--title", "果树修剪技术培训", "--date", "2023/5/21", "--lang", "zh"])
                == "已修改 \(id)：标题 → 果树修剪技术培训；日期 → 2023-05-21")

        // Off a terminal, a delete needs --yes and changes nothing without it.
        let unconfirmed = try ktx.run(["delete", id, "--lang", "en"])
        #expect(unconfirmed.status == 64)
        #expect(unconfirmed.stderr == "ktx: deleting \(id) Science to the countryside 2023-05-21 果树修剪技术培训 (attendance 150) needs confirming: add --yes\n")
        #expect(try ktx.ok(["list", "--format", "json"]).contains(id))
        #expect(try ktx.ok(["delete", id, "--yes", "--lang", "zh"])
                == "已删除 \(id) 科技下乡 2023-05-21 果树修剪技术培训（参加人次 150）；如需恢复：ktx restore \(id)")
        #expect(try ktx.ok(["list", "--format", "json"]) == "[]")

        // Restore: a new activity with the same fields and quantities; once only.
        let restored = try ktx.run(["restore", id, "--lang", "en"])
        #expect(restored.status == 0)
        let new = restored.stdout.trimmingCharacters(in: .newlines)
        #expect(new != id && new.hasPrefix(String(id.prefix(12))))
        #expect(restored.stderr == "ktx: restored as a new activity (\(id) stays deleted): \(new) Science to the countryside 2023-05-21 果树修剪技术培训 (attendance 150)\n")
        let json = try ktx.ok(["show", new, "--format", "json"])
        #expect(json.contains("\"attendance\": 150") && json.contains("\"cost\": 1700.50") && json.contains("\"date\": \"2023-05-21\""))
        #expect(try ktx.ok(["show", new, "--lang", "en"]).hasSuffix("restored from deleted activity \(id)"))
        let again = try ktx.run(["restore", id, "--lang", "en"])
        #expect(again.status == 64)
        #expect(again.stderr == "ktx: activity \(id) was restored as \(new) already\n")
        let live = try ktx.run(["restore", new, "--lang", "en"])
        #expect(live.stderr == "ktx: activity \(new) is not deleted; there is nothing to restore\n")
        #expect(try ktx.ok(["totals", "--format", "json"]).contains("\"activities\": 1"))
    }
}
