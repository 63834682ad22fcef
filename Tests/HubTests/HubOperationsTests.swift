import Foundation
import HTTPTypes
import HubServer
@testable import HubStorage
import Hummingbird
import HummingbirdTesting
@testable import Store
import SyncCore
import TestSupport
import Testing

/// What an operator reads off a running hub: `/metrics`, `/healthz`, and the counts behind
/// `ktx hub status`.
@Suite struct HubOperationsTests {
    @Test(arguments: HubFixture.backends) func metricsCountRequestsAcceptedAndRefusedOperationsAndReplicasByLastSync(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
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
            try a.setIndicator(IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率"), value: "95", checkingRights: false)
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

/// Scoped pulls: a township's replica on a large hub pulls only its township's replicas and
/// the county's.
@Suite struct ScopedPullTests {
    @Test(arguments: HubFixture.backends) func aTownshipScopedPullCarriesItsTownshipAndTheCountyOnly(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let a = try f.lab.replica("a", township: "河西镇")
        let b = try f.lab.replica("b", township: "东街镇")
        let c = try f.lab.replica("c", township: "县科协", role: .county)
        try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "河西活动"))
        try b.record(ActivityDraft(kind: "rural", date: "2023-05-21", title: "东街活动"))
        try c.setIndicator(IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率"), value: "92")
        try await f.application.test(.router) { client in
            for (store, token) in [(a, f.township["河西镇"]!), (b, f.township["东街镇"]!), (c, f.county)] {
                try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(token), body: json(try f.batch(store))) {
                    #expect($0.status == .ok)
                }
            }
            func replicas(_ token: String, _ body: String) async throws -> (HTTPResponse.Status, Set<String>) {
                try await client.execute(uri: "/v1/pull", method: .post, headers: bearer(token), body: ByteBuffer(string: body)) { response in
                    guard response.status == .ok else { return (response.status, []) }
                    let page = try response.body.decode(HubAPI.PullPage.self)
                    return (response.status, Set(page.batches.map(\.replica)))
                }
            }
            let ids = (a: try a.identity().replica.hex, b: try b.identity().replica.hex, c: try c.identity().replica.hex)
            let scoped = try await replicas(f.township["河西镇"]!, #"{"after": {}, "scope": "township"}"#)
            #expect(scoped == (.ok, [ids.a, ids.c]))
            let everything = try await replicas(f.township["河西镇"]!, #"{"after": {}}"#)
            #expect(everything == (.ok, [ids.a, ids.b, ids.c]))
            #expect(try await replicas(f.county, #"{"after": {}, "scope": "township"}"#).0 == .forbidden)
            #expect(try await replicas(f.township["河西镇"]!, #"{"after": {}, "scope": "province"}"#).0 == .unprocessableContent)
        }
    }

    /// A hub made when its own replica was named `hub` (and printed so on the county's form
    /// as if it were a township): opened by this ktx, it carries the county office's name,
    /// and its values stay its own.
    @Test func aHubMadeUnderTheNameHubTakesTheCountyOfficesName() throws {
        let lab = ReplicaLab("hub-name")
        defer { lab.remove() }
        let path = lab.dir.file("hub.db")
        let key = IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率")
        do {
            let old = try Store.create(at: path, township: "hub", role: .county, wallClock: lab.clock)
            try old.registerHubAsCounty()
            try old.setIndicator(key, value: "92")
            #expect(try old.freshness().map(\.township) == ["hub"])
        }
        let hub = try Store.openHub(at: path, wallClock: lab.clock)
        #expect(try hub.identity().township == Store.countyOffice)
        #expect(try hub.freshness().map(\.township) == [Store.countyOffice])
        #expect(try hub.replicaSummaries().map(\.township) == [Store.countyOffice])
        #expect(try hub.indicatorValues(year: 2023)[key] == "92")
        // A hub made now carries the name from the start; a replica named "hub" by its
        // township is left as it is.
        #expect(try Store.openHub(at: lab.dir.file("new.db")).identity().township == Store.countyOffice)
        let office = try Store.create(at: lab.dir.file("office.db"), township: "hub")
        #expect(try Store.open(at: office.path).identity().township == "hub")
    }
}
