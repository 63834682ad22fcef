import Foundation
import HubClient
import HubServer
import HubStorage
import Hummingbird
import HummingbirdTesting
import KtxWords
import Store
import SyncCore
import TestSupport
import Testing

/// Real HTTP on a free port: the client (AsyncHTTPClient) against the server builder.
@Suite struct LiveHubTests {
    @Test(arguments: HubFixture.backends) func threeTownshipsAndTheCountySyncOverHTTPThroughACutPull(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let names = ["河西镇", "东街镇", "尖冢镇"]
        let towns = try names.enumerated().map { try f.lab.replica("t\($0.offset)", township: $0.element) }
        let county = try f.lab.replica("county", township: "县科协")
        for (i, store) in towns.enumerated() {
            for j in 0..<(10 + i) {
                let id = try store.record(ActivityDraft(kind: j % 2 == 0 ? "rural" : "museum", date: "2023-0\(1 + j % 9)-10",
                                                        title: "活动\(j)", quantities: ["attendance": Int64(50 + j)]))
                if j % 3 == 0 { try store.add(to: id, amount: 7) }
                if j == 4 { try store.delete(id) }
            }
        }
        try await f.application.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            func hub(_ token: String) -> HTTPHub { HTTPHub(url: url, token: token) }
            for (i, store) in towns.enumerated() {
                let report = try await SyncSession(store: store, hub: hub(f.township[names[i]]!), batchSize: 8).run()
                #expect(report.pushed > 0)
            }
            // The county's pull is cut after the vector and two pages, then resumes.
            let cut = InterruptingHub(hub(f.county), calls: 3)
            await #expect(throws: InterruptingHub.Cut.self) {
                try await SyncSession(store: county, hub: cut, batchSize: 10).run()
            }
            // Pages of the streamed pull are whole runs of a replica: the cut leaves some, not all.
            let partial = try await county.operationCounts().total
            var total: Int64 = 0
            for store in towns { total += try await store.operationCounts().own }
            #expect(partial > 0 && partial < total)
            let resumed = try await SyncSession(store: county, hub: hub(f.county), batchSize: 10).run()
            #expect(resumed.pushed == 0)
            for (i, store) in towns.enumerated() {
                try await SyncSession(store: store, hub: hub(f.township[names[i]]!), batchSize: 8).run()
            }
            let digests = try (towns + [county, f.hub]).map { try $0.stateDigest() }
            #expect(Set(digests).count == 1)
            for by in ["", "township,kind", "quarter,month"] {
                let served = try await hub(f.county).totalsJSON(query: by.isEmpty ? "" : "by=\(by)")
                let keys = try GroupKey.parseList(by)
                for store in towns + [county] {
                    #expect(TotalsRow.json(try await store.totals(by: keys), keys: keys, catalog: .standard).render() == served)
                }
            }
        }
    }

    @Test(arguments: HubFixture.backends) func theStreamedPullAndTheJSONPagesBringTheSameHub(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let town = try f.lab.replica("t", township: "河西镇")
        for j in 0..<300 {
            let id = try town.record(ActivityDraft(kind: "rural", date: "2023-04-0\(1 + j % 9)", title: "活动\(j)", quantities: ["attendance": Int64(j)]))
            if j % 5 == 0 { try town.add(to: id, amount: 2) }
        }
        let streamed = try f.lab.replica("c1", township: "县科协")
        let paged = try f.lab.replica("c2", township: "县科协")
        try await f.application.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            try await SyncSession(store: town, hub: HTTPHub(url: url, token: f.township["河西镇"]!), batchSize: 100).run()
            let one = HTTPHub(url: url, token: f.county)
            let two = HTTPHub(url: url, token: f.county)
            await two.setStreams(false)
            let a = try await SyncSession(store: streamed, hub: one, batchSize: 40).run()
            let b = try await SyncSession(store: paged, hub: two, batchSize: 40).run()
            #expect(a.pulled == b.pulled && a.pulled > 1_000)
            #expect(try streamed.stateDigest() == paged.stateDigest())
            #expect(try streamed.stateDigest() == town.stateDigest())
            // Packed as the log stores them, the operations take a fraction of the JSON's bytes.
            let (streamBytes, jsonBytes) = (await one.bodyBytes.received, await two.bodyBytes.received)
            #expect(streamBytes * 3 < jsonBytes, "stream \(streamBytes) B, JSON \(jsonBytes) B")
        }
    }

    @Test(arguments: HubFixture.backends) func clientErrorsSayWhatToCheckAndTouchNothing(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let a = try f.lab.replica("a", township: "河西镇")
        try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t"))
        let before = try a.stateDigest()
        try await f.application.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            await #expect { try await SyncSession(store: a, hub: HTTPHub(url: url, token: "ktx_wrong")).run() }
                throws: { ($0 as? KtxError)?.code == .hubUnauthorized && ($0 as! KtxError).en.hasPrefix("the hub at \(url) rejected the token") }
            // The admin's token may not push; the sync says so, and pulls all the same.
            let report = try await SyncSession(store: a, hub: HTTPHub(url: url, token: f.admin)).run()
            #expect(report.pushed == 0)
            #expect(report.pushRefusals.map(\.code) == [.hubForbidden])
            #expect(report.pushRefusals.first?.en.contains("only township and county tokens push") == true)
        }
        await #expect { try await SyncSession(store: a, hub: HTTPHub(url: "http://127.0.0.1:1", token: f.county, timeout: .seconds(5))).run() }
            throws: { ($0 as? KtxError)?.code == .hubUnreachable && ($0 as! KtxError).en.hasSuffix("check the connection and the address; local data is untouched") }
        #expect(try a.stateDigest() == before)
        #expect(try a.remotes().isEmpty)
    }

    @Test(arguments: HubFixture.backends) func twoReplicasOfOneTownshipRelayEachOthersChanges(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        // b edits a's activity before a has pushed it: b's push waits for a's, in the same sync.
        // b's id sorts first, so its batch is tried before a's.
        let keys = ReplicaLab.orderedKeys(2)
        let a = try f.lab.replica("a", township: "河西镇", key: keys[1])
        let b = try f.lab.replica("b", township: "河西镇", key: keys[0])
        let aID = try a.identity().replica
        let id = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t", quantities: ["attendance": 5]))
        try b.merge(try a.operations(of: aID, after: 0, limit: 100), townships: [aID: "河西镇"])
        try b.add(to: id, amount: 3)
        try await f.application.test(.live) { client in
            let hub = HTTPHub(url: "http://127.0.0.1:\(client.port!)", token: f.township["河西镇"]!)
            let report = try await SyncSession(store: b, hub: hub).run()
            #expect(report.pushed == 6)
        }
        #expect(try await f.hub.totals().first?.quantities["attendance"] == 8)
    }
}

extension LiveHubTests {
    @Test(arguments: HubFixture.backends) func statusCountsOnlyWhatTheHTTPHubWouldTakeFromThisOffice(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let a = try f.lab.replica("a", township: "河西镇")
        let u = try f.lab.replica("u", township: "东街镇")
        try u.record(ActivityDraft(kind: "museum", date: "2023-06-01", title: "东街"))
        try await f.lab.sync(u, hub: "usb")
        try await f.lab.sync(a, hub: "usb")  // a now holds 东街镇's operations, which it may not push over HTTP
        try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "河西"))
        try await f.application.test(.live) { client in
            try a.addRemote(name: "county", location: "http://127.0.0.1:\(client.port!)", token: f.township["河西镇"]!)
            #expect(try a.remotes().first?.unsynced == 4)
            let remote = try a.resolveRemote("county")
            let report = try await SyncSession(store: a, hub: HTTPHub(url: remote.location, token: try a.token(for: remote)),
                                               remote: "county").run()
            #expect(report.pushed == 4)
            #expect(try a.remotes().first?.unsynced == 0)
        }
        #expect(try await f.hub.totals(by: [.township]).map { $0.group[.township] } == ["河西镇"])
    }
}

/// The convergence property, through the HTTP hub.
@Suite struct HTTPConvergenceTests {

    @Test(arguments: ConvergenceSeeds.lanes(defaultCount: 100))
    func replicasConvergeThroughTheHTTPHub(seeds: [UInt64]) async throws {
        for seed in seeds { try await converge(seed: seed) }
    }

    func converge(seed: UInt64) async throws {
        let f = try await HubFixture()
        defer { f.remove() }
        try await f.application.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            let tokens = f.township
            let outcome = try await ConvergenceScenario(seed: seed).run(in: f.lab) { store in
                HTTPHub(url: url, token: tokens[try store.identity().township] ?? f.county)
            }
            #expect(Set(outcome.digests + [try f.hub.stateDigest()]).count == 1, "seed \(seed): replicas diverged")
            #expect(outcome.totalsAgree, "seed \(seed): totals differ")
            #expect(outcome.ruleMismatches.isEmpty, "seed \(seed): \(outcome.ruleMismatches)")
            #expect(outcome.recorded == outcome.kept, "seed \(seed): \(outcome.recorded) activities recorded, \(outcome.kept) kept")
        }
    }
}
