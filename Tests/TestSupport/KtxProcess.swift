import Foundation

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
    @discardableResult
    public func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // One launch at a time: Foundation's Process.run() on Linux crashed (a bad pointer in
        // its memcpy) when two tests launched ktx at the same moment, in a CI run.
        try Self.launching.withLock { try process.run() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
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
