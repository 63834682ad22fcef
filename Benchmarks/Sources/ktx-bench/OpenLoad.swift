import AsyncHTTPClient
import Foundation
import HubClient
import HubPostgres
import HubServer
import HubStorage
import Logging
import NIOCore
import Store
import SyncCore

/// `ktx-bench hub-open-load [rate …]`: an open-loop load on one SQLite hub node, as wrk2 makes
/// one. 200 township clients push batches of 100 operations on a fixed schedule: at R pushes a
/// second, push k is due at start + k/R, client k mod 200 sends it (a client's pushes go in
/// order, as a PC's do); its latency runs from when it was due, so a hub that falls behind is
/// charged for the wait it causes (no coordinated omission). The hub runs in a process of its
/// own pinned to core 0 (`taskset -c 0`); run the load on the other core:
///
///     taskset -c 1 Benchmarks/.build/release/ktx-bench hub-open-load 200 400 600 800
///
/// Each rate runs 8 s on a new hub database. Printed per rate: intended and achieved rate,
/// p50 and p99 latency, errors; then the highest rate whose p99 is at most 100 ms.
enum OpenLoad {
    static let clients = 200
    static let batch = 100
    static let seconds = 8.0

    struct Outcome {
        var rate: Int
        var achieved = 0.0
        var latencies: [Double] = []
        var errors = 0
        var firstError: String?

        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    static func run(_ rates: [Int]) async throws {
        let rates = rates.isEmpty ? [200, 400, 600, 800, 1_000] : rates
        print("hub open-loop load: \(clients) township clients, pushes of \(batch) operations on a schedule, \(Int(seconds)) s a rate; "
              + "the hub pinned to core 0 (taskset), latency from each push's scheduled time")
        print(String(repeating: "-", count: 100))
        var outcomes: [Outcome] = []
        for rate in rates {
            let outcome = try await load(rate: rate)
            outcomes.append(outcome)
            print("intended \(rate) pushes/s: achieved \(Int(outcome.achieved)) pushes/s, p50 \(fmt(outcome.percentile(0.5) * 1000)) ms, "
                  + "p99 \(fmt(outcome.percentile(0.99) * 1000)) ms, \(outcome.latencies.count) pushes, \(outcome.errors) errors"
                  + (outcome.firstError.map { " (first: \($0))" } ?? ""))
        }
        let met = outcomes.filter { $0.errors == 0 && $0.percentile(0.99) <= 0.100 }.map(\.rate).max()
        print("highest rate with p99 <= 100 ms and no errors: \(met.map { "\($0) pushes/s (\($0 * batch) operations/s)" } ?? "none of the rates run") "
              + "(goal: >= 500 pushes/s on one core)")

        // Two PostgreSQL nodes, when a server is named; pin its processes to core 0 too
        // (`taskset -a -p -c 0 PID` for each of `pgrep postgres`), so nodes and server share it.
        guard let url = ProcessInfo.processInfo.environment["KTX_BENCH_POSTGRES"] else {
            print("PostgreSQL, 2 nodes: skipped (set KTX_BENCH_POSTGRES=postgres://USER@HOST:PORT/DB and PGPASSWORD)")
            return
        }
        let base = try PostgresLocation(url: url, password: ProcessInfo.processInfo.environment["PGPASSWORD"])
        var pg: [Outcome] = []
        for rate in rates {
            let outcome = try await load(rate: rate, postgres: base)
            pg.append(outcome)
            print("PostgreSQL, 2 nodes: intended \(rate) pushes/s: achieved \(Int(outcome.achieved)) pushes/s, p50 \(fmt(outcome.percentile(0.5) * 1000)) ms, "
                  + "p99 \(fmt(outcome.percentile(0.99) * 1000)) ms, \(outcome.latencies.count) pushes, \(outcome.errors) errors"
                  + (outcome.firstError.map { " (first: \($0))" } ?? ""))
        }
        let pgMet = pg.filter { $0.errors == 0 && $0.percentile(0.99) <= 0.100 }.map(\.rate).max()
        print("PostgreSQL, 2 nodes: highest rate with p99 <= 100 ms and no errors: \(pgMet.map { "\($0) pushes/s" } ?? "none of the rates run")")
    }

    static func fmt(_ x: Double) -> String { String(format: "%.1f", x) }

    /// One rate on a new hub database, served by a child process pinned to core 0 (two nodes
    /// on a new PostgreSQL database, when `postgres` is given; clients alternate between them).
    static func load(rate: Int, postgres: PostgresLocation? = nil) async throws -> Outcome {
        let pushes = Int(Double(rate) * seconds)
        let perClient = (pushes + clients - 1) / clients * batch
        var workload = Workload(seed: 11, replicaCount: clients, activityCount: clients * perClient / 10, operationCount: clients * perClient)
        // Each PC changes only its own activities here: on a schedule, a push changing its
        // partner's activity could be due before the partner's push that records it (a 409
        // until then), which would measure the schedule, not the hub.
        for r in workload.operations.indices {
            let own = workload.operations[r].map(\.activity).filter { $0.rawValue.hasPrefix(workload.replicas[r].short + "-") }
            let ownSet = Set(own)
            workload.operations[r] = workload.operations[r].map { op in
                guard !ownSet.contains(op.activity) else { return op }
                return Op(replica: op.replica, seq: op.seq, timestamp: op.timestamp, activity: own[Int(op.seq) % own.count], change: op.change)
            }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ktx-open-load-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var tokens: [String: String] = [:]
        var location: PostgresLocation?
        if let postgres {
            let name = "ktx_open_\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
            try await PostgresAdmin.createDatabase(name, on: postgres)
            location = postgres.with(database: name)
            var logger = Logger(label: "ktx-bench")
            logger.logLevel = .critical
            let admin = try await PostgresHub.open(location!, viewPath: nil, logger: logger)
            for township in Set(workload.townships) {
                tokens[township] = try await admin.createToken(role: .township, township: township).secret
            }
            await admin.close()
        } else {
            let hubStore = try Store.openHub(at: "\(dir)/hub0.db")
            for township in Set(workload.townships) {
                tokens[township] = try await hubStore.createToken(role: .township, township: township).secret
            }
            try hubStore.checkpoint()
        }
        var urls: [String] = []
        var children: [Process] = []
        defer { for child in children { child.terminate(); child.waitUntilExit() } }
        for node in 0..<(postgres == nil ? 1 : 2) {
            let port = try HTTPBench.freePort()
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/usr/bin/taskset")
            child.arguments = ["-c", "0", CommandLine.arguments[0], "--serve-hub", "\(dir)/hub\(node).db", String(port)]
                + (location.map { [$0.display] } ?? [])
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            children.append(child)
            let url = "http://127.0.0.1:\(port)"
            urls.append(url)
            for attempt in 0... {
                do { _ = try await HTTPHub(url: url, token: tokens.values.first!).versionVector(); break } catch {
                    if attempt > 400 { throw BenchError("the hub did not start: \(error)") }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(60))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: clients)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        defer { _ = client.shutdown() }

        let start = ContinuousClock.now + .milliseconds(200)
        let interval = Duration.nanoseconds(Int64(1e9 / Double(rate)))
        let results = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for c in 0..<clients {
                let hub = HTTPHub(url: urls[c % urls.count], token: tokens[workload.townships[c]]!, client: client)
                let township = workload.townships[c]
                let ops = workload.operations[c]
                group.addTask {
                    var mine = Outcome(rate: rate)
                    // Push k of the whole load is this client's when k % clients == c.
                    var j = 0
                    for k in stride(from: c, to: pushes, by: clients) {
                        let due = start + interval * k
                        try await Task.sleep(until: due, clock: .continuous)
                        let part = Array(ops[min(ops.count, j * batch)..<min(ops.count, (j + 1) * batch)])
                        j += 1
                        guard !part.isEmpty else { break }
                        for attempt in 0... {
                            do {
                                try await hub.push(part, township: township, seal: nil)
                                mine.latencies.append(Double((ContinuousClock.now - due).components.attoseconds) / 1e18
                                                      + Double((ContinuousClock.now - due).components.seconds))
                                break
                            } catch is HubDependency where attempt < 500 {
                                // Refused until the township's other PC has pushed: again 20 ms later.
                                try await Task.sleep(for: .milliseconds(20))
                            } catch {
                                mine.errors += 1
                                mine.firstError = mine.firstError ?? "\(error)"
                                break
                            }
                        }
                    }
                    return mine
                }
            }
            var all = Outcome(rate: rate)
            for try await o in group {
                all.latencies += o.latencies
                all.errors += o.errors
                all.firstError = all.firstError ?? o.firstError
            }
            return all
        }
        var out = results
        let elapsed = ContinuousClock.now - start
        out.achieved = Double(out.latencies.count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        return out
    }

    /// The child: one hub node on `path` (or, with `postgres`, a node of that database whose
    /// copy is at `path`), at `port`, until terminated.
    static func serve(path: String, port: Int, postgres: String?) async throws {
        var logger = Logger(label: "ktx-bench.hub")
        logger.logLevel = .critical
        let location = try postgres.map { try PostgresLocation(url: $0, password: ProcessInfo.processInfo.environment["PGPASSWORD"]) }
        var configuration = HubConfiguration(databasePath: path, port: port, maxBodyBytes: 8 << 20, logger: logger)
        configuration.maxConnectionsPerAddress = 1_000
        let hub: any HubBackend = if let location {
            try await PostgresHub.open(location, viewPath: path, logger: logger)
        } else {
            try Store.openHub(at: path)
        }
        try await serveHub(configuration, hub: hub)
    }
}
