import Foundation
import GRDB
import HubPostgres
import HubServer
import HubStorage
import Hummingbird
import HummingbirdTesting
import Store
import SyncCore
import Synchronization
import TestSupport
import Testing

/// `openapi.json` describes the hub; this test makes the server produce every response
/// the document declares and checks each body against its schema, so the two cannot drift.
@Suite struct OpenAPIConformanceTests {
    nonisolated(unsafe) static let document: [String: Any] = {  // read-only after first load
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("openapi.json")
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    /// Every (path, method, status) the document declares.
    static var declared: Set<String> {
        var out: Set<String> = []
        for (path, item) in document["paths"] as! [String: Any] {
            for (method, operation) in item as! [String: Any] {
                for status in ((operation as! [String: Any])["responses"] as! [String: Any]).keys {
                    out.insert("\(method.uppercased()) \(path) \(status)")
                }
            }
        }
        return out
    }

    /// The routes the hub serves (``HubRoute``, which the router, middleware, metrics and
    /// client all use) are the document's paths, with the same methods.
    @Test func theDocumentDescribesExactlyTheRoutesTheHubServes() {
        var documented: Set<String> = []
        for (path, item) in Self.document["paths"] as! [String: Any] {
            for method in (item as! [String: Any]).keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        let served = Set(HubRoute.allCases.flatMap { route in route.methods.map { "\($0.rawValue) \(route.path)" } })
        #expect(served == documented)
        #expect(HubRoute(path: "/v1/tokens/12") == .token && HubRoute(path: "/v1/tokens/12/x") == nil && HubRoute(path: "/v1/tokens/") == nil)
    }

    @Test(arguments: HubFixture.backends) func everyDeclaredResponseIsProducedAndMatchesItsSchema(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let a = try f.lab.replica("a", township: "河西镇")
        let b = try f.lab.replica("b", township: "东街镇")
        let act = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t", quantities: ["attendance": 5, "cost": 1050]))
        try b.record(ActivityDraft(kind: "museum", date: "2023-06-20", title: "u"))
        let batchA = try f.batch(a)
        let record = Recorder()
        let t1 = f.township["河西镇"]!
        try await f.application.test(.router) { client in
            func call(_ method: HTTPRequest.Method, _ uri: String, _ template: String, token: String?, body: String? = nil,
                      expect status: Int) async throws {
                let headers = token.map { bearer($0) } ?? [:]
                let (key, found) = try await client.execute(uri: uri, method: method, headers: headers,
                                                            body: body.map { ByteBuffer(string: $0) }) { response in
                    let key = "\(method.rawValue) \(template) \(response.status.code)"
                    var found = Self.check(response, method: method.rawValue.lowercased(), path: template)
                    if response.status.code != status { found.append("\(key): expected \(status): \(response.body.text)") }
                    return (key, found)
                }
                record.add(key, found)
            }
            func encoded(_ value: some Encodable) -> String { String(buffer: json(value)) }
            try await call(.get, "/healthz", "/healthz", token: nil, expect: 200)
            try await call(.get, "/v1/vector", "/v1/vector", token: nil, expect: 401)
            try await call(.post, "/v1/ops", "/v1/ops", token: t1, body: encoded(batchA), expect: 200)
            try await call(.post, "/v1/ops", "/v1/ops", token: f.township["东街镇"]!, body: encoded(try f.batch(b)), expect: 200)
            try await call(.get, "/v1/vector", "/v1/vector", token: f.county, expect: 200)
            try await call(.post, "/v1/ops", "/v1/ops", token: t1, body: "{", expect: 400)
            try await call(.post, "/v1/ops", "/v1/ops", token: nil, body: encoded(batchA), expect: 401)
            try await call(.post, "/v1/ops", "/v1/ops", token: f.county, body: encoded(batchA), expect: 403)
            var ahead = batchA
            ahead.operations = ahead.operations.map { var op = $0; op.seq += 50; return op }
            try await call(.post, "/v1/ops", "/v1/ops", token: t1, body: encoded(ahead), expect: 409)
            try await call(.post, "/v1/ops", "/v1/ops", token: t1, body: String(repeating: " ", count: 2 << 20), expect: 413)
            try await call(.post, "/v1/ops", "/v1/ops", token: t1, body: #"{"replica": 1, "operations": []}"#, expect: 422)
            try await call(.post, "/v1/pull", "/v1/pull", token: f.county, body: encoded(HubAPI.PullRequest(after: VersionVector(), limit: 3)), expect: 200)
            let streamed = try await client.execute(uri: "/v1/pull", method: .post,
                                                    headers: [.authorization: "Bearer \(f.county)", .accept: PullStream.contentType],
                                                    body: json(HubAPI.PullRequest(after: VersionVector(), limit: 3))) { response in
                Self.check(response, method: "post", path: "/v1/pull")
            }
            record.add("POST /v1/pull 200", streamed)
            try await call(.post, "/v1/pull", "/v1/pull", token: f.county, body: "[", expect: 400)
            try await call(.post, "/v1/pull", "/v1/pull", token: nil, body: "{}", expect: 401)
            try await call(.post, "/v1/pull", "/v1/pull", token: f.county, body: #"{"after": 5}"#, expect: 422)
            try await call(.post, "/v1/pull", "/v1/pull", token: f.county, body: #"{"after": {}, "scope": "township"}"#, expect: 403)
            try await call(.get, "/v1/totals?by=township,kind", "/v1/totals", token: f.county, expect: 200)
            try await call(.get, "/v1/totals?year=23", "/v1/totals", token: f.county, expect: 400)
            try await call(.get, "/v1/totals", "/v1/totals", token: nil, expect: 401)
            try await call(.get, "/v1/status", "/v1/status", token: f.county, expect: 200)
            try await call(.get, "/v1/tokens", "/v1/tokens", token: f.admin, expect: 200)
            try await call(.get, "/v1/tokens", "/v1/tokens", token: nil, expect: 401)
            try await call(.get, "/v1/tokens", "/v1/tokens", token: f.county, expect: 403)
            try await call(.post, "/v1/tokens", "/v1/tokens", token: f.admin, body: #"{"role": "county"}"#, expect: 201)
            try await call(.post, "/v1/tokens", "/v1/tokens", token: nil, body: "{}", expect: 401)
            try await call(.post, "/v1/tokens", "/v1/tokens", token: t1, body: #"{"role": "county"}"#, expect: 403)
            try await call(.post, "/v1/tokens", "/v1/tokens", token: f.admin, body: #"{"role": "township"}"#, expect: 422)
            try await call(.post, "/v1/tokens", "/v1/tokens", token: f.admin, body: #"{"role": "county", "extra": 1}"#, expect: 422)
            try await call(.post, "/v1/tokens", "/v1/tokens", token: f.admin, body: #"{"role": "#, expect: 400)
            try await call(.delete, "/v1/tokens/abc", "/v1/tokens/{id}", token: f.admin, expect: 400)
            try await call(.get, "/v1/totals?by=&township=&kind=&year=", "/v1/totals", token: f.county, expect: 200)
            try await call(.delete, "/v1/tokens/2", "/v1/tokens/{id}", token: f.admin, expect: 204)
            try await call(.delete, "/v1/tokens/2", "/v1/tokens/{id}", token: nil, expect: 401)
            try await call(.delete, "/v1/tokens/2", "/v1/tokens/{id}", token: t1, expect: 403)
            try await call(.delete, "/v1/tokens/99", "/v1/tokens/{id}", token: f.admin, expect: 404)
            try await call(.get, "/metrics", "/metrics", token: nil, expect: 200)
            try await call(.get, "/v1/status", "/v1/status", token: nil, expect: 401)
            try await call(.get, "/v1/status", "/v1/status", token: t1, expect: 403)
            try await call(.get, "/v1/me", "/v1/me", token: t1, expect: 200)
            try await call(.get, "/v1/me", "/v1/me", token: nil, expect: 401)
            try await call(.get, "/v1/targets", "/v1/targets", token: t1, expect: 200)
            try await call(.get, "/v1/targets", "/v1/targets", token: nil, expect: 401)
            // On PostgreSQL, a database that stops answering: every endpoint says 503.
            if let location = f.postgres {
                let admin = try PostgresLocation(url: HubFixture.postgresURL!, password: ProcessInfo.processInfo.environment["PGPASSWORD"])
                try await PostgresAdmin.execute("ALTER DATABASE \(location.database) ALLOW_CONNECTIONS false", on: admin)
                try await PostgresAdmin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(location.database)'", on: admin)
                try await call(.get, "/v1/vector", "/v1/vector", token: f.county, expect: 503)
                try await call(.post, "/v1/ops", "/v1/ops", token: t1, body: encoded(batchA), expect: 503)
                try await call(.post, "/v1/pull", "/v1/pull", token: f.county, body: "{}", expect: 503)
                try await call(.get, "/v1/totals", "/v1/totals", token: f.county, expect: 503)
                try await call(.get, "/v1/tokens", "/v1/tokens", token: f.admin, expect: 503)
                try await call(.get, "/v1/status", "/v1/status", token: f.county, expect: 503)
                try await call(.get, "/v1/me", "/v1/me", token: f.county, expect: 503)
                try await call(.get, "/v1/targets", "/v1/targets", token: f.county, expect: 503)
                try await call(.post, "/v1/tokens", "/v1/tokens", token: f.admin, body: #"{"role": "county"}"#, expect: 503)
                try await call(.delete, "/v1/tokens/3", "/v1/tokens/{id}", token: f.admin, expect: 503)
                try await PostgresAdmin.execute("ALTER DATABASE \(location.database) ALLOW_CONNECTIONS true", on: admin)
            }
        }
        // A database that no longer answers (its log table gone): the health check says 503.
        let broken = try await HubFixture()
        defer { broken.remove() }
        try await broken.application.test(.router) { client in
            let queue = try DatabaseQueue(path: broken.lab.dir.file("hub.db"))
            try await queue.write { try $0.execute(sql: "ALTER TABLE replica RENAME TO replica_gone") }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "30")
                record.add("GET /healthz \(response.status.code)", Self.check(response, method: "get", path: "/healthz"))
            }
        }
        let (seen, problems) = record.result
        #expect(problems.isEmpty, "\(problems)")
        // The API's 503s come from a shared database that stops answering (PostgreSQL); an
        // embedded SQLite hub answers its /healthz 503 only.
        let declared = backend == .postgres ? Self.declared : Self.declared.filter { !($0.contains(" /v1/") && $0.hasSuffix(" 503")) }
        #expect(seen == declared, "not produced: \(declared.subtracting(seen)); undeclared: \(seen.subtracting(declared))")
        #expect(try f.hub.activity(act)?.quantities["attendance"] == 5)
    }

    /// Problems with a response against the document: undeclared status or a body off its schema.
    static func check(_ response: TestResponse, method: String, path: String) -> [String] {
        let key = "\(method.uppercased()) \(path) \(response.status.code)"
        guard let item = (document["paths"] as! [String: Any])[path] as? [String: Any],
              let operation = item[method] as? [String: Any],
              let declared = (operation["responses"] as! [String: Any])[String(response.status.code)] as? [String: Any]
        else { return ["\(key) is not declared"] }
        if let type = response.headers[.contentType], type.hasPrefix(PullStream.contentType) {
            let content = declared["content"] as? [String: Any]
            return content?[PullStream.contentType] != nil && response.body.readableBytesView.starts(with: PullStream.header)
                ? [] : ["\(key) as a pull stream is not declared, or is not one"]
        }
        if let content = declared["content"] as? [String: Any], content["text/plain"] != nil {
            return response.headers[.contentType]?.hasPrefix("text/plain") == true ? [] : ["\(key) is not text/plain"]
        }
        guard let content = declared["content"] as? [String: Any],
              let media = content["application/json"] as? [String: Any], let schema = media["schema"] as? [String: Any]
        else { return response.body.readableBytes == 0 ? [] : ["\(key) has a body the document does not declare"] }
        guard let value = try? JSONDecoder().decode(JSONAny.self, from: Data(response.body.readableBytesView)) else {
            return ["\(key) body is not JSON"]
        }
        return SchemaValidator(document: document).validate(value, schema, at: key)
    }
}

/// Collects what the calls saw.
final class Recorder: Sendable {
    private let state = Mutex<(Set<String>, [String])>(([], []))

    func add(_ key: String, _ problems: [String]) {
        state.withLock { $0.0.insert(key); $0.1 += problems }
    }

    var result: (Set<String>, [String]) { state.withLock { $0 } }
}

/// Checks a JSON value against the subset of JSON Schema the document uses: `$ref`,
/// `type` (one or several), `properties`, `required`, `additionalProperties`, `items`,
/// `minItems`, `maxItems`, `enum`.
struct SchemaValidator {
    let document: [String: Any]

    func validate(_ value: JSONAny, _ schema: [String: Any], at path: String) -> [String] {
        if let ref = schema["$ref"] as? String {
            let name = String(ref.split(separator: "/").last!)
            let schemas = (document["components"] as! [String: Any])["schemas"] as! [String: Any]
            guard let target = schemas[name] as? [String: Any] else { return ["\(path): unknown \(ref)"] }
            return validate(value, target, at: path)
        }
        var problems: [String] = []
        if let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map({ [$0] }),
           !types.contains(where: { value.matches($0) }) {
            return ["\(path): \(value) is not \(types.joined(separator: " or "))"]
        }
        if let allowed = schema["enum"] as? [String] {
            guard case let .string(text) = value, allowed.contains(text) else { return ["\(path): \(value) is not one of \(allowed)"] }
        }
        if case let .object(object) = value {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for name in schema["required"] as? [String] ?? [] where object[name] == nil {
                problems.append("\(path): missing \(name)")
            }
            for (name, member) in object {
                if let property = properties[name] as? [String: Any] {
                    problems += validate(member, property, at: "\(path).\(name)")
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    problems += validate(member, extra, at: "\(path).\(name)")
                } else if schema["additionalProperties"] as? Bool == false {
                    problems.append("\(path): unexpected \(name)")
                }
            }
        }
        if case let .array(array) = value {
            if let min = schema["minItems"] as? Int, array.count < min { problems.append("\(path): fewer than \(min) items") }
            if let max = schema["maxItems"] as? Int, array.count > max { problems.append("\(path): more than \(max) items") }
            if let items = schema["items"] as? [String: Any] {
                for (i, item) in array.enumerated() { problems += validate(item, items, at: "\(path)[\(i)]") }
            }
        }
        return problems
    }
}

/// A JSON value decoded strictly: a boolean is never a number, an integer never a string.
indirect enum JSONAny: Decodable, CustomStringConvertible {
    case null, bool(Bool), integer(Int64), number(Double), string(String), array([JSONAny]), object([String: JSONAny])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let i = try? c.decode(Int64.self) { self = .integer(i) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONAny].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONAny].self)) }
    }

    func matches(_ kind: String) -> Bool {
        switch (self, kind) {
        case (.object, "object"), (.array, "array"), (.string, "string"), (.null, "null"), (.bool, "boolean"),
             (.integer, "integer"), (.integer, "number"), (.number, "number"): true
        default: false
        }
    }

    var description: String {
        switch self {
        case .null: "null"
        case let .bool(b): "\(b)"
        case let .integer(i): "\(i)"
        case let .number(d): "\(d)"
        case let .string(s): "\"\(s)\""
        case .array: "an array"
        case .object: "an object"
        }
    }
}
