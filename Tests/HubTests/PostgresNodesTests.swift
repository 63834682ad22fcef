import Foundation
import HubClient
import HubPostgres
import HubServer
import HubStorage
import Hummingbird
import HummingbirdTesting
import KtxWords
import Logging
import Store
import SyncCore
import TestSupport
import Testing

/// Several `ktx hub serve` nodes on one PostgreSQL database are one hub: pushes of one
/// replica taken by two nodes at once are stored once each, in order; clients may use any
/// node; a database that stops answering gives 503s with a retry hint, never a crash.
@Suite(.enabled(if: HubFixture.postgresURL != nil, "set KTX_TEST_POSTGRES to run the PostgreSQL node tests"))
struct PostgresNodesTests {
    func office(_ f: HubFixture, _ name: String, township: String, activities: Int) throws -> Store {
        let store = try f.lab.replica(name, township: township)
        for i in 0..<activities {
            let id = try store.record(ActivityDraft(kind: i % 2 == 0 ? "rural" : "museum", date: "2023-0\(1 + i % 9)-12",
                                                    title: "\(name) 活动\(i)", quantities: ["attendance": Int64(10 + i)]))
            if i % 4 == 0 { try store.add(to: id, amount: 3) }
        }
        return store
    }

    @Test func twoNodesTakingTheSameReplicasBatchesAtOnceStoreEachOperationOnce() async throws {
        let f = try await HubFixture(.postgres)
        defer { f.remove() }
        let (node2, _) = try await f.secondNode()
        defer { Task { await node2.close() } }
        let nodes = [f.backend, node2]
        let offices = [("a", "河西镇"), ("b", "河西镇"), ("c", "东街镇")]
        var stores: [Store] = []
        for (name, township) in offices { stores.append(try office(f, name, township: township, activities: 40)) }

        for (store, (_, township)) in zip(stores, offices) {
            let me = try store.identity().replica
            let ops = try store.operations(of: me, after: 0, limit: 10_000)
            let caller = try #require(try await f.backend.authenticate(secret: f.township[township]!))
            let half = ops.count / 2
            // Rounds of two batches sent to the two nodes at the same moment: the same batch,
            // then overlapping ones, then the rest twice.
            let rounds: [(Range<Int>, Range<Int>)] = [(0..<half, 0..<half), (half - 20..<half + 30, half..<ops.count),
                                                      (0..<ops.count, half..<ops.count)]
            var accepted = 0
            var duplicates = 0
            for (first, second) in rounds {
                let outcomes = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                    for (node, range) in zip(nodes, [first, second]) {
                        let batch = Array(ops[range])
                        group.addTask {
                            do {
                                let counts = try await node.accept(batch, replica: me, announcedTownship: township, caller: caller, seals: [])
                                return (counts.accepted, counts.duplicates)
                            } catch let rejection as HubRejection where rejection.code == .missingOperations {
                                return (0, 0)  // its start came before the other's commit: the client pushes again
                            }
                        }
                    }
                    return try await group.reduce(into: [(Int, Int)]()) { $0.append($1) }
                }
                accepted += outcomes.map(\.0).reduce(0, +)
                duplicates += outcomes.map(\.1).reduce(0, +)
            }
            #expect(accepted == ops.count, "every operation accepted exactly once")
            #expect(duplicates > 0)
        }
        let total = try await stores.asyncMap { try await $0.operationCounts().total }.reduce(0, +)
        #expect(try await f.backend.operationTotal() == total)
        // Both nodes' copies hold the same hub, and a county pulling through either converges.
        for node in nodes { try await node.refresh(details: false) }
        #expect(try f.backend.view.stateDigest() == node2.view.stateDigest())
        #expect(try await f.backend.view.operationCounts().total == total)
        #expect(try await node2.view.operationCounts().total == total)
    }

    @Test func clientsAlternatingBetweenTwoNodesConvergeAndTheCountySeesEverything() async throws {
        let f = try await HubFixture(.postgres)
        defer { f.remove() }
        let (node2, configuration2) = try await f.secondNode()
        defer { Task { await node2.close() } }
        let second = buildApplication(configuration2, hub: node2, wallClock: f.lab.clock)
        let names = ["河西镇", "东街镇", "尖冢镇"]
        let towns = try names.enumerated().map { try office(f, "t\($0.offset)", township: $0.element, activities: 8 + $0.offset) }
        let county = try f.lab.replica("county", township: "县科协")
        try await f.application.test(.live) { one in
            try await second.test(.live) { two in
                let urls = ["http://127.0.0.1:\(one.port!)", "http://127.0.0.1:\(two.port!)"]
                for round in 0..<3 {
                    for (i, store) in towns.enumerated() {
                        // A township's PC syncs through one node, then the other.
                        let hub = HTTPHub(url: urls[(i + round) % 2], token: f.township[names[i]]!)
                        try await SyncSession(store: store, hub: hub, batchSize: 7).run()
                        _ = try store.record(ActivityDraft(kind: "rural", date: "2023-06-0\(1 + round)", title: "第\(round)轮",
                                                           quantities: ["attendance": 5]))
                    }
                }
                for (i, store) in towns.enumerated() {
                    try await SyncSession(store: store, hub: HTTPHub(url: urls[i % 2], token: f.township[names[i]]!), batchSize: 7).run()
                }
                try await SyncSession(store: county, hub: HTTPHub(url: urls[1], token: f.county), batchSize: 10).run()
                for (i, store) in towns.enumerated() {
                    try await SyncSession(store: store, hub: HTTPHub(url: urls[(i + 1) % 2], token: f.township[names[i]]!), batchSize: 7).run()
                }
                let digests = try (towns + [county]).map { try $0.stateDigest() }
                #expect(Set(digests).count == 1)
                // The totals the county reads from either node are the offices' own.
                for url in urls {
                    let served = try await HTTPHub(url: url, token: f.county).totalsJSON(query: "by=township")
                    #expect(served == TotalsRow.json(try await county.totals(by: [.township]), keys: [.township], catalog: .standard).render())
                }
            }
        }
    }

    /// A PC pushes, through one node, a change to an activity its township's other PC created
    /// through the other node, before this node has heard of it: the database's claim of the
    /// activity answers whose it is (another township's change is refused), the push is taken
    /// without the creator's operations copied into the node's view, and the view takes them at
    /// its next catch-up; an activity named after a replica no node holds is still refused (409).
    @Test func aPushOfAnActivityTheOtherNodeTookIsCheckedByItsClaimWithoutCopyingItsCreator() async throws {
        let f = try await HubFixture(.postgres)
        defer { f.remove() }
        let (node2, configuration2) = try await f.secondNode()
        defer { Task { await node2.close() } }
        let second = buildApplication(configuration2, hub: node2, wallClock: f.lab.clock)
        let first = try office(f, "a", township: "河西镇", activities: 3)
        let other = try office(f, "c", township: "东街镇", activities: 2)
        let next = try f.lab.replica("b", township: "河西镇")
        try await f.application.test(.live) { one in
            try await second.test(.live) { two in
                let (url1, url2) = ("http://127.0.0.1:\(one.port!)", "http://127.0.0.1:\(two.port!)")
                // Node 2 reads the hub once (empty), then everything goes through node 1.
                _ = try await HTTPHub(url: url2, token: f.county).versionVector()
                try await SyncSession(store: first, hub: HTTPHub(url: url1, token: f.township["河西镇"]!)).run()
                try await SyncSession(store: other, hub: HTTPHub(url: url1, token: f.township["东街镇"]!)).run()
                try await SyncSession(store: next, hub: HTTPHub(url: url1, token: f.township["河西镇"]!)).run()
                let id = try first.activities().first!.id
                try next.add(to: id, amount: 7)
                let me = try next.identity().replica
                // Pushed straight to node 2 (no sync start, so no refresh of node 2 before it).
                // 东街镇's change to 河西镇's activity: refused by the database's claim, though node
                // 2's copy has not seen the activity; nothing of it stored.
                // (Made by hand: 东街镇's own ktx refuses to write it.)
                let intruder = try other.identity().replica
                let intruderHeld = try await other.versionVector()[intruder]
                let intrusion = Op(replica: intruder, seq: intruderHeld + 1, timestamp: HLCTimestamp(millis: f.lab.clock.nowMillis(), counter: 0),
                                   activity: id, change: .add(metric: "attendance", amount: 1000))
                await #expect(throws: KtxError.self) {
                    try await HTTPHub(url: url2, token: f.township["东街镇"]!).push([intrusion], township: "东街镇", seal: nil)
                }
                // 河西镇's other PC: accepted by the claim, without copying the creator's
                // operations into node 2's copy inside the push.
                try await HTTPHub(url: url2, token: f.township["河西镇"]!)
                    .push(try next.operations(of: me, after: 0, limit: 100), township: "河西镇", seal: nil)
                var view = try await node2.view.versionVector()
                #expect(view[me] > 0)
                #expect(view[try first.identity().replica] == 0)
                #expect(view[intruder] == intruderHeld)  // caught up under its own push, the refused operation not stored
                // The copy's next catch-up (any read) brings the rest; the totals are whole.
                try await node2.refresh(details: false)
                view = try await node2.view.versionVector()
                #expect(view[try first.identity().replica] > 0)
                #expect(view[intruder] == intruderHeld)
                #expect(try await node2.view.totals(by: [.township]).first { $0.group[.township] == "河西镇" }?.quantities["attendance"]
                        == first.totals(by: [.township]).first!.quantities["attendance"]! + 7)
                // An activity named after a replica no node holds: refused, nothing stored.
                let stranger = ActivityID(replica: ReplicaID(high: 0xDEAD_BEEF_0000_0000, low: 1), seq: 1)
                let held = try await next.versionVector()[me]
                let op = Op(replica: me, seq: held + 1, timestamp: HLCTimestamp(millis: f.lab.clock.nowMillis(), counter: 0),
                            activity: stranger, change: .add(metric: "attendance", amount: 1))
                await #expect(throws: HubDependency.self) {
                    try await HTTPHub(url: url2, token: f.township["河西镇"]!).push([op], township: "河西镇", seal: nil)
                }
                #expect(try await node2.view.versionVector()[me] == held)
            }
        }
    }

    @Test func aDatabaseThatStopsAnsweringGivesA503WithARetryHintAndLosesNothing() async throws {
        let f = try await HubFixture(.postgres)
        defer { f.remove() }
        let office = try office(f, "a", township: "河西镇", activities: 3)
        let database = try #require(f.postgres?.database)
        let admin = try PostgresLocation(url: HubFixture.postgresURL!, password: ProcessInfo.processInfo.environment["PGPASSWORD"])
        try await f.application.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            // The database refuses new connections and drops the node's: as if it went down.
            try await PostgresAdmin.execute("ALTER DATABASE \(database) ALLOW_CONNECTIONS false", on: admin)
            try await PostgresAdmin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)'", on: admin)
            try await client.execute(uri: "/healthz", method: .get) { response throws in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
            }
            try await client.execute(uri: "/v1/vector", method: .get, headers: bearer(f.township["河西镇"]!)) { response throws in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.code == "unavailable")
            }
            await #expect(throws: (any Error).self) {
                try await SyncSession(store: office, hub: HTTPHub(url: url, token: f.township["河西镇"]!), batchSize: 10).run()
            }
            // Back up: the same node takes the sync, and nothing was half stored.
            try await PostgresAdmin.execute("ALTER DATABASE \(database) ALLOW_CONNECTIONS true", on: admin)
            let report = try await SyncSession(store: office, hub: HTTPHub(url: url, token: f.township["河西镇"]!), batchSize: 10).run()
            #expect(report.pushed == Int(try await office.operationCounts().total))
            #expect(try await f.backend.operationTotal() == (try await office.operationCounts().total))
        }
    }

    @Test func aWrongPasswordOrNoServerIsToldToTheOperatorInPlainWords() async throws {
        let base = try PostgresLocation(url: HubFixture.postgresURL!, password: "not-the-password")
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        do {
            _ = try await PostgresHub.open(base, viewPath: dir.file("v.db"), logger: logger)
            Issue.record("a wrong password opened the hub")
        } catch let error as KtxError {
            #expect(error.code == .databaseUnavailable)
            #expect(error.en.contains("refused the login"))
            #expect(!error.en.contains("not-the-password"))
        }
        let nowhere = try PostgresLocation(url: "postgres://ktx@127.0.0.1:1/ktx", password: nil)
        do {
            _ = try await PostgresHub.open(nowhere, viewPath: dir.file("w.db"), logger: logger)
            Issue.record("a server that is not there opened the hub")
        } catch let error as KtxError {
            #expect(error.code == .databaseUnavailable)
            #expect(error.en.contains("cannot reach PostgreSQL at postgres://ktx@127.0.0.1:1/ktx"))
        }
        #expect(throws: KtxError.self) { try PostgresLocation(url: "postgres://ktx:secret@127.0.0.1/ktx", password: nil) }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for element in self { out.append(try await transform(element)) }
        return out
    }
}
