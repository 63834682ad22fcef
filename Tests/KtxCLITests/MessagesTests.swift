import Foundation
import GRDB
import KtxWords
import Testing
import TestSupport

/// What the clerk and the county's administrator are told when something outside ktx is
/// wrong: plain words in their language, what to do, and no library text or Swift type.
@Suite struct MessagesTests {
    /// Text that must never reach a user.
    static let libraryWords = ["NIO", "descriptor", "errno", "KtxError", "DatabaseError", "Error(", "SyncCore.", "Swift."]

    func expectPlain(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for word in Self.libraryWords { #expect(!text.contains(word), "\(word) in: \(text)", sourceLocation: sourceLocation) }
    }

    func freePort() throws -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        try #require(ok)
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    @Test func aPortOutOfRangeIsRefusedBeforeAnythingStarts() throws {
        let dir = TemporaryDirectory("msg")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path)
        let result = try ktx.run(["hub", "serve", "--db", "hub.db", "--port", "99999", "--lang", "en"])
        #expect(result.status == 64)
        #expect(result.stderr.hasPrefix("ktx: port 99999 is not valid: use a number from 1 to 65535, e.g. --port 8080"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("hub.db")))
    }

    @Test func aPortInUseIsSaidPlainly() throws {
        let dir = TemporaryDirectory("msg")
        defer { dir.remove() }
        let (fd, port) = try freePort()
        defer { close(fd) }
        #expect(listen(fd, 1) == 0)
        let ktx = KtxProcess(workingDirectory: dir.path)
        let result = try ktx.run(["hub", "serve", "--db", "hub.db", "--port", String(port), "--lang", "en"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("ktx: port \(port) on 127.0.0.1 is already in use: perhaps a `ktx hub serve` is running already; stop it, or pick another with --port"))
        expectPlain(result.stderr)
    }

    @Test func anUnreachableHubIsSaidPlainlyInBothLanguages() throws {
        let dir = TemporaryDirectory("msg")
        defer { dir.remove() }
        let (fd, port) = try freePort()
        close(fd) // nobody listens there now
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try ktx.ok(["remote", "add", "county", "http://127.0.0.1:\(port)", "--token", "ktx_0"])
        for (lang, words) in [("en", "connection refused"), ("zh", "连接被拒绝")] {
            let result = try ktx.run(["sync", "--lang", lang])
            #expect(result.status == 1)
            #expect(result.stderr.contains(words), "\(result.stderr)")
            // One language per message: no English inside the Chinese one, nor the reverse.
            #expect(lang == "zh" ? !result.stderr.contains("refused") : !result.stderr.contains("连接"), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
            expectPlain(result.stderr)
        }
    }

    @Test func anEmptyDatabaseFileIsNamedAsSuch() throws {
        let dir = TemporaryDirectory("msg")
        defer { dir.remove() }
        #expect(FileManager.default.createFile(atPath: dir.file("empty.db"), contents: nil))
        let ktx = KtxProcess(workingDirectory: dir.path)
        let result = try ktx.run(["status", "--db", "empty.db", "--lang", "en"])
        #expect(result.status == 1)
        #expect(result.stderr == "ktx: database file empty.db is empty (0 bytes), not a ktx replica, perhaps an interrupted copy; restore it from a backup, or delete it, run `ktx init` and sync\n")
    }

    @Test func aFloodOfForeignFilesIsSummarised() throws {
        let dir = TemporaryDirectory("msg")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try ktx.ok(["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t", "--attendance", "3"])
        try ktx.ok(["hub", "init", "hub"])
        try ktx.ok(["remote", "add", "usb", "hub"])
        try ktx.ok(["sync"])
        let ops = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.file("hub/ops")).first)
        for i in 0..<50 { _ = FileManager.default.createFile(atPath: dir.file("hub/ops/\(ops)/junk-\(i).txt"), contents: nil) }
        let result = try ktx.run(["sync", "--lang", "en"])
        #expect(result.status == 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines.last == "ktx: … and 45 more like these (50 in all; `ktx sync --format json` lists every one)")
        let json = try ktx.run(["sync", "--format", "json"])
        #expect(json.stdout.components(separatedBy: "\"foreign\"").count - 1 == 50)
    }

    @Test func checkFindsAnUnreadableChunkAndNoWriteGoesOnTopOfIt() throws {
        let dir = TemporaryDirectory("msg")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try ktx.ok(["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t", "--attendance", "3"])
        #expect(try ktx.ok(["check", "--lang", "en"]).hasPrefix("replica sound: 1 chunks and 5 operations read"))
        let queue = try DatabaseQueue(path: dir.file("a.db"))
        try queue.write { try $0.execute(sql: "UPDATE op_chunk SET ops = x'01ff' WHERE rowid = (SELECT max(rowid) FROM op_chunk)") }
        try queue.close()
        let check = try ktx.run(["check", "--lang", "en"])
        #expect(check.status == 1)
        #expect(check.stderr.contains("operations 1–5 of replica"))
        #expect(check.stderr.contains("cannot be read: make a new replica and pull from the hub"))
        let record = try ktx.run(["record", "--kind", "rural", "--date", "2023-05-21", "--title", "u", "--lang", "en"])
        #expect(record.status == 1)
        #expect(record.stderr.contains("the operation log is damaged (operations 1–5 cannot be read); stopped rather than write on top of it"))
        expectPlain(record.stderr)
    }
}
