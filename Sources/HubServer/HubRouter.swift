import CoreCalls
import Foundation
import HTTPTypes
import HubStorage
import Hummingbird
import KtxWords
import Logging
import NIOCore
import Store
import SyncCore
import Web

/// Builds the hub application that the live tests start on a SQLite hub database.
public func buildApplication(_ configuration: HubConfiguration, wallClock: any WallClock = SystemWallClock()) throws -> some ApplicationProtocol {
    let store = try Store.openHub(at: configuration.databasePath, wallClock: wallClock)
    return buildApplication(configuration, hub: store, wallClock: wallClock)
}

/// Builds the hub application on an opened backend.
public func buildApplication(_ configuration: HubConfiguration, hub: any HubBackend,
                             wallClock: any WallClock = SystemWallClock()) -> some ApplicationProtocol {
    let limit = ConnectionLimit(perAddress: configuration.maxConnectionsPerAddress, logger: configuration.logger)
    return Application(
        router: buildRouter(hub: hub, configuration: configuration, wallClock: wallClock),
        server: .http1(configuration: .init(additionalChannelHandlers: [limit.handler()],
                                            idleTimeout: .milliseconds(Int64(configuration.idleTimeoutSeconds * 1000)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "ktx-hub"),
        logger: configuration.logger)
}

/// Builds the hub's router on a SQLite hub database.
public func buildRouter(store: Store, configuration: HubConfiguration,
                        wallClock: any WallClock = SystemWallClock()) -> Router<HubRequestContext> {
    buildRouter(hub: store, configuration: configuration, wallClock: wallClock)
}

/// Builds the hub's router: `/healthz`, the versioned JSON API under `/v1`, and the county's
/// dashboard at `/` (county and admin tokens log in).
public func buildRouter(hub: any HubBackend, configuration: HubConfiguration,
                        wallClock: any WallClock = SystemWallClock()) -> Router<HubRequestContext> {
    let metrics = HubMetrics()
    let api = HubEndpoints(hub: hub, configuration: configuration, wallClock: wallClock, metrics: metrics)
    let router = Router(context: HubRequestContext.self)
    router.add(middleware: HubMiddleware(hub: hub, logger: configuration.logger, metrics: metrics))
    func on(_ route: HubRoute, _ method: HubRoute.Method, _ handler: @escaping @Sendable (Request, HubRequestContext) async throws -> Response) {
        router.on(RouterPath(route.routerPath), method: HTTPRequest.Method(method), use: handler)
    }
    on(.health, .get) { _, _ in try await api.health() }
    on(.metrics, .get) { _, _ in try await api.metricsText() }
    on(.vector, .get) { request, context in try await api.vector(request, context) }
    on(.ops, .post) { request, context in try await api.push(request, context) }
    on(.pull, .post) { request, context in try await api.pull(request, context) }
    on(.totals, .get) { request, _ in try await api.totals(request) }
    on(.status, .get) { _, context in try await api.status(context) }
    on(.me, .get) { _, context in try await api.me(context) }
    on(.targets, .get) { _, context in try await api.targets(context) }
    on(.tokens, .get) { _, context in try await api.listTokens(context) }
    on(.tokens, .post) { request, context in try await api.createToken(request, context) }
    on(.token, .delete) { _, context in try await api.revokeToken(context) }
    Dashboard(hub: hub, access: .hub(Sessions(lifetime: TimeInterval(configuration.sessionSeconds)))).register(on: router)
    WebApp(core: configuration.appCore).register(on: router)
    return router
}

/// The handlers, each a thin layer over the hub's backend and its view.
struct HubEndpoints: Sendable {
    let hub: any HubBackend
    var store: Store { hub.view }
    let configuration: HubConfiguration
    let wallClock: any WallClock
    let metrics: HubMetrics
    let totalsCache = TotalsCache()

    /// Reads the database: 200 when it answers, else 503 with a retry hint (a load balancer
    /// takes this node out until it recovers).
    func health() async throws -> Response {
        do {
            return try json(HubAPI.Health(status: "ok", operations: await hub.operationTotal()))
        } catch {
            configuration.logger.error("health check: the database does not answer: \(error)")
            var error = HubError(.serviceUnavailable, .unavailable, "the hub's database does not answer; retry later")
            error.retryAfter = 30
            throw error
        }
    }

    /// Prometheus' text format.
    func metricsText() async throws -> Response {
        try await hub.refresh(details: false)
        let (store, metrics, now) = (store, metrics, wallClock.nowMillis())
        let body = try await Task.detached { try metrics.render(store: store, now: now) }.value
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    func vector(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        // A client names its replica when a sync starts: its township's (or the county's) PC
        // is marked as seen for the dashboard. A name it may not speak for changes nothing.
        if let named = request.headers[.ktxReplica], let replica = ReplicaID(hex: named), let caller = context.caller {
            do {
                try await hub.noteSyncStarted(replica: replica, caller: caller)
            } catch {
                configuration.logger.error("could not note a sync's start: \(error)")
            }
        }
        if try await hub.refresh(details: false) { totalsCache.invalidate() }
        return try json(HubAPI.Vector(await store.versionVector(), now: wallClock.nowMillis(), accepts: [PullStream.pushContentType],
                                      role: context.caller?.role.rawValue))
    }

    func push(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        guard let caller = context.caller, caller.role == .township || caller.role == .county else {
            throw HubError.forbidden("this token may not push: only township and county tokens push operations")
        }
        let latestAllowed = wallClock.nowMillis() + configuration.maxClockSkewMillis
        let pushed: PushedRun
        if request.headers[.contentType]?.hasPrefix(PullStream.pushContentType) == true {
            let bytes = Array(try await body(request).readableBytesView)
            let packed: (replica: ReplicaID, township: String?, operations: [Op], seals: [RunSeal])
            do {
                packed = try PullStream.decodePush(bytes)
            } catch {
                throw HubError(.badRequest, .malformedOps, "the body is not one packed run of operations (\(PullStream.pushContentType))")
            }
            pushed = PushedRun(replica: packed.replica.hex, township: packed.township, count: packed.operations.count)
            do {
                let ops = try HubAPI.Batch.checked(packed.operations, township: packed.township, by: store.rule, latestAllowed: latestAllowed)
                return try await accept(pushed, (packed.replica, ops), seals: packed.seals, caller)
            } catch let problem as HubAPI.Batch.Problem {
                await noteRefusal(pushed, caller, code: problem.code, message: problem.message)
                throw HubError(.unprocessableContent, HubErrorCode(rawValue: problem.code), problem.message)
            }
        }
        let batch = try await decode(HubAPI.Batch.self, request)
        pushed = PushedRun(replica: batch.replica, township: batch.township, count: batch.operations.count)
        let decoded: (replica: ReplicaID, operations: [Op])
        do {
            decoded = try batch.decoded(by: store.rule, latestAllowed: latestAllowed)
        } catch {
            await noteRefusal(pushed, caller, code: error.code, message: error.message)
            throw HubError(.unprocessableContent, HubErrorCode(rawValue: error.code), error.message)
        }
        return try await accept(pushed, decoded, seals: batch.seals ?? [], caller)
    }

    /// What a refused push is counted by, however it was encoded.
    struct PushedRun {
        var replica: String
        var township: String?
        var count: Int
    }

    /// Stores a checked run (or refuses it, with the hub's rights and signatures) and answers.
    func accept(_ pushed: PushedRun, _ decoded: (replica: ReplicaID, operations: [Op]), seals: [RunSeal],
                _ caller: HubCaller) async throws -> Response {
        do {
            let result = try await hub.accept(decoded.operations, replica: decoded.replica,
                                              announcedTownship: pushed.township, caller: caller, seals: seals)
            if result.accepted > 0 { totalsCache.invalidate() }
            metrics.accepted(result.accepted, duplicates: result.duplicates)
            return try json(HubAPI.PushResult(accepted: result.accepted, duplicates: result.duplicates))
        } catch let rejection as HubRejection {
            await noteRefusal(pushed, caller, code: rejection.code.rawValue, message: rejection.message)
            let status: HTTPResponse.Status = switch rejection.kind {
            case .invalid: .unprocessableContent
            case .forbidden: .forbidden
            case .conflict: .conflict
            }
            throw HubError(status, rejection.code, rejection.message)
        }
    }

    /// Keeps count of a refused push for the county's dashboard (`ktx hub serve`'s pages):
    /// a failure to count it is logged, never turned into another answer.
    func noteRefusal(_ pushed: PushedRun, _ caller: HubCaller, code: String, message: String) async {
        metrics.refused(pushed.count, reason: code)
        guard let replica = ReplicaID(hex: pushed.replica) else { return }
        do {
            try await hub.noteRefusal(replica: replica, township: caller.township ?? pushed.township, code: code,
                                        operations: pushed.count, message: message)
        } catch {
            configuration.logger.error("could not count a refused push: \(error)")
        }
    }

    func pull(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        let body = try await decode(HubAPI.PullRequest.self, request)
        guard let after = HubAPI.Vector(replicas: body.after).versionVector else {
            throw HubError(.unprocessableContent, .badVector, "'after' must map 32-hex-digit replica ids to seqs of 0 or more")
        }
        let limit = min(configuration.maxPullLimit, max(1, body.limit ?? configuration.maxPullLimit))
        var township: String?
        switch body.scope {
        case nil: break
        case "township"?:
            guard context.caller?.role == .township, let own = context.caller?.township else {
                throw HubError.forbidden("scope 'township' is for a township token: a county or admin token pulls everything")
            }
            township = own
        case let other?:
            throw HubError(.unprocessableContent, .badScope, "'scope' must be 'township' or absent, not '\(other)'")
        }
        if try await hub.refresh(details: false) { totalsCache.invalidate() }
        if request.headers[.accept]?.contains(PullStream.contentType) == true {
            return pullStream(after: after, township: township)
        }
        return bytes(try await store.hubPull(after: after, limit: limit, township: township).encoded())
    }

    func totals(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        // An empty parameter (`?by=&kind=`) is the same as none, as HTML forms send it.
        func parameter(_ name: String) -> String? { query[Substring(name)].map(String.init).flatMap { $0.isEmpty ? nil : $0 } }
        let keys: [GroupKey]
        let filter: ActivityFilter
        do {
            keys = try GroupKey.parseList(parameter("by"))
            filter = try ActivityFilter.parse(kind: parameter("kind"), township: parameter("township"),
                                              year: parameter("year"), catalog: store.catalog)
        } catch let error as KtxError {
            throw HubError(.badRequest, HubErrorCode(error.code), error.message(.en, fields: .keys))
        }
        let question = "\(keys.map(\.rawValue))|\(filter.kind ?? "")|\(filter.township ?? "")|\(filter.year.map(String.init) ?? "")"
        if try await hub.refresh(details: false) { totalsCache.invalidate() }
        if let kept = totalsCache.answer(question) { return text(kept) }
        let generation = totalsCache.generation
        let rows = try await store.totals(by: keys, filter: filter)
        let body = TotalsRow.json(rows, keys: keys, catalog: store.catalog).render()
        totalsCache.keep(body, for: question, computedAt: generation)
        return text(body)
    }

    /// Everything held beyond `after` as one streamed body (``PullStream``): read a page at a
    /// time and written before the next is read (memory flat in the size of the log; the
    /// writer waits while the client is slower).
    func pullStream(after: VersionVector, township: String?) -> Response {
        let store = self.store
        let pageSize = max(configuration.maxPullLimit, 20_000)
        var headers = HTTPFields()
        headers[.contentType] = PullStream.contentType
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            try await writer.write(ByteBuffer(bytes: PullStream.header))
            var cursor = after
            while true {
                let page = try await store.hubPullPacked(after: cursor, limit: pageSize, township: township)
                var out: [UInt8] = []
                for frame in page.frames where frame.count > 0 {
                    PullStream.appendRun(replica: frame.replica, township: frame.township, first: frame.first, count: frame.count,
                                         packed: frame.packed, seals: frame.seals, to: &out)
                    cursor[frame.replica] = frame.first + Int64(frame.count) - 1
                }
                if !out.isEmpty { try await writer.write(ByteBuffer(bytes: out)) }
                if !page.more || out.isEmpty { break }
            }
            var end: [UInt8] = []
            PullStream.appendEnd(more: false, to: &end)
            try await writer.write(ByteBuffer(bytes: end))
            try await writer.finish(nil)
        })
    }

    /// The PCs whose pushes were refused since they last pushed successfully (county, admin).
    /// `GET /v1/me`: the calling token's role and township.
    func me(_ context: HubRequestContext) async throws -> Response {
        guard let caller = context.caller else { throw HubError.unauthorized }
        return try json(HubAPI.Me(role: caller.role.rawValue, township: caller.township))
    }

    /// `GET /v1/targets`: every year's performance tables the hub serves (any token), as
    /// ``TargetsText`` writes them, the shared core reads them back.
    func targets(_ context: HubRequestContext) async throws -> Response {
        guard context.caller != nil else { throw HubError.unauthorized }
        let years = configuration.targets.sorted { $0.year < $1.year }.map(TargetsText.json)
        return bytes(Array(JSONText.object([("years", .array(years))]).text.utf8))
    }

    func status(_ context: HubRequestContext) async throws -> Response {
        guard let caller = context.caller, caller.role == .county || caller.role == .admin else {
            throw HubError.forbidden("only a county or admin token reads the hub's status")
        }
        _ = try await hub.refresh(details: true)
        var out: [HubAPI.Status.NotFlowing] = []
        for pc in try hub.view.replicaSummaries() {
            for refusal in pc.refusals where refusal.lastAt > (pc.lastPush ?? 0) {
                out.append(HubAPI.Status.NotFlowing(replica: pc.replica.hex, township: pc.township, code: refusal.code,
                                                    operations: refusal.operations, last: refusal.lastAt))
            }
        }
        var years: [HubAPI.Status.Year] = []
        for year in try hub.view.yearsWithSteps() {
            for s in try hub.view.yearStandings(year) {
                let state = s.standing.state
                let at = state == .submitted ? s.standing.submitted?.stamp.timestamp.millis
                    : state == .notSubmitted ? nil : s.standing.decided?.stamp.timestamp.millis
                years.append(HubAPI.Status.Year(year: year, township: s.township, state: state.rawValue, at: at,
                                                reason: state == .returned ? s.standing.decided?.step.reason : nil))
            }
        }
        return try json(HubAPI.Status(notFlowing: out, years: years))
    }

    // MARK: Tokens (admin)

    /// The body of `POST /v1/tokens`.
    struct TokenRequest: Codable, KnownMembers {
        var role: HubRole
        var township: String?
        static let members: Set<String> = ["role", "township"]
    }
    struct TokenCreated: Codable { var id: Int64; var role: HubRole; var township: String?; var token: String }
    struct TokenInfo: Codable { var id: Int64; var role: HubRole; var township: String?; var revoked: Bool }

    func requireAdmin(_ context: HubRequestContext) throws {
        guard context.caller?.role == .admin else { throw HubError.forbidden("only an admin token manages tokens") }
    }

    func listTokens(_ context: HubRequestContext) async throws -> Response {
        try requireAdmin(context)
        return try json(await hub.tokens().map { TokenInfo(id: $0.id, role: $0.role, township: $0.township, revoked: $0.revokedAtMillis != nil) })
    }

    func createToken(_ request: Request, _ context: HubRequestContext) async throws -> Response {
        try requireAdmin(context)
        let body = try await decode(TokenRequest.self, request)
        if body.role == .township, (body.township ?? "").trimmingSpaces().isEmpty {
            throw HubError(.unprocessableContent, .missingTownship, "a township token needs 'township': the township whose replicas it may push")
        }
        do {
            let (id, secret) = try await hub.createToken(role: body.role, township: body.township)
            var response = try json(TokenCreated(id: id, role: body.role, township: body.role == .township ? body.township : nil, token: secret))
            response.status = .created
            return response
        } catch let error as KtxError where error.isBadInput {
            throw HubError(.unprocessableContent, HubErrorCode(error.code), error.message(.en, fields: .keys))
        }
    }

    func revokeToken(_ context: HubRequestContext) async throws -> Response {
        try requireAdmin(context)
        guard let id = context.parameters.get("id", as: Int64.self) else {
            throw HubError(.badRequest, .badTokenID, "the token id must be a number")
        }
        do {
            try await hub.revokeToken(id: id)
        } catch let error as KtxError where error.code == .unknownToken {
            throw HubError(.notFound, HubErrorCode(error.code), error.en)
        }
        return Response(status: .noContent)
    }

    // MARK: Bodies

    /// Reads and decodes a JSON body within the size limit; a 413, 400 or 422 otherwise.
    /// A request's body within the size limit; a 413 otherwise.
    func body(_ request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch {
            throw HubError(.contentTooLarge, .tooLarge, "the request body is larger than \(configuration.maxBodyBytes) bytes: send smaller batches")
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer = try await body(request)
        do {
            return try JSONDecoder().decode(MembersChecked<T>.self, from: Data(buffer.readableBytesView)).value
        } catch let error as HubError {
            throw error
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty {
            throw HubError(.badRequest, .malformedJSON, "the body is not valid JSON")
        } catch let error as DecodingError {
            throw HubError(.unprocessableContent, .badField, Self.describe(error))
        } catch {
            throw HubError(.badRequest, .malformedJSON, "the body is not valid JSON")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the body" : keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case let .typeMismatch(type, context): return "\(path(context.codingPath)) must be \(Self.typeName(type))"
        case let .valueNotFound(type, context): return "\(path(context.codingPath)) must be \(Self.typeName(type)), not null"
        case let .keyNotFound(key, context): return "\(path(context.codingPath + [key])) is required"
        case let .dataCorrupted(context): return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default: return "the body does not match the API"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Bool.Type: "true or false"
        default: "of another type"
        }
    }

    func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return text(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    func bytes(_ body: [UInt8]) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    func text(_ body: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// A request body whose members the API defines exactly: any other member is refused.
protocol KnownMembers {
    static var members: Set<String> { get }
}

/// Decodes a body, refusing first a member its type does not define (the document says
/// `additionalProperties: false`, so a misspelt member is never silently ignored). The
/// members are read in the same pass as the body, not parsed a second time.
struct MembersChecked<T: Decodable>: Decodable {
    var value: T

    init(from decoder: any Decoder) throws {
        if let members = (T.self as? any KnownMembers.Type)?.members,
           let object = try? decoder.container(keyedBy: AnyMember.self),
           let extra = object.allKeys.map(\.stringValue).sorted().first(where: { !members.contains($0) }) {
            throw HubError(.unprocessableContent, .badField, "'\(extra)' is not a member of this request (\(members.sorted().joined(separator: ", ")))")
        }
        value = try T(from: decoder)
    }

    private struct AnyMember: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension HubAPI.Batch: KnownMembers {
    static var members: Set<String> { ["replica", "township", "operations", "seals"] }
}

extension HubAPI.PullRequest: KnownMembers {
    static var members: Set<String> { ["after", "limit", "scope"] }
}
