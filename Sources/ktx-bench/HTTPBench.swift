import Foundation
import HubClient
import HubServer
import Logging
import Store
import SyncCore

/// The HTTP figures: a no-op sync between a replica and a hub that both hold every
/// operation, and a full pull into an empty replica, over real HTTP on 127.0.0.1.
enum HTTPBench {
    struct Figures {
        var noop: [Double]
        var pull: Double
        var converged: Bool
    }

    static func run(workload: Workload, dir: String, replica: Store, runs: Int) async throws -> Figures {
        let hubPath = "\(dir)/hub-http.db"
        let hub = try Store.openHub(at: hubPath)
        let merger = try hub.merger()
        for (r, ops) in workload.operations.enumerated() {
            for start in stride(from: 0, to: ops.count, by: 10_000) {
                try merger.add(Array(ops[start..<min(ops.count, start + 10_000)]), townships: [workload.replicas[r]: workload.townships[r]])
            }
        }
        _ = try merger.finish()
        let token = try hub.createToken(role: .county, township: nil).secret
        var logger = Logger(label: "ktx-bench.hub")
        logger.logLevel = .critical
        let port = try freePort()
        let app = try buildApplication(HubConfiguration(databasePath: hubPath, port: port, logger: logger))
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        let client = HTTPHub(url: "http://127.0.0.1:\(port)", token: token)
        for attempt in 0... {
            do { _ = try await client.versionVector(); break } catch {
                if attempt > 100 { throw BenchError("the hub did not start: \(error)") }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        var noop: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            let report = try await SyncSession(store: replica, hub: client).run()
            noop.append(seconds(ContinuousClock.now - start))
            guard report.pushed == 0 && report.pulled == 0 else { throw BenchError("the HTTP no-op sync moved operations") }
        }
        let fresh = try Store.create(at: "\(dir)/http-pull.db", township: "县科协")
        let start = ContinuousClock.now
        _ = try await SyncSession(store: fresh, hub: client, batchSize: 10_000).run()
        let pull = seconds(ContinuousClock.now - start)
        let converged = try fresh.stateDigest() == hub.stateDigest()
        return Figures(noop: noop, pull: pull, converged: converged)
    }

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
