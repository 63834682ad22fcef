import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// The HTTP hub holds under hostile connections: one address that opens connections and
/// never finishes a request cannot use up the hub's open files, idle and half-sent requests
/// are closed, and offices still sync.
@Suite(.serialized) struct HostileConnectionsTests {
    /// A connection from `source` (any 127.x.y.z is this machine) that sends half a request.
    static func halfRequest(to port: Int, from source: String) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        func address(_ ip: String, _ port: Int) -> sockaddr_in {
            var a = sockaddr_in()
            a.sin_family = sa_family_t(AF_INET)
            a.sin_addr.s_addr = inet_addr(ip)
            a.sin_port = in_port_t(UInt16(port).bigEndian)
            return a
        }
        var local = address(source, 0)
        var remote = address("127.0.0.1", port)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafePointer(to: &local) { l in
            withUnsafePointer(to: &remote) { r in
                l.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) == 0 }
                    && r.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, size) == 0 }
            }
        }
        guard ok else { close(fd); return nil }
        let head = "GET /v1/vector HTTP/1.1\r\nHost: hub\r\n"
        _ = head.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        return fd
    }

    /// Whether the hub still holds the connection open (nothing to read yet, no end of file).
    static func isOpen(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        let n = recv(fd, &byte, 1, Int32(MSG_DONTWAIT))
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    @Test func fifteenHundredHalfSentRequestsUnderAThousandFilesLockNobodyOut() throws {
        // This test's own process holds the 1,500 connections.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let wanted = min(limit.rlim_max, 4096)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted
            setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        let count = min(1_500, Int(wanted) - 200)

        let dir = TemporaryDirectory("hostile")
        defer { dir.remove() }
        let admin = KtxProcess(workingDirectory: dir.path)
        let token = try admin.ok(["hub", "token", "create", "--db", "hub.db", "--role", "township", "--township", "河西镇"])
        let server = try KtxServer(admin, ["--db", "hub.db", "--idle-timeout", "3"], openFiles: 1_024)
        defer { server.stop() }

        let attack = (0..<count).compactMap { _ in Self.halfRequest(to: server.port, from: "127.0.0.2") }
        defer { for fd in attack { close(fd) } }
        #expect(attack.count == count)
        usleep(500_000)
        let held = attack.filter(Self.isOpen).count
        #expect(held == 128)    // --max-connections-per-address: the rest closed at once

        let office = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try office.ok(["init", "--township", "河西镇"])
        try office.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "t", "--attendance", "3"])
        try office.ok(["remote", "add", "county", server.url, "--token", token])
        let synced = try office.run(["sync", "--lang", "en"])
        #expect(synced.status == 0 && synced.stdout.contains("pushed 5 operations"))

        // The half-sent requests are closed once idle for --idle-timeout.
        usleep(4_500_000)
        #expect(attack.filter(Self.isOpen).isEmpty)
        #expect(try office.run(["sync", "--lang", "en"]).status == 0)
    }
}
