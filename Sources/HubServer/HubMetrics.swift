import Foundation
import HubStorage
import Prometheus
import Store

/// What `/metrics` tells Prometheus: requests and their latencies by route, operations
/// accepted and refused by reason, and, read at each scrape, the replicas by their last sync.
/// Labels never name a township or a replica (the county's data stays behind the login).
public final class HubMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let buckets: [Duration] = [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5)]

    /// A registry of the hub's counters and histograms.
    public init() {}

    /// One request, labelled by the route the router matched (`/v1/tokens/{id}`, never a
    /// path as sent, so the number of series stays bounded).
    func request(method: String, route: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: .init(namespace: "ktx", subsystem: "hub", metricName: "requests", unitName: "total",
                                               helpText: "HTTP requests by route, method and status"),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: .init(namespace: "ktx", subsystem: "hub", metricName: "request_duration", unitName: "seconds",
                                                         helpText: "HTTP request latency by route"),
                                       labels: [("route", route)], buckets: Self.buckets).record(duration)
    }

    func accepted(_ operations: Int, duplicates: Int) {
        registry.makeCounter(descriptor: .init(namespace: "ktx", subsystem: "hub", metricName: "operations_accepted", unitName: "total",
                                               helpText: "Operations pushed and stored (new to the hub)")).increment(by: Int64(operations))
        registry.makeCounter(descriptor: .init(namespace: "ktx", subsystem: "hub", metricName: "operations_duplicate", unitName: "total",
                                               helpText: "Operations pushed that the hub held already")).increment(by: Int64(duplicates))
    }

    func refused(_ operations: Int, reason: String) {
        registry.makeCounter(descriptor: .init(namespace: "ktx", subsystem: "hub", metricName: "operations_refused", unitName: "total",
                                               helpText: "Operations of refused pushes, by reason (future-timestamp is a clock ahead)"),
                             labels: [("reason", reason)]).increment(by: Int64(operations))
    }

    /// The exposition text, with the replicas' last syncs read now.
    func render(store: Store, now: Int64) throws -> String {
        let summaries = try store.replicaSummaries()
        var counts: [String: Int] = ["1d": 0, "7d": 0, "30d": 0, "older": 0, "never": 0]
        for s in summaries {
            guard let last = s.lastSeen else { counts["never", default: 0] += 1; continue }
            let age = now - last
            let bucket = age <= 86_400_000 ? "1d" : age <= 7 * 86_400_000 ? "7d" : age <= 30 * 86_400_000 ? "30d" : "older"
            counts[bucket, default: 0] += 1
        }
        for (bucket, n) in counts {
            registry.makeGauge(descriptor: .init(namespace: "ktx", subsystem: "hub", metricName: "replicas",
                                                 unitName: "", helpText: "Replicas (PCs) by how long ago they last synced or pushed"),
                               labels: [("last_sync", bucket)]).set(to: Double(n))
        }
        let counts2 = try store.operationCounts()
        registry.makeGauge(descriptor: .init(namespace: "ktx", subsystem: "hub", metricName: "operations_held",
                                             unitName: "", helpText: "Operations the hub holds")).set(to: Double(counts2.total))
        return registry.emitToString()
    }
}
