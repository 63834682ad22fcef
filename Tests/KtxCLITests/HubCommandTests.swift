import Foundation
import Store
import SyncCore
import Testing
import TestSupport

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
        #expect(lines.allSatisfy { $0.hasPrefix("push ") && $0.hasSuffix(" ops/s") && !$0.contains("\r") })
        #expect(lines.last?.hasPrefix("push 6400/6400 ") == true)
        #expect(result.stdout == "synced with usb (\(dir.file("usb"))): pushed 6400 operations, pulled 0\n")
    }
}
