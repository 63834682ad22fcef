import Foundation
import HubClient
import HubServer
@testable import HubStorage
import Hummingbird
import HummingbirdTesting
@testable import Store
import SyncCore
import TestSupport
import Testing

/// Over HTTP the hub checks signatures as every receiver does, and a copied database loses
/// nothing.
@Suite struct TrustOverHTTPTests {
    func draft(_ title: String, attendance: Int64 = 100) -> ActivityDraft {
        ActivityDraft(kind: "rural", date: "2023-05-20", title: title, quantities: ["attendance": attendance])
    }

    @Test(arguments: HubFixture.backends) func theHubRefusesAlteredUnsignedAndWronglySignedRuns(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let office = try f.lab.replica("a", township: "河西镇")
        let other = try f.lab.replica("b", township: "河西镇")
        try office.record(draft("培训"))
        try office.sealOwnRuns(upTo: 5, size: 100)
        let me = try office.identity().replica
        let ops = try office.operations(of: me, after: 0, limit: 10)
        let seal = try #require(try office.runs(of: me, after: 0).first)
        let altered = ops.enumerated().map { i, op in
            var op = op
            if i == 4 { op.change = .add(metric: "attendance", amount: 0) }
            return op
        }
        let raw = try other.read("key") { try Data.fetchOne($0, sql: "SELECT signing_key FROM replica_self")! }
        let wrong = try RunSigning.seal(ops, replica: me, prev: RunSeal.origin, key: .init(rawRepresentation: raw))
        let token = f.township["河西镇"]!
        try await f.application.test(.router) { client in
            for (batch, status, code) in [(HubAPI.Batch(altered, township: "河西镇", seal: seal), HTTPResponse.Status.unprocessableContent, "bad-signature"),
                                          (HubAPI.Batch(ops, township: "河西镇", seal: wrong), .forbidden, "unverified-key")] {
                try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(token), body: json(batch)) { response throws in
                    #expect(response.status == status)
                    #expect(try response.body.decode(HubAPI.ErrorBody.self).error.code == code)
                }
            }
            #expect(try await f.hub.operationCounts().total == 0)
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(token),
                                     body: json(HubAPI.Batch(ops, township: "河西镇", seal: seal))) { response throws in
                #expect(response.status == .ok)
            }
            // Once it signs, its operations come signed or not at all.
            try office.add(to: ActivityID(replica: me, seq: 1), amount: 5)
            let more = try office.operations(of: me, after: 5, limit: 10)
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(token),
                                     body: json(HubAPI.Batch(more, township: "河西镇"))) { response throws in
                #expect(response.status == .unprocessableContent)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.code == "unsigned")
            }
        }
        #expect(try await f.hub.operationCounts().total == 5)
    }

    @Test(arguments: HubFixture.backends) func aDatabaseCopiedToASecondPCLosesNothingOverHTTP(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let a = try f.lab.replica("a", township: "河西镇")
        let county = try f.lab.replica("county", township: "县科协")
        try a.record(draft("复制前"))
        try await f.application.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            @discardableResult func sync(_ store: Store, _ token: String) async throws -> SyncReport {
                try await SyncSession(store: store, hub: HTTPHub(url: url, token: token)).run()
            }
            let token = f.township["河西镇"]!
            try await sync(a, token)
            try a.checkpoint()
            try FileManager.default.copyItem(atPath: a.path, toPath: f.lab.dir.file("b.db"))
            let b = try Store.open(at: f.lab.dir.file("b.db"), wallClock: OffsetClock(f.lab.clock, offset: 7_000))
            let onA = try a.record(draft("甲电脑", attendance: 30))
            let onB = try b.record(draft("乙电脑", attendance: 40))
            #expect(onA == onB)
            try await sync(a, token)
            let report = try await sync(b, token)
            let moved = try #require(report.continuation?.renamed.first?.new)
            try await sync(a, token)
            try await sync(county, f.county)
            #expect(try county.activity(onA)?.title == "甲电脑")
            #expect(try county.activity(moved)?.quantities["attendance"] == 40)
            #expect(Set(try [a, b, county, f.hub].map { try $0.stateDigest() }).count == 1)
        }
    }
}
