import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `ktx` binary, as a user would.
public struct KtxProcess: Sendable {
    /// What one run printed and returned.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The `ktx` binary beside the test bundle (both live in the build products folder).
    public static let binary: String = {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("ktx").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        for root in [".build/debug", ".build/release"] {
            let candidate = FileManager.default.currentDirectoryPath + "/" + root + "/ktx"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return "ktx"
    }()

    public let workingDirectory: String
    public var environment: [String: String]

    public init(workingDirectory: String, environment: [String: String] = [:]) {
        self.workingDirectory = workingDirectory
        var env = ["PATH": "/usr/bin:/bin", "HOME": workingDirectory, "LANG": "C.UTF-8"]
        env.merge(environment) { $1 }
        self.environment = env
    }

    private static let launching = NSLock()

    /// Runs `ktx` with the arguments and waits for it.
    ///
    /// Spawned with `posix_spawn` directly: Foundation's `Process.run()` on Linux walks
    /// `/proc/self/fd` to close every descriptor in the child, and crashed (a bad pointer in its
    /// memcpy over the names "1360", "1361"…) in CI runs while other tests opened and closed
    /// descriptors. Here the child gets its three standard streams; every other descriptor of
    /// this process is close-on-exec (SQLite's, NIO's, and the pipes below).
    @discardableResult
    public func run(_ arguments: [String]) throws -> Result {
        var outPipe: [Int32] = [-1, -1]
        var errPipe: [Int32] = [-1, -1]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // The working directory by coreutils' `env -C` (posix_spawn's chdir action is a GNU
        // extension Swift does not import).
        let argv = (["/usr/bin/env", "-C", workingDirectory, Self.binary] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        // Pipes made and marked close-on-exec under the same lock as the launch, so no other
        // test's child inherits them.
        let spawned: Int32 = Self.launching.withLock {
            guard pipe(&outPipe) == 0 else { return errno }
            guard pipe(&errPipe) == 0 else { return errno }
            for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
            return posix_spawn(&pid, "/usr/bin/env", &actions, nil, argv, envp)
        }
        for fd in [outPipe[1], errPipe[1]] where fd >= 0 { close(fd) }
        guard spawned == 0 else {
            for fd in [outPipe[0], errPipe[0]] where fd >= 0 { close(fd) }
            throw SpawnError(errno: spawned)
        }
        // Both streams are read at once, so a child that fills one pipe never waits on the other.
        let errReader = FileHandle(fileDescriptor: errPipe[0], closeOnDealloc: true)
        let errData = Mutex(Data())
        let done = DispatchSemaphore(value: 0)
        Thread {
            let data = errReader.readDataToEndOfFile()
            errData.withLock { $0 = data }
            done.signal()
        }.start()
        let outData = FileHandle(fileDescriptor: outPipe[0], closeOnDealloc: true).readDataToEndOfFile()
        done.wait()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, else 128 + the signal, as a shell reports it.
        let exitStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return Result(status: exitStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self))
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var errno: Int32
        public var description: String { "could not start ktx: \(String(cString: strerror(errno)))" }
    }

    /// Runs `ktx` and returns its standard output without the final newline; fails unless it exits 0.
    @discardableResult
    public func ok(_ arguments: [String]) throws -> String {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw Failure(arguments: arguments, result: result)
        }
        return result.stdout.hasSuffix("\n") ? String(result.stdout.dropLast()) : result.stdout
    }

    public struct Failure: Error, CustomStringConvertible {
        public var arguments: [String]
        public var result: Result
        public var description: String { "ktx \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)" }
    }
}
