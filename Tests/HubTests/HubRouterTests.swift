import Foundation
import GRDB
import HubServer
@testable import HubStorage
import Hummingbird
import HummingbirdTesting
import KtxWords
@testable import Store
import SyncCore
import TestSupport
import Testing

/// Every endpoint, every error status, and the permission matrix, in process.
@Suite struct HubRouterTests {
    @Test(arguments: HubFixture.backends) func healthAnswersWithoutAToken(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response throws in
                #expect(response.status == .ok)
                #expect(try response.body.decode(HubAPI.Health.self) == HubAPI.Health(status: "ok", operations: 0))
            }
        }
    }

    /// A token whose stored role this ktx does not know (a newer hub's, or a damaged row)
    /// grants nothing: it authenticates no one, and listing the tokens says which one it is.
    @Test func aTokenWithAnUnknownRoleGrantsNothing() async throws {
        let f = try await HubFixture(.sqlite)
        defer { f.remove() }
        let odd = try await f.backend.createToken(role: .county, township: nil)
        let queue = try DatabaseQueue(path: f.lab.dir.file("hub.db"))
        try await queue.write { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE hub_token SET role = 'superuser' WHERE id = ?", arguments: [odd.id])
        }
        try queue.close()
        #expect(try await f.backend.authenticate(secret: odd.secret) == nil)
        #expect(try await f.backend.authenticate(secret: f.county)?.role == .county)
        do {
            _ = try await f.backend.tokens()
            Issue.record("an unknown role was listed as a role")
        } catch let error as KtxError {
            #expect(error.en.contains("token \(odd.id) has a role this ktx does not know, 'superuser'"))
        }
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/totals", method: .get, headers: [.authorization: "Bearer \(odd.secret)"]) {
                #expect($0.status == .unauthorized)
            }
        }
    }

    @Test(arguments: HubFixture.backends, ["GET /v1/vector", "POST /v1/ops", "POST /v1/pull", "GET /v1/totals", "GET /v1/tokens"])
    func everyAPIEndpointNeedsAValidToken(backend: HubBackendKind, endpoint: String) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let parts = endpoint.split(separator: " ")
        let method: HTTPRequest.Method = parts[0] == "GET" ? .get : .post
        let revoked = try await f.backend.createToken(role: .county, township: nil)
        try await f.backend.revokeToken(id: revoked.id)
        try await f.application.test(.router) { client in
            for headers: HTTPFields in [[:], bearer("ktx_wrong"), bearer(revoked.secret), [.authorization: f.county]] {
                try await client.execute(uri: String(parts[1]), method: method, headers: headers, body: ByteBuffer(string: "{}")) { response throws in
                    #expect(response.status == .unauthorized)
                    #expect(try response.body.decode(HubAPI.ErrorBody.self).error.code == "unauthorized")
                }
            }
        }
    }

    enum Action: String, CaseIterable { case vector, pull, totals, pushOwn, listTokens, createToken, revokeToken }

    static let matrix: [(HubRole, Action, HTTPResponse.Status)] = [
        (.township, .vector, .ok), (.township, .pull, .ok), (.township, .totals, .ok), (.township, .pushOwn, .ok),
        (.township, .listTokens, .forbidden), (.township, .createToken, .forbidden), (.township, .revokeToken, .forbidden),
        (.county, .vector, .ok), (.county, .pull, .ok), (.county, .totals, .ok), (.county, .pushOwn, .ok),
        (.county, .listTokens, .forbidden), (.county, .createToken, .forbidden), (.county, .revokeToken, .forbidden),
        (.admin, .vector, .ok), (.admin, .pull, .ok), (.admin, .totals, .ok), (.admin, .pushOwn, .forbidden),
        (.admin, .listTokens, .ok), (.admin, .createToken, .created), (.admin, .revokeToken, .noContent),
    ]

    static let matrixOnEveryBackend = HubFixture.backends.flatMap { backend in matrix.map { (backend, $0.0, $0.1, $0.2) } }

    @Test(arguments: matrixOnEveryBackend)
    func permissionMatrix(backend: HubBackendKind, role: HubRole, action: Action, expected: HTTPResponse.Status) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let token = switch role {
        case .township: f.township["河西镇"]!
        case .county: f.county
        case .admin: f.admin
        }
        let replica = try f.lab.replica("a", township: "河西镇")
        try replica.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t", quantities: ["attendance": 9]))
        try await f.application.test(.router) { client in
            let (method, uri, body): (HTTPRequest.Method, String, ByteBuffer?) = switch action {
            case .vector: (.get, "/v1/vector", nil)
            case .pull: (.post, "/v1/pull", json(HubAPI.PullRequest(after: VersionVector(), limit: 10)))
            case .totals: (.get, "/v1/totals?by=township", nil)
            case .pushOwn: (.post, "/v1/ops", json(try f.batch(replica)))
            case .listTokens: (.get, "/v1/tokens", nil)
            case .createToken: (.post, "/v1/tokens", ByteBuffer(string: #"{"role": "county"}"#))
            case .revokeToken: (.delete, "/v1/tokens/5", nil)  // the 尖冢镇 township token
            }
            try await client.execute(uri: uri, method: method, headers: bearer(token), body: body) { response throws in
                #expect(response.status == expected, "\(role) \(action): \(response.body.text)")
                if expected == .forbidden {
                    #expect(try response.body.decode(HubAPI.ErrorBody.self).error.code == "forbidden")
                }
            }
        }
        #expect(try await f.hub.operationCounts().total == (expected == .ok && action == .pushOwn ? 5 : 0))
        let tokens = try await f.backend.tokens()
        #expect(tokens.count == (action == .createToken && expected == .created ? 6 : 5))
        #expect(tokens.filter { $0.revokedAtMillis != nil }.count == (action == .revokeToken && expected == .noContent ? 1 : 0))
    }

    @Test(arguments: HubFixture.backends) func aTownshipCannotPushAnotherTownshipsReplica(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let replica = try f.lab.replica("a", township: "河西镇")
        try replica.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t"))
        let first = try f.batch(replica)
        try replica.record(ActivityDraft(kind: "rural", date: "2023-05-21", title: "u"))
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(first)) { response throws in
                #expect(response.status == .ok)
            }
            // 东街镇's token relays the rest of 河西镇's replica: refused, nothing stored.
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["东街镇"]!),
                                     body: json(try f.batch(replica, after: 4))) { response throws in
                #expect(response.status == .forbidden)
                let error = try response.body.decode(HubAPI.ErrorBody.self).error
                #expect(error.code == "other-replica")
                #expect(error.message == "replica \(try replica.identity().replica.hex) belongs to 河西镇; this token may only push 东街镇's replicas")
            }
        }
        #expect(try await f.hub.operationCounts().total == 4)
    }

    @Test(arguments: HubFixture.backends) func aTownshipCannotChangeAnotherTownshipsActivity(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let a = try f.lab.replica("a", township: "河西镇")
        let b = try f.lab.replica("b", township: "东街镇")
        let theirs = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t"))
        let bID = try b.identity().replica
        let forged = [
            Op(replica: bID, seq: 1, timestamp: HLCTimestamp(millis: f.lab.clock.nowMillis(), counter: 0), activity: theirs,
               change: .add(metric: "attendance", amount: 500)),
        ]
        let reassign = [
            Op(replica: bID, seq: 1, timestamp: HLCTimestamp(millis: f.lab.clock.nowMillis(), counter: 0),
               activity: ActivityID(replica: bID, seq: 1), change: .set(.township, "河西镇")),
        ]
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(a))) { _ in }
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["东街镇"]!),
                                     body: json(HubAPI.Batch(forged, township: "东街镇"))) { response throws in
                #expect(response.status == .forbidden)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.message
                    == "activity \(theirs) belongs to 河西镇; this replica may only change 东街镇's activities")
            }
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["东街镇"]!),
                                     body: json(HubAPI.Batch(reassign, township: "东街镇"))) { response throws in
                #expect(response.status == .forbidden)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.code == "other-township")
            }
        }
        #expect(try await f.hub.operationCounts().total == 4)
        #expect(try await f.hub.totals().first?.quantities["attendance"] == nil)
    }

    /// A manual indicator value is the county's: the county's replica pushes it with the
    /// county token and the hub keeps it; a township's is refused, and nothing of it stored.
    @Test(arguments: HubFixture.backends) func onlyTheCountysReplicasSetIndicatorValues(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let county = try f.lab.replica("county", township: "县科协", role: .county)
        let office = try f.lab.replica("a", township: "河西镇")
        let key = IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率")
        try county.setIndicator(key, value: "92")
        // ktx refuses this locally since 0.4; an older ktx wrote it.
        try office.setIndicator(key, value: "10", checkingRights: false)
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.county), body: json(try f.batch(county))) { response throws in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(office))) { response throws in
                #expect(response.status == .forbidden)
                let error = try response.body.decode(HubAPI.ErrorBody.self).error
                #expect(error.code == "county-only")
                #expect(error.message == "operation 1 sets a manual indicator value: only the county's replicas set them")
            }
            // A county replica stays the county's: a township token cannot push it.
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(county))) { response throws in
                #expect(response.status == .forbidden)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.code == "other-replica")
            }
        }
        #expect(try f.hub.indicatorValues(year: 2023) == [key: "92"])
        #expect(try await f.hub.operationCounts().total == 1)
    }

    /// Over HTTP, a township cannot take another township's next activity id: an activity
    /// belongs to the township of the replica its id is named after.
    @Test(arguments: HubFixture.backends) func aTownshipCannotClaimAnotherTownshipsNextActivityID(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let jia = try f.lab.replica("jia", township: "河西镇")
        let yi = try f.lab.replica("yi", township: "东街镇")
        try jia.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "甲镇的活动", quantities: ["attendance": 100]))
        let next = ActivityID(replica: try jia.identity().replica, seq: 6)
        let yiReplica = try yi.identity().replica
        let t = HLCTimestamp(millis: f.lab.clock.nowMillis(), counter: 0)
        let squat = HubAPI.Batch([
            Op(replica: yiReplica, seq: 1, timestamp: t, activity: next, change: .set(.township, "东街镇")),
            Op(replica: yiReplica, seq: 2, timestamp: t, activity: next, change: .set(.title, "抢占的编号")),
        ], township: "东街镇")
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(jia))) { response throws in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["东街镇"]!), body: json(squat)) { response throws in
                #expect(response.status == .forbidden)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.code == "other-activity")
            }
        }
        // 甲镇 records its next activity under that id and syncs as usual.
        let id = try jia.record(ActivityDraft(kind: "rural", date: "2023-05-21", title: "甲镇的下一个活动", quantities: ["attendance": 30]))
        #expect(id == next)
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(jia, after: 5))) { response throws in
                #expect(response.status == .ok)
            }
        }
        #expect(try f.hub.activity(next)?.title == "甲镇的下一个活动")
        #expect(try f.hub.activity(next)?.township == "河西镇")
    }

    /// Each bad request: its status, its error code, and nothing stored.
    static let badRequests: [(name: String, body: @Sendable (HubAPI.Batch) -> String, status: HTTPResponse.Status, code: String)] = [
        ("malformed JSON", { _ in "{\"replica\": " }, .badRequest, "malformed-json"),
        ("wrong type", { b in "{\"replica\": 7, \"operations\": []}" }, .unprocessableContent, "bad-field"),
        ("missing field", { b in "{\"replica\": \"\(b.replica)\"}" }, .unprocessableContent, "bad-field"),
        ("bad replica", { b in String(data: try! JSONEncoder().encode(HubAPI.Batch(replica: "xyz", township: nil, operations: b.operations)), encoding: .utf8)! }, .unprocessableContent, "bad-replica"),
        ("gap in batch", { b in
            var ops = b.operations
            ops.remove(at: 1)
            return String(data: try! JSONEncoder().encode(HubAPI.Batch(replica: b.replica, township: nil, operations: ops)), encoding: .utf8)!
        }, .unprocessableContent, "gap"),
        ("starts beyond the hub", { b in
            String(data: try! JSONEncoder().encode(HubAPI.Batch(replica: b.replica, township: nil, operations: Array(b.operations.dropFirst(2)))), encoding: .utf8)!
        }, .conflict, "missing-operations"),
        ("future timestamp", { b in
            var ops = b.operations
            ops[2].hlc = HLCTimestamp(millis: ops[2].hlc >> 16 + 25 * 3_600_000, counter: 0).rawValue
            return String(data: try! JSONEncoder().encode(HubAPI.Batch(replica: b.replica, township: nil, operations: ops)), encoding: .utf8)!
        }, .unprocessableContent, "future-timestamp"),
        ("malformed metric code", { b in
            var ops = b.operations
            ops[4].field = "不存在的指标"
            return String(data: try! JSONEncoder().encode(HubAPI.Batch(replica: b.replica, township: nil, operations: ops)), encoding: .utf8)!
        }, .unprocessableContent, "bad-code"),
        ("indicator value not a number", { b in
            var ops = b.operations
            ops[4].kind = 3; ops[4].activity = "2023/rural/科技特派员覆盖率"; ops[4].field = ""; ops[4].text = "ninety"; ops[4].number = nil
            return String(data: try! JSONEncoder().encode(HubAPI.Batch(replica: b.replica, township: nil, operations: ops)), encoding: .utf8)!
        }, .unprocessableContent, "bad-indicator-value"),
        ("indicator without a key", { b in
            var ops = b.operations
            ops[4].kind = 3; ops[4].activity = "rural"; ops[4].field = ""; ops[4].text = "92"; ops[4].number = nil
            return String(data: try! JSONEncoder().encode(HubAPI.Batch(replica: b.replica, township: nil, operations: ops)), encoding: .utf8)!
        }, .unprocessableContent, "bad-target"),
        ("attendance that would overflow a total", { b in edit(b) { $0[4].number = Int64.max } }, .unprocessableContent, "amount-out-of-range"),
        ("NUL in a title", { b in edit(b) { $0[3].text = "a\u{0}b" } }, .unprocessableContent, "bad-text"),
        ("right-to-left override in a title", { b in edit(b) { $0[3].text = "培训\u{202E}gnp.exe" } }, .unprocessableContent, "bad-text"),
        ("timestamp -2^63", { b in edit(b) { $0[1].hlc = Int64.min } }, .unprocessableContent, "bad-timestamp"),
        ("timestamp Int64.max", { b in edit(b) { $0[1].hlc = Int64.max } }, .unprocessableContent, "bad-timestamp"),
        ("date that is no day", { b in edit(b) { $0[2].text = "2023-13-45" } }, .unprocessableContent, "bad-date"),
        ("malformed kind code", { b in edit(b) { $0[1].text = "bogus-kind" } }, .unprocessableContent, "bad-code"),
        ("malformed activity id", { b in edit(b) { $0[3].activity = "../../etc" } }, .unprocessableContent, "bad-target"),
        ("operation kind this format does not define", { b in
            edit(b) { _ in }.replacingOccurrences(of: ",1,\"attendance\"", with: ",7,\"attendance\"")
        }, .unprocessableContent, "bad-field"),
        ("a member the API does not define", { b in
            edit(b) { _ in }.replacingOccurrences(of: "\"replica\":", with: "\"sealz\":[],\"replica\":")
        }, .unprocessableContent, "bad-field"),
        ("too large", { b in "{\"replica\": \"" + String(repeating: "a", count: 2 << 20) + "\"}" }, .contentTooLarge, "too-large"),
    ]

    /// A batch with some of its operations changed, as JSON.
    static func edit(_ batch: HubAPI.Batch, _ change: (inout [WireOp]) -> Void) -> String {
        var ops = batch.operations
        change(&ops)
        return String(decoding: try! JSONEncoder().encode(HubAPI.Batch(replica: batch.replica, township: nil, operations: ops)), as: UTF8.self)
    }

    @Test(arguments: HubFixture.backends, 0..<badRequests.count)
    func badInputGetsA4xxAndStoresNothing(backend: HubBackendKind, index: Int) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let (name, makeBody, status, code) = Self.badRequests[index]
        let replica = try f.lab.replica("a", township: "河西镇")
        try replica.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t", quantities: ["attendance": 9]))
        let body = makeBody(try f.batch(replica))
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: ByteBuffer(string: body)) { response throws in
                #expect(response.status == status, "\(name)")
                let error = try response.body.decode(HubAPI.ErrorBody.self).error
                #expect(error.code == code, "\(name): \(error.message)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(try await f.hub.operationCounts().total == 0, "\(name)")
    }

    @Test(arguments: HubFixture.backends) func wrongTypesNameTheField(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/pull", method: .post, headers: bearer(f.county),
                                     body: ByteBuffer(string: #"{"after": {"ab": "x"}}"#)) { response throws in
                #expect(response.status == .unprocessableContent)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.message == "after.ab must be an integer")
            }
            try await client.execute(uri: "/v1/pull", method: .post, headers: bearer(f.county),
                                     body: ByteBuffer(string: #"{"after": {"ab": 3}}"#)) { response throws in
                #expect(response.status == .unprocessableContent)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.code == "bad-vector")
            }
        }
    }

    @Test(arguments: HubFixture.backends) func pullsComeInPagesThatResume(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let a = try f.lab.replica("a", township: "河西镇")
        let b = try f.lab.replica("b", township: "东街镇")
        for i in 0..<12 { try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "a\(i)")) }
        for i in 0..<3 { try b.record(ActivityDraft(kind: "museum", date: "2023-06-20", title: "b\(i)")) }
        let county = try f.lab.replica("county", township: "县科协")
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(a))) { _ in }
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["东街镇"]!), body: json(try f.batch(b))) { _ in }
            var pages = 0
            var more = true
            while more {
                let after = try await county.versionVector()
                more = try await client.execute(uri: "/v1/pull", method: .post, headers: bearer(f.county),
                                                body: json(HubAPI.PullRequest(after: after, limit: 20))) { response throws in
                    let page = try response.body.decode(HubAPI.PullPage.self)
                    let ops = try page.batches.flatMap { batch in try batch.operations.map { try $0.op(replica: ReplicaID(hex: batch.replica)!) } }
                    #expect(ops.count <= 20)
                    try county.merge(ops)
                    return page.more
                }
                pages += 1
            }
            #expect(pages == 3)  // 15 records of 4 operations, 20 a page
        }
        #expect(try county.stateDigest() == f.hub.stateDigest())
        #expect(try await county.operationCounts().total == 60)
    }

    @Test(arguments: HubFixture.backends) func totalsAnswerLikeKtxTotals(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let a = try f.lab.replica("a", township: "河西镇")
        try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t", quantities: ["attendance": 120, "cost": 150_050]))
        try a.record(ActivityDraft(kind: "youth", date: "2023-09-20", title: "u", quantities: ["schools": 2]))
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(a))) { _ in }
            try await client.execute(uri: "/v1/totals?by=township,kind,quarter&year=2023", method: .get, headers: bearer(f.county)) { response throws in
                #expect(response.status == .ok)
                let expected = TotalsRow.json(try a.totals(by: [.township, .kind, .quarter], filter: ActivityFilter(year: 2023)),
                                              keys: [.township, .kind, .quarter], catalog: .standard).render()
                #expect(response.body.text == expected)
            }
            try await client.execute(uri: "/v1/totals?by=village", method: .get, headers: bearer(f.county)) { response throws in
                #expect(response.status == .badRequest)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.message
                    == "cannot group by 'village': use township, kind, quarter, month, comma-separated")
            }
        }
    }

    @Test(arguments: HubFixture.backends) func anAdminManagesTokens(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        try await f.application.test(.router) { client in
            let created = try await client.execute(uri: "/v1/tokens", method: .post, headers: bearer(f.admin),
                                                   body: ByteBuffer(string: #"{"role": "township", "township": "新城镇"}"#)) { response throws in
                #expect(response.status == .created)
                return try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as! [String: Any]
            }
            let secret = created["token"] as! String
            let id = created["id"] as! Int
            try await client.execute(uri: "/v1/vector", method: .get, headers: bearer(secret)) { #expect($0.status == .ok) }
            try await client.execute(uri: "/v1/tokens", method: .get, headers: bearer(f.admin)) { response throws in
                #expect(!response.body.text.contains(secret))
                #expect(response.body.text.contains("新城镇"))
            }
            try await client.execute(uri: "/v1/tokens/\(id)", method: .delete, headers: bearer(f.admin)) { #expect($0.status == .noContent) }
            try await client.execute(uri: "/v1/vector", method: .get, headers: bearer(secret)) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/v1/tokens/\(id)", method: .delete, headers: bearer(f.admin)) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/v1/tokens", method: .post, headers: bearer(f.admin),
                                     body: ByteBuffer(string: #"{"role": "township"}"#)) { #expect($0.status == .unprocessableContent) }
            // JSON's words: the field is named by its key, as the request spells it, not as a flag.
            try await client.execute(uri: "/v1/tokens", method: .post, headers: bearer(f.admin),
                                     body: ByteBuffer(string: #"{"role": "township", "township": "新城\u0001镇"}"#)) { response throws in
                #expect(response.status == .unprocessableContent)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.message
                    == "township must not be empty, contain line breaks or control characters, or exceed 200 characters")
            }
        }
    }
}

@Suite struct HubMethodTests {
    @Test(arguments: [("TRACE", "/v1/totals"), ("PUT", "/v1/ops"), ("GET", "/v1/pull"), ("POST", "/healthz"), ("GET", "/v1/tokens/3")])
    func aKnownPathWithAnotherMethodIs405(method: String, path: String) async throws {
        let f = try await HubFixture()
        defer { f.remove() }
        try await f.application.test(.router) { client in
            try await client.execute(uri: path, method: HTTPRequest.Method(method)!, headers: bearer(f.admin)) { response throws in
                #expect(response.status == .methodNotAllowed)
                #expect(try response.body.decode(HubAPI.ErrorBody.self).error.code == "method-not-allowed")
            }
            try await client.execute(uri: "/nowhere", method: HTTPRequest.Method(method)!, headers: bearer(f.admin)) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test(arguments: HubFixture.backends) func aTownshipTokenWithoutATownshipIsRefusedInHTTPTerms(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        try await f.application.test(.router) { client in
            try await client.execute(uri: "/v1/tokens", method: .post, headers: bearer(f.admin), body: ByteBuffer(string: #"{"role":"township"}"#)) { response throws in
                #expect(response.status == .unprocessableContent)
                let error = try response.body.decode(HubAPI.ErrorBody.self).error
                #expect(error.code == "missing-township")
                #expect(!error.message.contains("--"))
            }
        }
    }
}

@Suite struct HubAnswerTests {
    @Test(arguments: HubFixture.backends) func totalsAnsweredFromTheCacheChangeWithTheNextPush(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let a = try f.lab.replica("a", township: "河西镇")
        try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t", quantities: ["attendance": 5]))
        try await f.application.test(.router) { client in
            func attendance() async throws -> String {
                try await client.execute(uri: "/v1/totals", method: .get, headers: bearer(f.county)) { response in
                    String(buffer: response.body).filter { !$0.isWhitespace }
                }
            }
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(a))) { _ in }
            let first = try await attendance()
            #expect(first.contains(#""attendance":5"#))
            #expect(try await attendance() == first)
            let id = try #require(try a.activities().first?.id)
            try a.add(to: id, amount: 30)
            let ops = try a.operations(of: try a.identity().replica, after: 5, limit: 100)
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!),
                                     body: json(HubAPI.Batch(ops, township: "河西镇"))) { response in
                #expect(response.status == .ok)
            }
            #expect(try await attendance().contains(#""attendance":35"#))
        }
    }

    @Test func thePullPageWriterWritesWhatJSONEncoderWrites() throws {
        let r1 = ReplicaID(hex: "00000000000000000000000000000001")!
        let r2 = ReplicaID(hex: "ffffffffffffffffffffffffffffff02")!
        let t = HLCTimestamp(millis: 1_684_540_800_000, counter: 0)
        let ops1 = [Op(replica: r1, seq: 1, timestamp: t, activity: ActivityID(replica: r1, seq: 1), change: .set(.title, #"引号"与\反斜杠 / slash"#)),
                    Op(replica: r1, seq: 2, timestamp: t, activity: ActivityID(replica: r1, seq: 1), change: .add(metric: "attendance", amount: -3))]
        let ops2 = [Op(replica: r2, seq: 7, timestamp: t, activity: ActivityID(unchecked: "2023/rural/科技特派员覆盖率"), change: .indicator("92.5")),
                    Op(replica: r2, seq: 8, timestamp: t, activity: ActivityID(replica: r1, seq: 1), change: .delete)]
        let seal = RunSeal(first: 1, last: 2, prev: RunSeal.origin, digest: Array(repeating: 0xab, count: 32),
                           key: Array(repeating: 0x01, count: 32), signature: Array(repeating: 0xfe, count: 64))
        for more in [true, false] {
            let fast = HubAPI.PullPage.encode([(r1, #"河"西镇"#, ops1, [seal]), (r2, nil, ops2, [])], more: more)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let slow = try encoder.encode(HubAPI.PullPage(batches: [HubAPI.Batch(ops1, township: #"河"西镇"#, seal: seal),
                                                                    HubAPI.Batch(ops2, township: nil)], more: more))
            #expect(String(decoding: fast, as: UTF8.self) == String(decoding: slow, as: UTF8.self))
            #expect(try JSONDecoder().decode(HubAPI.PullPage.self, from: Data(fast)).batches.count == 2)
        }
    }
}
