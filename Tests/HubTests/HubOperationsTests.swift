import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import HubServer
import Store
import SyncCore
import Testing
import TestSupport

/// What an operator reads off a running hub: `/metrics`, `/healthz`, and the counts behind
/// `ktx hub status`.
@Suite struct HubOperationsTests {
    @Test func metricsCountRequestsAcceptedAndRefusedOperationsAndReplicasByLastSync() async throws {
        let f = try HubFixture()
        defer { f.remove() }
        try await f.application.test(.router) { client in
            let a = try f.lab.replica("a", township: "河西镇")
            try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t", quantities: ["attendance": 5]))
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(a))) {
                #expect($0.status == .ok)
            }
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(a))) {
                #expect($0.status == .ok)
            }
            try a.setIndicator(IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率"), value: "95")
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(a, after: 5))) {
                #expect($0.status == .forbidden)
            }
            let hex = try a.identity().replica.hex
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = response.body.text
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                #expect(text.contains(#"ktx_hub_requests_total{route="/v1/ops",method="POST",status="200"} 2"#))
                #expect(text.contains(#"ktx_hub_requests_total{route="/v1/ops",method="POST",status="403"} 1"#))
                #expect(text.contains("ktx_hub_operations_accepted_total 5\n"))
                #expect(text.contains("ktx_hub_operations_duplicate_total 5\n"))
                #expect(text.contains(#"ktx_hub_operations_refused_total{reason="county-only"} 1"#))
                #expect(text.contains(#"ktx_hub_replicas{last_sync="1d"} 1.0"#))
                #expect(text.contains("ktx_hub_operations_held 5.0"))
                #expect(text.contains(#"ktx_hub_request_duration_seconds_count{route="/v1/ops"} 3"#))
                // Nothing names a township or a replica.
                #expect(!text.contains("河西镇") && !text.contains(hex))
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }
}
