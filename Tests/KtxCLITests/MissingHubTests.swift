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

    /// The county adopts a hub folder written by ktx 0.2: its replicas are listed, wait for
    /// the county's approval, and arrive once approved.
    @Test func hubInitAdoptsAVersion02HubFolderForTheCountyToApprove() throws {
        let dir = TemporaryDirectory("adopt")
        defer { dir.remove() }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("v0.2-hub").path, toPath: dir.file("hub"))
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
        try ktx.ok(["init", "--township", "县科协"])
        let adopted = try ktx.ok(["hub", "init", "hub", "--lang", "en"]).split(separator: "\n").map(String.init)
        #expect(adopted.first?.hasPrefix("\(dir.path)/hub is a hub folder already (operations of 2 replicas), governed by this replica (county key ") == true)
        #expect(adopted.filter { $0.hasSuffix(" no (before 0.3)  waiting") }.count == 2)
        try ktx.ok(["remote", "add", "usb", "hub"])
        let before = try ktx.run(["sync", "--lang", "en"])
        #expect(before.stderr.components(separatedBy: "the county has not enrolled that PC yet").count == 3)
        #expect(try ktx.ok(["totals", "--format", "json"]).contains("\"activities\": 0"))
        #expect(try ktx.ok(["hub", "approve", "usb", "--all", "--lang", "en"]).split(separator: "\n").count == 2)
        try ktx.ok(["sync"])
        #expect(try ktx.ok(["totals", "--by", "township", "--format", "json"]).contains("\"attendance\": 860"))
        let missingParent = try ktx.run(["hub", "init", "no/such/hub", "--lang", "en"])
        #expect(missingParent.status == 1)
        #expect(missingParent.stderr.hasPrefix("ktx: hub folder \(dir.path)/no/such does not exist"))
    }

    /// An office set up with ktx 0.2 upgrades and syncs through its old, ungoverned folder; a
    /// PC that joins afterwards meets that office's operations signed with a key nothing can
    /// check yet. They wait (named, with what to do), and arrive once the county governs the
    /// folder and approves the office: nothing of the upgrade is lost.
    @Test func aPCJoiningAfterAVersion02OfficeUpgradedGetsItsRecordsOnceTheCountyApprovesIt() throws {
        let dir = TemporaryDirectory("upgraded")
        defer { dir.remove() }
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("v0.2-hub").path, toPath: dir.file("hub"))
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("v0.2-office.db").path, toPath: dir.file("hx.db"))
        let office = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("hx.db")])
        try office.ok(["remote", "remove", "usb"])
        try office.ok(["remote", "add", "usb", "hub"])
        let id = try #require(try office.ok(["list", "--format", "csv"]).split(separator: "\n").first { $0.contains("果树修剪技术培训") }?.split(separator: ",").first)
        let attended = try office.ok(["attend", String(id), "5", "--lang", "en"])
        #expect(attended == "attendance 160 (+5)")
        try office.ok(["sync"])

        let newcomer = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("dj2.db")])
        try newcomer.ok(["init", "--township", "东街镇"])
        try newcomer.ok(["remote", "add", "usb", "hub"])
        let waiting = try newcomer.run(["sync", "--lang", "en"])
        #expect(waiting.status == 0)
        #expect(waiting.stderr.contains("nothing here vouches for it: a PC set up before 0.3 merges once the county approves it"))
        #expect(try newcomer.ok(["totals", "--by", "township", "--format", "csv"]).split(separator: "\n").count == 2)

        let county = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
        try county.ok(["init", "--township", "县科协"])
        try county.ok(["hub", "init", "hub"])
        try county.ok(["hub", "approve", "hub", "--all"])
        try newcomer.ok(["sync"])
        let totals = try newcomer.ok(["totals", "--by", "township", "--format", "csv", "--lang", "en"])
        #expect(totals.contains("河西镇,2,200"))
        #expect(totals.contains("东街镇,1,860"))
    }
}
