import Foundation
import Testing
import TestSupport

/// A backup is one consistent file, never written over another, and a replica restored
/// from it loses nothing: its next sync takes back what it published after the backup.
@Suite struct BackupTests {
    @Test func aReplicaRestoredFromItsBackupGetsBackItsLaterWork() throws {
        let dir = TemporaryDirectory("backup")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try ktx.ok(["record", "--kind", "rural", "--date", "2023-05-20", "--title", "备份前", "--attendance", "120"])
        try ktx.ok(["hub", "init", "hub"])
        try ktx.ok(["remote", "add", "usb", "hub"])
        try ktx.ok(["sync"])
        let made = try ktx.ok(["backup", "saved.db", "--lang", "en"])
        #expect(made.hasPrefix("backed up to \(dir.path)/saved.db (1 activities, "))
        #expect(made.hasSuffix(" KiB, checked). To restore: copy it back where the replica's database was, then run `ktx sync`"))
        // One self-contained file: no WAL beside it.
        #expect(!FileManager.default.fileExists(atPath: dir.file("saved.db-wal")))

        let later = try ktx.ok(["record", "--kind", "rural", "--date", "2023-06-20", "--title", "备份后", "--attendance", "30"])
        try ktx.ok(["sync"])
        let again = try ktx.run(["backup", "saved.db", "--lang", "en"])
        #expect(again.status == 64)
        #expect(again.stderr == "ktx: \(dir.path)/saved.db exists: a backup never overwrites a file; choose another name\n")

        // The PC's disk fails; the clerk copies the backup back.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: dir.file("a.db" + suffix)) }
        try FileManager.default.copyItem(atPath: dir.file("saved.db"), toPath: dir.file("a.db"))
        #expect(try ktx.ok(["list", "--format", "json"]).contains("备份前"))
        try ktx.ok(["sync"])
        let list = try ktx.ok(["list", "--format", "json"])
        #expect(list.contains("备份前") && list.contains(later))
        #expect(try ktx.ok(["totals", "--format", "json"]).contains("\"attendance\": 150"))
        // And it records on as before.
        try ktx.ok(["record", "--kind", "rural", "--date", "2023-07-20", "--title", "恢复后", "--attendance", "1"])
        try ktx.ok(["sync"])
        try ktx.ok(["check"])
        #expect(try ktx.ok(["totals", "--format", "json"]).contains("\"activities\": 3"))
    }

    @Test func theHubsDatabaseIsBackedUpWithEveryToken() throws {
        let dir = TemporaryDirectory("hub-backup")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path)
        for township in ["河西镇", "东街镇"] {
            try ktx.ok(["hub", "token", "create", "--db", "hub.db", "--role", "township", "--township", township])
        }
        try ktx.ok(["hub", "token", "create", "--db", "hub.db", "--role", "county"])
        let made = try ktx.ok(["hub", "backup", "--db", "hub.db", "hub-copy.db", "--lang", "zh"])
        #expect(made.hasPrefix("已备份同步服务器数据库到 \(dir.path)/hub-copy.db（3 个令牌，"))
        let listed = try ktx.ok(["hub", "token", "list", "--db", "hub-copy.db", "--lang", "en"])
        #expect(listed.contains("河西镇") && listed.contains("东街镇"))
        let missing = try ktx.run(["hub", "backup", "hub-copy2.db", "--lang", "en"])
        #expect(missing.status == 64)
    }
}
