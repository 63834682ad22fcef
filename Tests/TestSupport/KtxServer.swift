import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `ktx hub serve` run from the built binary in the background, as a county runs it, on a
/// free port of 127.0.0.1; stopped (SIGTERM, then waited for) by ``stop()``.
public final class KtxServer: @unchecked Sendable {
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)" }
    private let pid: pid_t

    /// Starts the hub and waits until `/healthz` answers (at most 60 s).
    ///
    /// - Parameters:
    ///   - arguments: after `hub serve` (`--db hub.db`, options); `--port` is added.
    ///   - openFiles: the process's limit of open files (`ulimit -n`), as a hub's may be.
    public init(_ ktx: KtxProcess, _ arguments: [String], openFiles: Int? = nil) throws {
        port = try Self.freePort()
        let serve = [KtxProcess.binary, "hub", "serve", "--port", String(port)] + arguments
        let command = openFiles.map { ["/bin/sh", "-c", "ulimit -n \($0) && exec \"$@\"", "sh"] + serve } ?? serve
        let argv = (["/usr/bin/env", "-C", ktx.workingDirectory] + command).map { strdup($0) } + [nil]
        let envp = ktx.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, ktx.workingDirectory + "/hub-serve.log", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp)
        guard spawned == 0 else { throw KtxProcess.SpawnError(errno: spawned) }
        self.pid = pid
        for _ in 0..<600 {
            if Self.answers(port: port) { return }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let log = (try? String(contentsOfFile: ktx.workingDirectory + "/hub-serve.log", encoding: .utf8)) ?? ""
                throw StartError(description: "ktx hub serve exited: \(log)")
            }
            usleep(100_000)
        }
        stop()
        throw StartError(description: "ktx hub serve did not answer on port \(port) within 60 s")
    }

    public struct StartError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Stops the hub and waits for it to exit.
    public func stop() {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    /// A port nothing listens on now: bound to 0, read, closed.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw StartError(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts a TCP connection on the port and answers `/healthz` with 200.
    static func answers(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return false }
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 12 && String(decoding: buffer[0..<n], as: UTF8.self).hasPrefix("HTTP/1.1 200")
    }
}
