import Foundation
import HubClient
import HubServer
@testable import HubStorage
import Hummingbird
import HummingbirdTesting
import KtxWords
@testable import Store
import SyncCore
import TestSupport
import Testing

/// Over HTTP, a PC whose push a ktx before 0.4 made with a township's indicator value in it
/// (refused whole, 403 `county-only`, at every sync since) recovers at its next sync: the
/// value left out and named, everything before and after it reaching the county.
@Suite struct StuckOverHTTPTests {
    @Test(arguments: HubFixture.backends) func aRefusedPushNoLongerStopsThePC(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let a = try f.lab.replica("a", township: "河西镇")
        let county = try f.lab.replica("county", township: ReplicaLab.countyOffice)
        let first = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "果树修剪", quantities: ["attendance": 120]))
        try await f.application.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            let token = f.township["河西镇"]!
            try await SyncSession(store: a, hub: HTTPHub(url: url, token: token)).run()
            // Recorded before the mistake, in the same push as it.
            let second = try a.record(ActivityDraft(kind: "rural", date: "2023-05-28", title: "病虫害防治", quantities: ["attendance": 30]))
            try a.setIndicator(IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率"), value: "80", checkingRights: false)
            let third = try a.record(ActivityDraft(kind: "rural", date: "2023-06-02", title: "大棚蔬菜", quantities: ["attendance": 45]))
            await #expect { try await Self.publishAsOlderKtx(a, to: HTTPHub(url: url, token: token)) }
                throws: { error in
                    // The hub's code in the user's words: no English inside the Chinese message.
                    guard let error = error as? KtxError, error.code == .hubForbidden else { return false }
                    return error.zh.contains("设置了手工指标值：只有县科协的电脑可以设置，county-only") && !error.zh.contains("only the")
                        && error.en.contains("only the county's replicas set them")
                }

            let recovered = try await SyncSession(store: a, hub: HTTPHub(url: url, token: token)).run()
            let recovery = try #require(recovered.recovery)
            #expect(recovery.leftOut.map(\.reason) == [.countyOnly] && recovery.leftOut.map(\.seq) == [11])
            #expect(recovered.pushRefusals.isEmpty)
            #expect(recovered.pushed == 5 + 5)    // seqs 6–10 of the old replica, sealed again; 5 under the new one
            let renamed = try #require(recovery.continuation.renamed.first { $0.old == third }?.new)

            try await SyncSession(store: county, hub: HTTPHub(url: url, token: f.county)).run()
            #expect(try county.activity(first)?.quantities["attendance"] == 120)
            #expect(try county.activity(second)?.quantities["attendance"] == 30)
            #expect(try county.activity(renamed)?.quantities["attendance"] == 45)
            #expect(try county.indicatorValues(year: 2023).isEmpty)
            let again = try await SyncSession(store: a, hub: HTTPHub(url: url, token: token)).run()
            #expect(again.recovery == nil && again.pushRefusals.isEmpty && again.refused.isEmpty)
            #expect(Set(try [a, county, f.hub].map { try $0.stateDigest() }).count == 1)
        }
    }

    /// One rule at home, over HTTP: random local commands on townships' PCs and the county's,
    /// mistakes included; the hub takes every push (no refusal), and all converge.
    @Test(arguments: 1...6) func everyOperationALocalCommandWritesIsAcceptedByTheHub(seed: Int) async throws {
        let f = try await HubFixture(.sqlite)
        defer { f.remove() }
        let offices = [try f.lab.replica("a", township: "河西镇"), try f.lab.replica("b", township: "东街镇")]
        let county = try f.lab.replica("county", township: ReplicaLab.countyOffice)
        try await f.application.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            var reports: [SyncReport] = []
            func sync(_ store: Store) async throws {
                let me = try store.identity()
                let token = me.role == .county ? f.county : f.township[me.township]!
                reports.append(try await SyncSession(store: store, hub: HTTPHub(url: url, token: token)).run())
            }
            var rng = SeededGenerator(seed: UInt64(seed))
            let outcome = try await LocalCommands.run(offices + [county], steps: 120, rng: &rng, sync: sync)
            #expect(outcome.refused > 0 && outcome.written > 0)
            for _ in 0..<2 { for store in offices + [county] { try await sync(store) } }
            #expect(reports.flatMap(\.pushRefusals).isEmpty, "seed \(seed): \(reports.flatMap(\.pushRefusals).map(\.en))")
            #expect(reports.flatMap(\.refused).isEmpty && reports.allSatisfy { $0.recovery == nil })
            #expect(Set(try (offices + [county, f.hub]).map { try $0.stateDigest() }).count == 1)
        }
    }

    /// What a ktx before 0.4 did at a sync: seal and push every own operation, unchecked
    /// (as `StuckReplicaTests` does through a folder).
    static func publishAsOlderKtx(_ store: Store, to hub: any Hub) async throws {
        let me = try store.identity()
        let held = try await hub.versionVector()[me.replica]
        try store.sealOwnRuns(upTo: Int64.max, size: RunSeal.maxOperations)
        for run in try store.runs(of: me.replica, after: held) {
            let ops = try store.operations(of: me.replica, after: run.first - 1, limit: Int(run.last - run.first + 1))
            try store.markPublished(upTo: run.last)
            try await hub.push(ops, township: me.township, seal: run)
        }
    }
}
