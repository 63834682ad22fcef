import Foundation
import Testing
import TestSupport

/// A sync never reports success for data that went nowhere: a hub folder that is missing
/// (a USB stick not inserted, a typo) is refused, and nothing is created on the local disk.
@Suite struct MissingHubTests {
    @Test func aMissingHubFolderIsRefusedAtRemoteAddAndCreatesNothing() throws {
        let dir = TemporaryDirectory("missing")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        let result = try ktx.run(["remote", "add", "usb", "/media/usb/ktx-hub", "--lang", "zh"])
        #expect(result.status == 1)
        #expect(result.stderr == "ktx: 同步文件夹 /media/usb/ktx-hub 不存在：U 盘未插入？共享盘未连接？路径写错了？未同步任何内容。新的同步文件夹由县科协用 ktx hub init 文件夹 建立\n")
        #expect(!(try ktx.ok(["remote", "list", "--lang", "en"])).contains("usb"))
        #expect(!FileManager.default.fileExists(atPath: "/media/usb/ktx-hub"))
    }

    @Test func aStickPulledOutBeforeTheSyncFailsAndCreatesNothing() throws {
        let dir = TemporaryDirectory("pulled")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try ktx.ok(["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t", "--attendance", "3"])
        try ktx.ok(["hub", "init", "stick"])
        try ktx.ok(["remote", "add", "usb", "stick"])
        try FileManager.default.removeItem(atPath: dir.file("stick"))

        let result = try ktx.run(["sync", "--lang", "en"])
        #expect(result.status == 1)
        #expect(result.stderr == "ktx: hub folder \(dir.path)/stick does not exist: USB stick not inserted? share not mounted? a typo? Nothing was synced. The county makes a new hub folder with `ktx hub init FOLDER`\n")
        #expect(result.stdout.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: dir.file("stick")))
        // The remote was never synced.
        #expect(try ktx.ok(["remote", "list", "--lang", "en"]).hasSuffix(" never"))
    }

    @Test func hubInitAdoptsAnExistingHubAndChangesNothing() throws {
        let dir = TemporaryDirectory("adopt")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try ktx.ok(["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t"])
        try ktx.ok(["hub", "init", "hub"])
        try ktx.ok(["remote", "add", "usb", "hub"])
        try ktx.ok(["sync"])
        let replica = try #require(try ktx.ok(["status", "--format", "json"]).split(separator: "\"").dropFirst(3).first)
        let adopted = try ktx.ok(["hub", "init", "hub", "--lang", "en"]).split(separator: "\n").map(String.init)
        #expect(adopted.first == "\(dir.path)/hub is a hub folder already (operations of 1 replicas); nothing changed; the replicas in it:")
        #expect(adopted.last?.split(separator: " ").map(String.init) == [String(replica.prefix(12)), "河西镇", "4", "yes"])
        let missingParent = try ktx.run(["hub", "init", "no/such/hub", "--lang", "en"])
        #expect(missingParent.status == 1)
        #expect(missingParent.stderr.hasPrefix("ktx: hub folder \(dir.path)/no/such does not exist"))
    }
}
