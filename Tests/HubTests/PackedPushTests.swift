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

/// Packed pushes (`POST /v1/ops` with `application/vnd.ktx.ops`): the same checks and the same
/// hub as JSON pushes, bytes that are not one packed run refused whole, and a client that
/// packs only for a hub that says it takes them.
@Suite struct PackedPushTests {
    static func headers(_ token: String) -> HTTPFields {
        [.authorization: "Bearer \(token)", .contentType: PullStream.pushContentType]
    }

    /// A run frame written by hand around chunk bytes, as a hostile client could send it.
    static func frame(replica: ReplicaID, first: UInt64, count: UInt32, chunk: [UInt8]) -> [UInt8] {
        func be(_ v: UInt64, _ n: Int) -> [UInt8] { (0..<n).reversed().map { UInt8(truncatingIfNeeded: v >> (UInt64($0) * 8)) } }
        return PullStream.header + [UInt8(ascii: "R")] + replica.bytes + be(0xFFFF, 2) + be(first, 8) + be(UInt64(count), 4)
            + be(UInt64(chunk.count), 4) + chunk + be(0, 2) + [UInt8(ascii: "E"), 0]
    }

    /// Each bad packed body: its status and code, nothing stored, nothing crashed.
    @Test(arguments: HubFixture.backends) func badPackedBodiesGetA4xxAndStoreNothing(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let replica = try f.lab.replica("a", township: "河西镇")
        try replica.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "TITLEX", quantities: ["attendance": 9]))
        let me = try replica.identity().replica
        let ops = try replica.operations(of: me, after: 0, limit: 100)
        let good = PullStream.encodePush(ops, township: "河西镇", seals: [])
        func edited(_ change: (inout [Op]) -> Void) -> [UInt8] {
            var copy = ops
            change(&copy)
            return PullStream.encodePush(copy, township: "河西镇", seals: [])
        }
        func title(_ text: String) -> (inout [Op]) -> Void {
            { ops in
                let i = ops.firstIndex { if case .set(.title, _) = $0.change { true } else { false } }!
                ops[i].change = .set(.title, text)
            }
        }
        // The title's last byte made 0xFF: not UTF-8 (a JSON body cannot carry it at all).
        var notUTF8 = good
        let at = notUTF8.indices.first { Array(notUTF8[$0..<min(notUTF8.count, $0 + 6)]) == Array("TITLEX".utf8) }!
        notUTF8[at + 5] = 0xFF
        // A chunk whose count is a varint beyond Int.max, and one whose seqs would pass Int64.max.
        let hugeCount = Self.frame(replica: me, first: 1, count: 1, chunk: [1] + Array(repeating: 0xFF, count: 9) + [0x01, 0])
        let chunk = OpChunk.encode(ops)
        let pastTheEnd = Self.frame(replica: me, first: UInt64(Int64.max - 1), count: UInt32(ops.count), chunk: chunk)
        let cases: [(name: String, body: [UInt8], status: HTTPResponse.Status, code: String)] = [
            ("not a packed run", Array("{\"replica\": 1}".utf8), .badRequest, "malformed-ops"),
            ("bytes after the end", good + [0], .badRequest, "malformed-ops"),
            ("cut short", Array(good.dropLast(3)), .badRequest, "malformed-ops"),
            ("no run", PullStream.header + [UInt8(ascii: "E"), 0], .badRequest, "malformed-ops"),
            ("a title that is not UTF-8", notUTF8, .badRequest, "malformed-ops"),
            ("a count beyond Int.max", hugeCount, .badRequest, "malformed-ops"),
            ("seqs past Int64.max", pastTheEnd, .badRequest, "malformed-ops"),
            ("NUL in a title", edited(title("a\u{0}b")), .unprocessableContent, "bad-text"),
            ("right-to-left override in a title", edited(title("培训\u{202E}gnp.exe")), .unprocessableContent, "bad-text"),
            ("future timestamp", edited { $0[2].timestamp = HLCTimestamp(millis: $0[2].timestamp.millis + 25 * 3_600_000, counter: 0) },
             .unprocessableContent, "future-timestamp"),
            ("attendance beyond its bound", edited { ops in
                let i = ops.firstIndex { if case .add = $0.change { true } else { false } }!
                ops[i].change = .add(metric: "attendance", amount: .max)
            }, .unprocessableContent, "amount-out-of-range"),
            ("starts beyond the hub", PullStream.encodePush(Array(ops.dropFirst(2)), township: "河西镇", seals: []), .conflict, "missing-operations"),
        ]
        try await f.application.test(.router) { client in
            for (name, body, status, code) in cases {
                try await client.execute(uri: "/v1/ops", method: .post, headers: Self.headers(f.township["河西镇"]!),
                                         body: ByteBuffer(bytes: body)) { response throws in
                    #expect(response.status == status, "\(name)")
                    let error = try response.body.decode(HubAPI.ErrorBody.self).error
                    #expect(error.code == code, "\(name): \(error.message)")
                    #expect(!error.message.isEmpty)
                }
            }
        }
        #expect(try await f.hub.operationCounts().total == 0)
        // The good body, after all of that, is stored whole; again, it is all duplicates.
        try await f.application.test(.router) { client in
            for expected in [HubAPI.PushResult(accepted: ops.count, duplicates: 0), HubAPI.PushResult(accepted: 0, duplicates: ops.count)] {
                try await client.execute(uri: "/v1/ops", method: .post, headers: Self.headers(f.township["河西镇"]!),
                                         body: ByteBuffer(bytes: good)) { response throws in
                    #expect(response.status == .ok)
                    #expect(try response.body.decode(HubAPI.PushResult.self) == expected)
                }
            }
        }
        #expect(try f.hub.activity(ops[0].activity)?.title == "TITLEX")
        #expect(try f.hub.stateDigest() == replica.stateDigest())
    }

    /// Two townships sync the same kind of records through one hub, one packing its pushes, one
    /// pushing JSON as an older ktx does: the hub and the county end the same as the offices,
    /// and the packed pushes take a fraction of the JSON's bytes.
    @Test(arguments: HubFixture.backends) func packedAndJSONPushesBringTheSameHub(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let names = ["河西镇", "东街镇"]
        let towns = try names.enumerated().map { try f.lab.replica("t\($0.offset)", township: $0.element) }
        for town in towns {
            for j in 0..<200 {
                let id = try town.record(ActivityDraft(kind: j % 2 == 0 ? "rural" : "museum", date: "2023-04-0\(1 + j % 9)",
                                                       title: "活动\(j)", venue: "村委会", quantities: ["attendance": Int64(j)]))
                if j % 5 == 0 { try town.add(to: id, amount: 2) }
                if j % 50 == 7 { try town.delete(id) }
            }
        }
        let county = try f.lab.replica("county", township: "县科协")
        try await f.application.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            let packing = HTTPHub(url: url, token: f.township[names[0]]!)
            let json = HTTPHub(url: url, token: f.township[names[1]]!)
            await json.setPacksPushes(false)
            let a = try await SyncSession(store: towns[0], hub: packing, batchSize: 50).run()
            let b = try await SyncSession(store: towns[1], hub: json, batchSize: 50).run()
            #expect(a.pushed == b.pushed && a.pushed > 600)
            try await SyncSession(store: county, hub: HTTPHub(url: url, token: f.county)).run()
            for town in towns { try await SyncSession(store: town, hub: HTTPHub(url: url, token: f.township[try town.identity().township]!)).run() }
            let digests = try (towns + [county, f.hub]).map { try $0.stateDigest() }
            #expect(Set(digests).count == 1)
            // Signed runs went packed with their seals: the hub holds them for the county's pull.
            #expect(try !county.runs(of: try towns[0].identity().replica, after: 0).isEmpty)
            let (packedBytes, jsonBytes) = (await packing.bodyBytes.sent, await json.bodyBytes.sent)
            #expect(packedBytes * 3 < jsonBytes, "packed \(packedBytes) B, JSON \(jsonBytes) B")
        }
    }

    /// A hub that does not name packed pushes in its vector (a hub before them) gets JSON.
    @Test func aHubThatDoesNotSayItTakesPackedPushesGetsJSON() async throws {
        let seen = Seen()
        let router = Router()
        for accepts in [nil, [PullStream.pushContentType]] as [[String]?] {
            let path = accepts == nil ? "old" : "new"
            router.get("\(path)/v1/vector") { _, _ in
                String(decoding: try JSONEncoder().encode(HubAPI.Vector(replicas: [:], now: nil, accepts: accepts)), as: UTF8.self)
            }
            router.post("\(path)/v1/ops") { request, _ in
                seen.add(path, request.headers[.contentType] ?? "")
                return #"{"accepted": 3, "duplicates": 0}"#
            }
        }
        let lab = ReplicaLab("packed-client")
        defer { lab.remove() }
        let store = try lab.replica("t", township: "河西镇")
        try store.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t"))
        let ops = try store.operations(of: try store.identity().replica, after: 0, limit: 10)
        try await Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0))).test(.live) { client in
            for path in ["old", "new"] {
                let hub = HTTPHub(url: "http://127.0.0.1:\(client.port!)/\(path)", token: "t")
                _ = try await hub.versionVector()
                try await hub.push(ops, township: "河西镇", seal: nil)
            }
        }
        #expect(seen.all == ["old": "application/json", "new": PullStream.pushContentType])
    }

    final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [String: String] = [:]
        func add(_ key: String, _ value: String) { lock.withLock { values[key] = value } }
        var all: [String: String] { lock.withLock { values } }
    }
}
