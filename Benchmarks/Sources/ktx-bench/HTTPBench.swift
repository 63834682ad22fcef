import Foundation
import HubClient
import HubServer
import HubStorage
import Logging
import Store
import SyncCore

/// The county's HTTP hub (`buildApplication`, as `ktx hub serve`) served in this process on
/// a free port of 127.0.0.1, over a hub database holding every operation of the workload
/// (merged directly, not timed; with their signed runs when the workload is sealed). Clients are AsyncHTTPClient, as in `ktx sync`.
final class HTTPBench {
    let url: String
    let token: String
    let hub: Store
    private let server: Task<Void, any Error>

    init(workload: Workload, dir: String) async throws {
        let hubPath = "\(dir)/hub-http.db"
        hub = try Store.openHub(at: hubPath)
        let merger = try hub.merger()
        // Signed as the offices sign them (when the workload is sealed): a pull receives and
        // verifies the runs as a real one does.
        for (r, ops) in workload.operations.enumerated() {
            for start in stride(from: 0, to: ops.count, by: 10_000) {
                let end = min(ops.count, start + 10_000)
                try merger.add(Array(ops[start..<end]), townships: [workload.replicas[r]: workload.townships[r]],
                               seals: workload.seals(of: r, startingIn: Int64(start + 1)...Int64(end)))
            }
        }
        _ = try merger.finish()
        // A township's token: it pulls everything and may push that township's operations.
        token = try hub.createToken(role: .township, township: "镇0").secret
        var logger = Logger(label: "ktx-bench.hub")
        logger.logLevel = .critical
        let port = try Self.freePort()
        url = "http://127.0.0.1:\(port)"
        let app = try buildApplication(HubConfiguration(databasePath: hubPath, port: port, logger: logger))
        server = Task { try await app.runService() }
        let probe = client()
        for attempt in 0... {
            do { _ = try await probe.versionVector(); break } catch {
                if attempt > 100 { throw BenchError("the hub did not start: \(error)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    func client() -> HTTPHub { HTTPHub(url: url, token: token) }

    /// One sync of `store` with the hub: its time and the body bytes it moved.
    func sync(_ store: Store, batchSize: Int = 10_000) async throws -> (seconds: Double, report: SyncReport, bytes: Int) {
        let client = client()
        let start = ContinuousClock.now
        let report = try await SyncSession(store: store, hub: client, batchSize: batchSize).run()
        let elapsed = seconds(ContinuousClock.now - start)
        let moved = await client.bodyBytes
        return (elapsed, report, moved.sent + moved.received)
    }

    /// The times of `count` syncs of `store` that must move nothing (it holds what the hub holds).
    func noopSyncs(_ store: Store, count: Int) async throws -> [Double] {
        var times: [Double] = []
        for _ in 0..<count {
            let sync = try await self.sync(store)
            guard sync.report.pushed == 0 && sync.report.pulled == 0 else { throw BenchError("the HTTP no-op sync moved operations") }
            times.append(sync.seconds)
        }
        return times
    }

    func stop() { server.cancel() }

    /// A TCP port nobody listens on now, from the kernel.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("no socket") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw BenchError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
