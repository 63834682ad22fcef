import Foundation
import HubStorage
import Store
import SyncCore
import TestSupport
import Testing

@Suite struct HubCommandTests {
    @Test func tokensAreShownOnceAndListedWithoutSecrets() throws {
        let dir = TemporaryDirectory("tokens")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path)
        let created = try ktx.run(["hub", "token", "create", "--db", "hub.db", "--role", "township", "--township", "河西镇", "--lang", "en"])
        #expect(created.status == 0)
        let secret = created.stdout.trimmingCharacters(in: .newlines)
        #expect(secret.hasPrefix("ktx_") && secret.count == 68)
        #expect(created.stderr == "token 1 created; it is shown only once, keep it safe:\n")
        try ktx.ok(["hub", "token", "create", "--db", "hub.db", "--role", "county"])
        try ktx.ok(["hub", "token", "revoke", "1", "--db", "hub.db"])
        let list = try ktx.ok(["hub", "token", "list", "--db", "hub.db", "--lang", "en"])
        #expect(!list.contains(secret))
        let rows = list.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(rows[0] == ["id", "role", "township", "created", "status"])
        #expect(rows[2].prefix(3) == ["1", "township", "河西镇"] && rows[2].contains("revoked"))
        #expect(rows[3].prefix(2) == ["2", "county"] && rows[3].last == "active")
        // The hub database holds only hashes.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: dir.file("hub.db")))
        #expect(bytes.range(of: Data(secret.utf8)) == nil)

        let noDB = try ktx.run(["hub", "serve", "--lang", "en"])
        #expect(noDB.stderr == "ktx: missing required --db HUB.db\n")
        #expect(noDB.status == 64)
        let badTownship = try ktx.run(["hub", "token", "create", "--db", "hub.db", "--role", "township", "--lang", "en"])
        #expect(badTownship.stderr == "ktx: missing required --township\n")
    }

    @Test func hubStatusListsTownshipsWithTheirPCsAndRefusals() async throws {
        let dir = TemporaryDirectory("hubstatus")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path)
        let hub = try Store.openHub(at: dir.file("hub.db"))
        let empty = try ktx.ok(["hub", "status", "--db", "hub.db", "--lang", "en"])
        #expect(empty == "no PC has synced with this hub yet")
        let a = try Store.create(at: dir.file("a.db"), township: "河西镇")
        try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t"))
        let caller = HubCaller(tokenID: 1, role: .township, township: "河西镇")
        let replica = try a.identity().replica
        let ops = try a.operations(of: replica, after: 0, limit: 100)
        let (accepted, _) = try await hub.hubAccept(ops, replica: replica, announcedTownship: "河西镇", caller: caller)
        #expect(accepted == 4)
        try await hub.noteRefusal(replica: replica, township: "河西镇", code: "future-timestamp", operations: 3, message: "dated ahead")
        let text = try ktx.ok(["hub", "status", "--db", "hub.db", "--lang", "en"])
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("河西镇") })
        let cells = row.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        #expect(cells[1] == "1" && cells.suffix(3) == ["0", "3", "3"])
        #expect(text.contains("河西镇 \(replica.short): 3 operations refused (future-timestamp"))
        let json = try ktx.ok(["hub", "status", "--db", "hub.db", "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        #expect(rows.count == 1 && rows[0]["township"] as? String == "河西镇")
        #expect(rows[0]["clock_refusals"] as? Int == 3 && rows[0]["refused_operations"] as? Int == 3 && rows[0]["pcs"] as? Int == 1)
        let missing = try ktx.run(["hub", "status", "--db", "nope.db", "--lang", "en"])
        #expect(missing.status != 0 && missing.stderr.contains("there is no hub database at nope.db"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("nope.db")))
    }

    @Test func aScopedOfficePullsItsTownshipAndTheCountyThroughAGovernedFolder() throws {
        let dir = TemporaryDirectory("scope")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path)
        let hub = dir.file("hub")
        try ktx.ok(["init", "--db", "c.db", "--township", "县科协"])
        try ktx.ok(["hub", "init", hub, "--db", "c.db"])
        for (db, township) in [("a.db", "河西镇"), ("b.db", "东街镇")] {
            try ktx.ok(["init", "--db", db, "--township", township])
            try ktx.ok(["remote", "add", "usb", hub, "--db", db])
        }
        try ktx.ok(["remote", "add", "usb", hub, "--db", "c.db"])
        try ktx.ok(["record", "--db", "a.db", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "河西活动", "--attendance", "100"])
        try ktx.ok(["record", "--db", "b.db", "--kind", "科技下乡", "--date", "2023-05-21", "--title", "东街活动", "--attendance", "50"])
        try ktx.ok(["indicator", "set", "--db", "c.db", "--year", "2023", "--project", "rural", "--indicator", "科技特派员覆盖率", "92"])
        for db in ["a.db", "b.db", "c.db"] { _ = try ktx.run(["sync", "--db", db]) }
        try ktx.ok(["hub", "approve", hub, "--all", "--db", "c.db"])
        for db in ["a.db", "b.db", "c.db"] { try ktx.ok(["sync", "--db", db]) }
        // A second PC of 河西镇, scoped: its own township and the county's value, not 东街镇.
        try ktx.ok(["init", "--db", "a2.db", "--township", "河西镇"])
        try ktx.ok(["remote", "add", "usb", hub, "--scope", "township", "--db", "a2.db"])
        try ktx.ok(["sync", "--db", "a2.db"])
        let list = try ktx.ok(["list", "--db", "a2.db", "--format", "csv"])
        #expect(list.contains("河西活动") && !list.contains("东街活动"))
        let totals = try ktx.ok(["totals", "--db", "a2.db", "--by", "township", "--lang", "en"])
        #expect(totals.hasSuffix("(this replica pulls only 河西镇's and the county's data: other townships' figures are incomplete, not the county's total)"))
        let report = try ktx.ok(["report", "--db", "a2.db", "--year", "2023", "--lang", "en"])
        #expect(report.contains("this replica pulls only 河西镇's and the county's data"))
        #expect(report.split(separator: "\n").contains { $0.contains("科技特派员覆盖率") && $0.contains("92.0%") })
        let status = try ktx.ok(["status", "--db", "a2.db", "--lang", "en"])
        #expect(status.contains("pulls only this township's and the county's data"))
        // The county still sees everything.
        let county = try ktx.ok(["list", "--db", "c.db", "--format", "csv"])
        #expect(county.contains("河西活动") && county.contains("东街活动"))
        // A folder no county governs cannot say who is whose: refused, nothing added.
        try FileManager.default.createDirectory(atPath: dir.file("old"), withIntermediateDirectories: true)
        try Data(#"{"format":"ktx-hub","version":1}"#.utf8).write(to: URL(fileURLWithPath: dir.file("old/ktx-hub.json")))
        let refused = try ktx.run(["remote", "add", "old", dir.file("old"), "--scope", "township", "--db", "a2.db", "--lang", "en"])
        #expect(refused.status != 0 && refused.stderr.contains("needs a folder the county governs"))
        #expect(!(try ktx.ok(["remote", "list", "--db", "a2.db"])).contains("old"))
    }

    @Test func anHTTPRemoteKeepsItsTokenReadableOnlyByTheOwner() throws {
        let dir = TemporaryDirectory("cred")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try ktx.ok(["remote", "add", "county", "http://127.0.0.1:9", "--token", "ktx_secret_value"])
        try ktx.ok(["remote", "add", "env", "http://127.0.0.1:9", "--token-env", "KTX_TOKEN"])
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.file("a.db.credentials"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let db = try Data(contentsOf: URL(fileURLWithPath: dir.file("a.db")))
        #expect(db.range(of: Data("ktx_secret_value".utf8)) == nil)
        let unset = try ktx.run(["sync", "env", "--lang", "en"])
        #expect(unset.stderr == "ktx: the token of remote env should be in the environment variable KTX_TOKEN, which is not set\n")
        let down = try ktx.run(["sync", "county", "--lang", "en"])
        #expect(down.status == 1)
        #expect(down.stderr.hasPrefix("ktx: cannot reach the hub at http://127.0.0.1:9 ("))
        #expect(down.stderr.hasSuffix("): check the connection and the address; local data is untouched\n"))
        try ktx.ok(["remote", "remove", "county"])
        #expect(!(try String(contentsOfFile: dir.file("a.db.credentials"), encoding: .utf8)).contains("ktx_secret_value"))
    }

    @Test func aLongSyncPrintsPlainProgressLinesWhenNotOnATerminal() throws {
        let dir = TemporaryDirectory("progress")
        defer { dir.remove() }
        let store = try Store.create(at: dir.file("a.db"), township: "河西镇")
        // 6,400 operations of another office, merged in one batch: more than a few batches to push.
        let other = ReplicaID.random()
        var ops: [Op] = []
        for i in 0..<1_600 {
            let id = ActivityID(replica: other, seq: Int64(4 * i + 1))
            for (j, change) in [Change.set(.township, "河西镇"), .set(.kind, "rural"), .set(.date, "2023-05-20"), .set(.title, "活动\(i)")].enumerated() {
                ops.append(Op(replica: other, seq: Int64(4 * i + j + 1), timestamp: HLCTimestamp(millis: 1_700_000_000_000, counter: UInt16(j)),
                              activity: id, change: change))
            }
        }
        try store.merge(ops, townships: [other: "河西镇"])
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["hub", "init", "usb"])
        try ktx.ok(["remote", "add", "usb", "usb"])
        let result = try ktx.run(["sync", "--lang", "en"])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(!lines.isEmpty)
        // Plain lines with a share done, and a rate only once there is a second to measure.
        #expect(lines.allSatisfy { $0.wholeMatch(of: /push \d+\/6400 \(\d+%\)(, \d+ ops\/s)?/) != nil })
        #expect(lines.last?.hasPrefix("push 6400/6400 (100%)") == true)
        #expect(result.stdout == "synced with usb (\(dir.file("usb"))): pushed 6400 operations, pulled 0\n")
    }

    /// Only the county's replica governs its folder; a township that replaces the folder's
    /// key is found out by every office that pinned the county's.
    @Test func onlyTheCountyGovernsItsHubFolder() throws {
        let dir = TemporaryDirectory("governs")
        defer { dir.remove() }
        let county = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
        let office = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("office.db")])
        try county.ok(["init", "--township", "县科协"])
        try office.ok(["init", "--township", "东街镇"])
        try county.ok(["hub", "init", "hub"])
        try county.ok(["remote", "add", "usb", "hub"])
        let added = try office.ok(["remote", "add", "usb", "hub", "--lang", "en"])
        let countyKey = try #require(try county.ok(["status", "--format", "json"]).firstMatch(of: /"key_fingerprint": "([0-9a-f-]+)"/)?.1)
        #expect(added == "added remote usb. The hub folder is governed by the county, key \(countyKey) (check it with the county)")
        try office.ok(["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t", "--attendance", "3"])
        let first = try office.run(["sync", "--lang", "en"])
        let officeKey = try #require(try office.ok(["status", "--format", "json"]).firstMatch(of: /"key_fingerprint": "([0-9a-f-]+)"/)?.1)
        #expect(first.status == 0)
        #expect(first.stderr.contains("this PC is not enrolled by the county yet: an enrolment request is in the hub folder. Phone the county and read out this PC's key fingerprint \(officeKey)"))
        let roster = try Data(contentsOf: URL(fileURLWithPath: dir.file("hub/roster.json")))

        // The office cannot govern, approve itself, or revoke anyone.
        for arguments in [["hub", "init", "hub"], ["hub", "approve", "usb", "--all"], ["hub", "revoke", "hub", "00000000000000000000000000000001"]] {
            let result = try office.run(arguments + ["--lang", "en"])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("ktx: this replica does not govern hub folder \(dir.path)/hub (the county key is \(countyKey))"))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("hub/roster.json"))) == roster)

        // The county sees the request with the fingerprint the clerk reads out.
        #expect(try county.ok(["hub", "requests", "hub", "--format", "json"]).contains("\"fingerprint\": \"\(officeKey)\""))

        // The office makes a folder of its own and puts its key and roster in the county's.
        try office.ok(["hub", "init", "mine"])
        for name in ["ktx-hub.json", "roster.json"] {
            try FileManager.default.removeItem(atPath: dir.file("hub/" + name))
            try FileManager.default.copyItem(atPath: dir.file("mine/" + name), toPath: dir.file("hub/" + name))
        }
        let replaced = try county.run(["sync", "usb", "--lang", "en"])
        #expect(replaced.status == 1)
        #expect(replaced.stderr.contains("not the one pinned when it was added"))
    }
}
