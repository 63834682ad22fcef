import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Store
import SyncCore

/// The hub under many clients at once: `connections` clients each sending one request after
/// another for `duration`, as a county's offices and dashboards would all at once.
struct HubLoad {
    struct Result {
        var requests = 0
        var errors = 0
        var timeouts = 0
        var latencies: [Double] = []
        var seconds = 0.0

        var perSecond: Double { Double(requests) / seconds }
        var p50: Double { percentile(0.50) }
        var p99: Double { percentile(0.99) }

        func percentile(_ p: Double) -> Double {
            guard !latencies.isEmpty else { return .nan }
            let sorted = latencies.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
        }
    }

    let url: String
    let token: String
    let connections: Int
    let duration: Duration
    /// A request slower than this counts as a timeout (as wrk's default of 2 s).
    let timeout: TimeAmount = .seconds(2)

    /// Runs `connections` clients for `duration` against one request.
    func run(_ method: HTTPMethod, _ path: String, body: String? = nil) async throws -> Result {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connections
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        let start = ContinuousClock.now
        let end = start + duration
        let results = try await withThrowingTaskGroup(of: Result.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var mine = Result()
                    while ContinuousClock.now < end {
                        var request = HTTPClientRequest(url: url + path)
                        request.method = method
                        request.headers.add(name: "Authorization", value: "Bearer \(token)")
                        if let body {
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.body = .bytes(ByteBuffer(string: body))
                        }
                        let sent = ContinuousClock.now
                        do {
                            let response = try await client.execute(request, timeout: timeout)
                            _ = try await response.body.collect(upTo: 64 << 20)
                            if response.status == .ok { mine.requests += 1 } else { mine.errors += 1 }
                            mine.latencies.append(seconds(ContinuousClock.now - sent))
                        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                            mine.timeouts += 1
                        } catch {
                            mine.errors += 1
                        }
                    }
                    return mine
                }
            }
            var all = Result()
            for try await r in group {
                all.requests += r.requests
                all.errors += r.errors
                all.timeouts += r.timeouts
                all.latencies += r.latencies
            }
            return all
        }
        try await client.shutdown()
        var out = results
        out.seconds = seconds(ContinuousClock.now - start)
        return out
    }

    /// The same query run on the database directly, one after another: its latencies.
    static func direct(_ count: Int, _ body: () async throws -> Void) async rethrows -> Result {
        var out = Result()
        let start = ContinuousClock.now
        for _ in 0..<count {
            let t = ContinuousClock.now
            try await body()
            out.latencies.append(seconds(ContinuousClock.now - t))
            out.requests += 1
        }
        out.seconds = seconds(ContinuousClock.now - start)
        return out
    }
}
