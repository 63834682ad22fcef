import AsyncHTTPClient
import Foundation
import GRDBSQLite
import HubClient
import HubPostgres
import HubServer
import HubStorage
import Logging
import NIOCore
import PostgresNIO
import Store
import SyncCore

/// `ktx-bench hub-load [clients] [operations-per-client]`: township clients pushing at once,
/// through one hub node on SQLite and through two nodes on one PostgreSQL database
/// (`KTX_BENCH_POSTGRES=postgres://USER@HOST:PORT/DB`, password in `PGPASSWORD`; each run
/// makes databases of its own there), beside the raw insert of the same rows: SQLite's C API
/// in one transaction, and PostgreSQL's `COPY`. Nodes and clients share this machine.
enum PushLoad {
    struct Outcome {
        var seconds = 0.0
        var pushes = 0
        var errors = 0
        /// Pushes refused until the township's other PC had pushed the activity they change.
        var waits = 0
        /// The first failure's message, printed with the counts.
        var firstError: String?
        var latencies: [Double] = []
        var stored: Int64 = 0
        /// This process's CPU time (user and system) over the load: the nodes and the clients,
        /// not a PostgreSQL server's.
        var cpuSeconds = 0.0

        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    static func run(_ arguments: [Int]) async throws {
        let clients = arguments.count > 0 ? arguments[0] : 200
        let perClient = arguments.count > 1 ? arguments[1] : 1_000
        let batch = 100
        let workload = Workload(seed: 7, replicaCount: clients, activityCount: clients * perClient / 10,
                                operationCount: clients * perClient)
        let total = workload.count
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ktx-hub-load-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        print("hub load: \(clients) township clients at once, \(total) operations (about \(perClient) each, pushes of \(batch))")
        print(String(repeating: "-", count: 100))

        // SQLite: one node.
        let raw = try rawSQLite(workload, path: "\(dir)/raw.db")
        let sqlite = try await Store.openHub(at: "\(dir)/hub.db")
        let sqliteOutcome = try await load(workload, hubs: [sqlite], paths: ["\(dir)/hub.db"], postgres: nil, batch: batch)
        report("SQLite, 1 node", sqliteOutcome, total: total, baseline: ("raw C API insert", raw))

        guard let url = ProcessInfo.processInfo.environment["KTX_BENCH_POSTGRES"] else {
            print("PostgreSQL: skipped (set KTX_BENCH_POSTGRES=postgres://USER@HOST:PORT/DB and PGPASSWORD)")
            return
        }
        let base = try PostgresLocation(url: url, password: ProcessInfo.processInfo.environment["PGPASSWORD"])
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        try await PostgresAdmin.createDatabase("ktx_load_raw_\(suffix)", on: base)
        let copy = try await rawCopy(workload, location: base.with(database: "ktx_load_raw_\(suffix)"))
        try await PostgresAdmin.createDatabase("ktx_load_hub_\(suffix)", on: base)
        let location = base.with(database: "ktx_load_hub_\(suffix)")
        var logger = Logger(label: "ktx-bench")
        logger.logLevel = .critical
        let node1 = try await PostgresHub.open(location, viewPath: "\(dir)/node1.db", logger: logger)
        let node2 = try await PostgresHub.open(location, viewPath: "\(dir)/node2.db", logger: logger)
        let postgresOutcome = try await load(workload, hubs: [node1, node2], paths: ["\(dir)/node1.db", "\(dir)/node2.db"],
                                             postgres: location, batch: batch)
        report("PostgreSQL, 2 nodes", postgresOutcome, total: total, baseline: ("COPY", copy))
        await node1.close()
        await node2.close()
    }

    static func report(_ name: String, _ o: Outcome, total: Int, baseline: (String, Double)) {
        let rate = Double(total) / o.seconds
        print("\(name): \(fmt(o.seconds)) s, \(Int(rate)) operations/s accepted; \(o.pushes) pushes, \(o.errors) errors, "
              + "\(Int64(total) - o.stored) lost; push latency p50 \(fmt(o.percentile(0.5) * 1000)) ms, p99 \(fmt(o.percentile(0.99) * 1000)) ms")
        if let first = o.firstError { print("  first error: \(first)") }
        print("  pushes refused until the township's other PC had pushed (tried again 20 ms later): \(o.waits)")
        print("  CPU of this process (nodes and clients) over the load: \(fmt(o.cpuSeconds)) s, \(fmt(o.cpuSeconds * 1000 / Double(max(1, o.pushes)))) ms a push")
        print("  baseline, \(baseline.0) of the same \(total) rows: \(fmt(baseline.1)) s (\(Int(Double(total) / baseline.1)) rows/s); "
              + "the hub takes \(fmt(o.seconds / baseline.1))x")
    }

    static func fmt(_ x: Double) -> String { String(format: "%.3f", x) }

    /// User and system CPU time of this process so far, in seconds.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func s(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return s(usage.ru_utime) + s(usage.ru_stime)
    }

    /// Every client pushes its replica's operations in batches, one after another, all
    /// clients at once; client `i` talks to node `i % nodes`.
    static func load(_ workload: Workload, hubs: [any HubBackend], paths: [String], postgres: PostgresLocation?,
                     batch: Int) async throws -> Outcome {
        var logger = Logger(label: "ktx-bench.hub")
        logger.logLevel = .critical
        var urls: [String] = []
        var servers: [Task<Void, any Error>] = []
        var tokens: [String: String] = [:]
        for township in Set(workload.townships) {
            tokens[township] = try await hubs[0].createToken(role: .township, township: township).secret
        }
        for (hub, path) in zip(hubs, paths) {
            let port = try HTTPBench.freePort()
            let configuration = HubConfiguration(databasePath: path, port: port, maxBodyBytes: 8 << 20, logger: logger)
            let app = buildApplication(configuration, hub: hub)
            servers.append(Task { try await app.runService() })
            urls.append("http://127.0.0.1:\(port)")
        }
        defer { for server in servers { server.cancel() } }
        for url in urls {
            for attempt in 0... {
                do { _ = try await HTTPHub(url: url, token: tokens.values.first!).versionVector(); break } catch {
                    if attempt > 100 { throw BenchError("the hub did not start: \(error)") }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
        // Township clients are PCs of their own, each with its own connection: one client
        // object for all of them, with room for a connection each (AsyncHTTPClient's default,
        // 8 connections a host, would queue 192 of the 200 inside the client).
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(60))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: workload.operations.count)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        defer { _ = client.shutdown() }
        let cpuBefore = processCPUSeconds()
        let start = ContinuousClock.now
        let outcomes = try await withThrowingTaskGroup(of: Outcome.self) { group in
            for (i, ops) in workload.operations.enumerated() {
                let hub = HTTPHub(url: urls[i % urls.count], token: tokens[workload.townships[i]]!, client: client)
                let township = workload.townships[i]
                group.addTask {
                    var mine = Outcome()
                    // A sync starts with the vector, as `ktx sync` does: the hub says there
                    // that it takes packed pushes.
                    do { _ = try await hub.versionVector() } catch {
                        mine.errors += 1
                        mine.firstError = "\(error)"
                        return mine
                    }
                    pushes: for from in stride(from: 0, to: ops.count, by: batch) {
                        let part = Array(ops[from..<min(ops.count, from + batch)])
                        // A push changing an activity its township's other PC has not pushed yet
                        // is refused (409) until that PC has: tried again 20 ms later, as the
                        // next sync would. Each request's latency counts, refused or not.
                        for attempt in 0... {
                            let sent = ContinuousClock.now
                            do {
                                try await hub.push(part, township: township, seal: nil)
                                mine.pushes += 1
                                mine.latencies.append(seconds(ContinuousClock.now - sent))
                                break
                            } catch is HubDependency where attempt < 500 {
                                mine.waits += 1
                                mine.latencies.append(seconds(ContinuousClock.now - sent))
                                try await Task.sleep(for: .milliseconds(20))
                            } catch {
                                mine.errors += 1
                                mine.firstError = "\(error)"
                                break pushes
                            }
                        }
                    }
                    return mine
                }
            }
            var all = Outcome()
            for try await o in group {
                all.pushes += o.pushes
                all.errors += o.errors
                all.waits += o.waits
                all.firstError = all.firstError ?? o.firstError
                all.latencies += o.latencies
            }
            return all
        }
        var out = outcomes
        out.seconds = seconds(ContinuousClock.now - start)
        out.cpuSeconds = processCPUSeconds() - cpuBefore
        out.stored = try await hubs[0].operationTotal()
        return out
    }

    /// The same rows through SQLite's C API in one transaction.
    static func rawSQLite(_ workload: Workload, path: String) throws -> Double {
        let raw = try RawSQLite(path: path)
        let start = ContinuousClock.now
        try raw.exec("BEGIN")
        for (r, ops) in workload.operations.enumerated() { try raw.insert(ops, replica: Int64(r)) }
        try raw.exec("COMMIT")
        return seconds(ContinuousClock.now - start)
    }

    /// The same rows through PostgreSQL's `COPY` (text format), into a table like the hub's.
    static func rawCopy(_ workload: Workload, location: PostgresLocation) async throws -> Double {
        var logger = Logger(label: "ktx-bench.copy")
        logger.logLevel = .critical
        try await PostgresAdmin.execute("""
            CREATE TABLE raw_op (replica BIGINT NOT NULL, seq BIGINT NOT NULL, hlc BIGINT NOT NULL, activity TEXT NOT NULL,
            kind SMALLINT NOT NULL, field TEXT NOT NULL, text TEXT NOT NULL, number BIGINT NOT NULL, PRIMARY KEY (replica, seq))
            """, on: location)
        var text = ""
        text.reserveCapacity(workload.count * 60)
        for (r, ops) in workload.operations.enumerated() {
            for op in ops {
                let wire = WireOp(op)
                let value = (wire.text ?? "").replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "\t", with: "\\t").replacingOccurrences(of: "\n", with: "\\n")
                text += "\(r)\t\(wire.seq)\t\(wire.hlc)\t\(wire.activity)\t\(wire.kind)\t\(wire.field)\t\(value)\t\(wire.number ?? 0)\n"
            }
        }
        var configuration = location.configuration
        configuration.options.maximumConnections = 2
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        return try await client.withConnection { connection in
            try await connection.query("SELECT 1", logger: logger)
            let start = ContinuousClock.now
            try await connection.copyFrom(table: "raw_op", logger: logger) { writer in
                var buffer = ByteBuffer()
                for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
                    buffer.writeString(String(line))
                    buffer.writeString("\n")
                    if buffer.readableBytes > 1 << 20 {
                        try await writer.write(buffer)
                        buffer.clear()
                    }
                }
                if buffer.readableBytes > 0 { try await writer.write(buffer) }
            }
            return seconds(ContinuousClock.now - start)
        }
    }
}
