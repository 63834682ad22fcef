import Foundation
import HubClient
import Store
import FolderHub
import SyncCore

/// The operation trace every engine of the comparison reads: a header line
/// `{"format": "ktx-trace 1", "replicas": [hex…], "townships": […]}`, then one line per
/// operation, replica by replica in seq order:
/// `[replica index, seq, hlc, activity, kind, field, value]`, kind 0 set (value a string),
/// 1 add (value an integer), 2 delete (field "" and value null).
enum Trace {
    static func write(_ workload: Workload, to path: String) throws {
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else { throw BenchError("cannot write \(path)") }
        defer { try? handle.close() }
        let header = "{\"format\": \"ktx-trace 1\", \"replicas\": [" + workload.replicas.map { "\"\($0.hex)\"" }.joined(separator: ", ")
            + "], \"townships\": [" + workload.townships.map { JSONValue.quote($0) }.joined(separator: ", ") + "]}\n"
        handle.write(Data(header.utf8))
        var buffer: [UInt8] = []
        for (r, ops) in workload.operations.enumerated() {
            for op in ops {
                buffer.append(contentsOf: "[\(r),".utf8)
                var row: [UInt8] = []
                OperationRow.append(op, to: &row)
                buffer.append(contentsOf: row.dropFirst())
                buffer.append(0x0A)
                if buffer.count > 1 << 20 { handle.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
            }
        }
        handle.write(Data(buffer))
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// Bytes of every file under a folder.
    static func folderBytes(_ path: String) -> Int {
        var total = 0
        let e = FileManager.default.enumerator(atPath: path)
        while let name = e?.nextObject() as? String { total += size(path + "/" + name) }
        return total
    }

    /// Reads the trace in pages of at most `page` operations of one replica, never the
    /// whole file at once.
    static func read(_ path: String, page: Int, _ body: ([Op], [ReplicaID: String]) throws -> Void) throws {
        guard let file = fopen(path, "r") else { throw BenchError("cannot read \(path)") }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        guard getline(&line, &capacity, file) > 0, let first = line else { throw BenchError("empty trace") }
        struct Header: Decodable { var replicas: [String]; var townships: [String] }
        let header = try JSONDecoder().decode(Header.self, from: Data(String(cString: first).utf8))
        let replicas = header.replicas.compactMap(ReplicaID.init(hex:))
        var lines: [UInt8] = [UInt8(ascii: "[")]
        var count = 0
        var current = -1
        func flush() throws {
            guard count > 0 else { return }
            lines.append(UInt8(ascii: "]"))
            let rows = try lines.withUnsafeBytes { WireOp.parseRows($0) } ?? JSONDecoder().decode([WireOp].self, from: Data(lines))
            let ops = try rows.map { try $0.op(replica: replicas[current]) }
            try body(ops, [replicas[current]: header.townships[current]])
            lines = [UInt8(ascii: "[")]
            count = 0
        }
        while true {
            let n = getline(&line, &capacity, file)
            guard n > 0, let text = line else { break }
            // "[r,rest" -> "[rest" for the WireOp decoder.
            let bytes = UnsafeRawBufferPointer(start: text, count: n)
            guard let comma = bytes.firstIndex(of: UInt8(ascii: ",")) else { continue }
            let r = Int(String(decoding: bytes[1..<comma], as: UTF8.self))!
            if r != current || count == page { try flush(); current = r }
            if count > 0 { lines.append(UInt8(ascii: ",")) }
            lines.append(UInt8(ascii: "["))
            lines.append(contentsOf: bytes[(comma + 1)...].prefix { $0 != 0x0A })
            count += 1
        }
        try flush()
        free(line)
    }
}

/// Merges a workload as a pull delivers it: pages of 10,000 operations, round-robin over
/// the replicas (the worst order for coalescing), into one Merger.
enum RoundRobin {
    /// - Parameter signed: pass each page's signed runs, verified by the merger (a page of
    ///   10,000 holds two whole runs of 5,000); false merges the same operations unsigned.
    static func merge(_ workload: Workload, into store: Store, signed: Bool = true) throws {
        let merger = try store.merger()
        var cursors = Array(repeating: 0, count: workload.replicas.count)
        var done = false
        while !done {
            done = true
            for r in workload.replicas.indices where cursors[r] < workload.operations[r].count {
                let end = min(cursors[r] + 10_000, workload.operations[r].count)
                try merger.add(Array(workload.operations[r][cursors[r]..<end]),
                               townships: [workload.replicas[r]: workload.townships[r]],
                               seals: signed ? workload.seals(of: r, startingIn: Int64(cursors[r] + 1)...Int64(end)) : [:])
                cursors[r] = end
                done = false
            }
        }
        _ = try merger.finish()
    }
}

/// Phases measured in their own process, so their peak memory is theirs alone.
enum Child {
    struct Result {
        var seconds: Double
        var maxRSSKiB: Int
    }

    static func run(_ args: [String]) async throws {
        // Each child runs as a `ktx` command does (the raw baseline too): two malloc arenas.
        ProcessMemory.limitArenasForACommand()
        let start = ContinuousClock.now
        switch args[0] {
        case "merge":
            let store = try Store.create(at: args[2], township: "县科协")
            let merger = try store.merger()
            try Trace.read(args[1], page: 10_000) { ops, townships in try merger.add(ops, townships: townships) }
            _ = try merger.finish()
            _ = try await store.totals(by: [.township, .kind])
            try store.checkpoint()
        case "merge-rr":
            // Profiling aid: the table's round-robin merge of a generated workload (args[1]
            // operations over a tenth as many activities, 20 replicas), alone.
            let n = Int(args[1]) ?? 1_000_000
            var workload = Workload(seed: 1, replicaCount: 20, activityCount: n / 10, operationCount: n)
            if ProcessInfo.processInfo.environment["KTX_UNSIGNED"] == nil { try workload.seal() }
            let store = try Store.create(at: args[2], township: "县科协")
            let t = ContinuousClock.now
            try RoundRobin.merge(workload, into: store)
            print("merge", ContinuousClock.now - t)
        case "trace":
            // Writes a trace of args[1] operations over args[3] activities, 20 replicas, to
            // args[2] (to measure the merge child on other shapes of log).
            let workload = Workload(seed: 1, replicaCount: 20, activityCount: Int(args[3]) ?? 100_000,
                                    operationCount: Int(args[1]) ?? 1_000_000)
            try Trace.write(workload, to: args[2])
        case "record":
            // Profiling aid: the record + attend loop of the table, alone.
            let store = try Store.create(at: args[2], township: "镇0")
            for i in 0..<(Int(args[1]) ?? 2_000) {
                let id = try store.record(ActivityDraft(kind: "科技下乡", date: "2023-05-20", title: "活动\(i)",
                                                        quantities: ["attendance": 30]))
                try store.add(to: id, amount: 5)
            }
        case "noop":
            // Profiling aid: args[3] no-op syncs of the replica args[2] with the folder hub
            // args[1] (as kept by `KTX_KEEP=1 ktx-bench scale`).
            let store = try Store.open(at: args[2])
            for _ in 0..<(Int(args[3]) ?? 20) {
                _ = try await SyncSession(store: store, hub: FileHub(path: args[1], writer: try store.identity().replica)).run()
            }
            return
        case "pull":
            let store = try Store.create(at: args[2], township: "县科协")
            _ = try await SyncSession(store: store, hub: FileHub(path: args[1], writer: try store.identity().replica)).run()
            try store.checkpoint()
        case "pull-http":
            // args: URL DB TOKEN (the token last, so DB stays args[2] as for the others).
            let store = try Store.create(at: args[2], township: "县科协")
            _ = try await SyncSession(store: store, hub: HTTPHub(url: args[1], token: args[3]), batchSize: 10_000).run()
            try store.checkpoint()
        case "raw":
            // The memory baseline: the trace's rows inserted with the raw C API, read in
            // pages as the merge child reads them, one transaction.
            let raw = try RawSQLite(path: args[2])
            var numbers: [ReplicaID: Int64] = [:]
            try raw.exec("BEGIN")
            try Trace.read(args[1], page: 10_000) { ops, _ in
                guard let replica = ops.first?.replica else { return }
                let number = numbers[replica] ?? Int64(numbers.count + 1)
                numbers[replica] = number
                try raw.insert(ops, replica: number)
            }
            try raw.exec("COMMIT")
        default:
            throw BenchError("unknown child \(args[0])")
        }
        let elapsed = ContinuousClock.now - start
        let s = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        // VmHWM, not the ru_maxrss wait4 reports: on Linux the latter keeps the parent's peak across
        // the spawn, so a child of a big parent would report the parent's memory.
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let hwm = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }?
            .split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int($0) } ?? -1
        try "\(s) \(hwm)".write(toFile: args[2] + ".seconds", atomically: true, encoding: .utf8)
    }

    static func spawn(_ args: [String]) throws -> Result {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let argv = [exe, "--child"] + args
        var cArgs = argv.map { strdup($0) } + [nil]
        defer { for p in cArgs { free(p) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, exe, nil, nil, &cArgs, environ) == 0 else { throw BenchError("cannot start \(exe)") }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw BenchError("child \(args[0]) failed (status \(status))") }
        let parts = ((try? String(contentsOfFile: args[2] + ".seconds", encoding: .utf8)) ?? "").split(separator: " ")
        return Result(seconds: parts.first.flatMap { Double($0) } ?? .nan, maxRSSKiB: parts.count > 1 ? Int(parts[1]) ?? -1 : -1)
    }
}

/// The peer engines, from `Benchmarks/peers/peers.py` (which installs its packages with pip).
enum Peers {
    struct Figure {
        var name: String
        var seconds: Double?
        var note: String
    }

    static func run(trace: String, runs: Int) -> [Figure] {
        let script = FileManager.default.currentDirectoryPath + "/Benchmarks/peers/peers.py"
        let names = ["loro", "automerge", "pycrdt"]
        guard FileManager.default.fileExists(atPath: script) else {
            return names.map { Figure(name: $0, seconds: nil, note: "Benchmarks/peers/peers.py not found (run from the package root)") }
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, trace, "--runs", String(runs)]
        let out = Pipe()
        process.standardOutput = out
        do { try process.run() } catch {
            return names.map { Figure(name: $0, seconds: nil, note: "python3 not available") }
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // One line per peer: `name seconds` or `name n/a reason`.
        var figures: [Figure] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 2).map(String.init)
            guard parts.count >= 2 else { continue }
            figures.append(Figure(name: parts[0], seconds: Double(parts[1]), note: parts.count > 2 ? parts[2] : ""))
        }
        return figures.isEmpty ? names.map { Figure(name: $0, seconds: nil, note: "the peers script printed nothing") } : figures
    }
}
