import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SyncCore

/// A hub reached over HTTP: the county's `ktx hub serve`.
///
/// Every failure becomes a one-line ``KtxError`` that says what to check (the token, the
/// address, the connection); a failed request never touches local data.
public actor HTTPHub: Hub {
    /// The hub's address, as the remote names it.
    public nonisolated let location: String
    private let base: String
    private let token: String
    private let client: HTTPClient
    private let timeout: TimeAmount
    /// Bytes of the request and response bodies this hub object has sent and received
    /// (headers not counted): what a sync moved over the wire.
    public private(set) var bodyBytes = (sent: 0, received: 0)
    private var hubNow: Int64?
    private var role: Roster.Role?
    private let replica: ReplicaID?
    /// `township` for a scoped replica (see the API's PullRequest).
    private let scope: String?

    /// Only the replicas of the caller's own township may be pushed to an HTTP hub.
    public nonisolated var relaysEveryReplica: Bool { false }

    /// - Parameters:
    ///   - url: `http(s)://host:port`, without a path.
    ///   - token: a township or county token from `ktx hub token create`.
    ///   - replica: this replica, named when a sync starts so the county's dashboard shows
    ///     when each PC last synced, even with nothing to push.
    public init(url: String, token: String, replica: ReplicaID? = nil, scope: String? = nil, client: HTTPClient = HTTPHub.defaultClient,
                timeout: TimeAmount = .seconds(60)) {
        self.replica = replica
        self.scope = scope
        self.location = url
        self.base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.token = token
        self.client = client
        self.timeout = timeout
    }

    /// The client ktx uses: a refused or unreachable address fails at once (no retrying
    /// of connection attempts until the deadline), and connecting gives up after 15 s.
    public static let defaultClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(15), read: .seconds(60))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// The hub's version vector, with its clock, the push formats it accepts and the caller's role.
    public func versionVector() async throws -> VersionVector {
        // A sync starts here: the replica names itself, for the county's "last sync".
        let vector: HubAPI.Vector = try await send(.GET, HubRoute.vector.path, body: Optional<HubAPI.Vector>.none,
                                                   headers: replica.map { [(HubRoute.replicaHeader, $0.hex)] } ?? [])
        guard let vv = vector.versionVector else { throw protocolError(.badVector) }
        hubNow = vector.now
        role = vector.role.flatMap(Roster.Role.init(rawValue:))
        hubTakesPackedPushes = vector.accepts?.contains(PullStream.pushContentType) == true
        return vv
    }

    /// The hub's clock at the last answer, unix milliseconds.
    public func clockMillis() async -> Int64? { hubNow }

    /// The role of this remote's token, as the hub said at the last answer.
    public func callerRole() async -> Roster.Role? { role }

    /// Pushes a run of this replica's operations, packed when the hub accepts it, else as JSON.
    public func push(_ operations: [Op], township: String?, seal: RunSeal?) async throws {
        guard !operations.isEmpty else { return }
        guard packsPushes && hubTakesPackedPushes else {
            let _: HubAPI.PushResult = try await send(.POST, HubRoute.ops.path, body: HubAPI.Batch(operations, township: township, seal: seal))
            return
        }
        let body = PullStream.encodePush(operations, township: township, seals: seal.map { [$0] } ?? [])
        let data = try await request(.POST, HubRoute.ops.path, body: Data(body), contentType: PullStream.pushContentType).data
        let _: HubAPI.PushResult = try answer(data, to: HubRoute.ops.path)
    }

    /// Whether the hub said, in its version vector, that it takes packed pushes.
    private var hubTakesPackedPushes = false

    /// Whether pushes go packed to a hub that takes them (tests turn it off to push as an
    /// older ktx does).
    public var packsPushes = true

    /// Whether pushes go packed (`application/vnd.ktx.ops`), when the hub accepts them; tests turn it off.
    public func setPacksPushes(_ on: Bool) { packsPushes = on }

    /// The next operations beyond `vector`. The first call asks for the streamed pull
    /// (``PullStream``): the hub sends everything in one body, and each later call that asks
    /// for what follows the last page takes its next part as it arrives; a call asking
    /// otherwise (after a refusal) starts anew. A hub that does not stream answers one JSON page.
    public func pull(after vector: VersionVector, limit: Int) async throws -> PullPage {
        if let open = stream, open.expected == vector { return try await nextStreamPage(limit: limit) }
        if let ended = streamEnded, ended == vector {
            streamEnded = nil
            return PullPage(source: location + " (pull)")
        }
        stream = nil
        streamEnded = nil
        let payload = try JSONEncoder().encode(HubAPI.PullRequest(after: vector, limit: limit, scope: scope))
        let (response, data) = try await request(.POST, HubRoute.pull.path, body: payload,
                                                 accept: streams ? PullStream.contentType + ", application/json" : "application/json",
                                                 streaming: streams)
        if let response {
            stream = OpenStream(expected: vector, iterator: response.body.makeAsyncIterator())
            return try await nextStreamPage(limit: limit)
        }
        let page: HubAPI.PullPage
        do {
            page = try JSONDecoder().decode(HubAPI.PullPage.self, from: data)
        } catch {
            throw protocolError(.unreadable(path: HubRoute.pull.path))
        }
        var out = PullPage(source: location + " (pull)")
        for batch in page.batches {
            guard let replica = ReplicaID(hex: batch.replica) else { throw protocolError(.unknownReplica) }
            for wire in batch.operations {
                do {
                    out.operations.append(try wire.op(replica: replica))
                } catch {
                    out.refused.append(Refusal(source: out.source, replica: replica, seq: wire.seq, reason: error))
                    break
                }
            }
            if let township = batch.township { out.townships[replica] = township }
            if let seals = batch.seals, !seals.isEmpty { out.seals[replica, default: []] += seals }
        }
        return out
    }

    /// Whether pulls ask for the stream (tests turn it off to pull as an older ktx does).
    public var streams = true

    /// Whether pulls ask for the packed stream; tests turn it off to read JSON pages.
    public func setStreams(_ on: Bool) { streams = on }

    /// A streamed pull under way: the vector the next page follows, and the body.
    private struct OpenStream {
        var expected: VersionVector
        var iterator: HTTPClientResponse.Body.AsyncIterator
        var decoder = PullStream.Decoder()
    }
    private var stream: OpenStream?
    /// Where a whole stream ended: asking from there is the end of the pull.
    private var streamEnded: VersionVector?

    /// At least `limit` operations of the stream (whole frames), or what is left of it.
    private func nextStreamPage(limit: Int) async throws -> PullPage {
        guard var open = stream else { return PullPage(source: location + " (pull)") }
        stream = nil
        var out = PullPage(source: location + " (pull)")
        var count = 0
        while count < limit {
            let frame: PullStream.Frame?
            do {
                frame = try open.decoder.next()
            } catch {
                throw protocolError(.badStream)
            }
            if let frame {
                switch frame {
                case let .run(replica, township, operations, seals):
                    guard let last = operations.last?.seq else { continue }
                    out.operations += operations
                    if let township { out.townships[replica] = township }
                    if !seals.isEmpty { out.seals[replica, default: []] += seals }
                    open.expected[replica] = last
                    count += operations.count
                case .end:
                    streamEnded = open.expected
                    return out
                }
                continue
            }
            let buffer: ByteBuffer?
            do {
                buffer = try await open.iterator.next(isolation: self)
            } catch {
                throw unreachable(error)
            }
            guard let buffer else { throw protocolError(.streamCut) }
            bodyBytes.received += buffer.readableBytes
            open.decoder.append(buffer.readableBytesView)
        }
        stream = open
        return out
    }

    /// The hub's totals as JSON text, exactly as `/v1/totals` answers.
    public func notFlowing() async throws -> [HubAPI.Status.NotFlowing]? {
        let status: HubAPI.Status = try await send(.GET, HubRoute.status.path, body: Optional<HubAPI.Vector>.none)
        return status.notFlowing
    }

    /// The hub's whole status (county and admin tokens): the PCs not flowing, and where each
    /// township's year stands.
    public func status() async throws -> HubAPI.Status {
        try await send(.GET, HubRoute.status.path, body: Optional<HubAPI.Vector>.none)
    }

    /// The hub's totals as JSON, for the query given (`by=township&year=2023`).
    public func totalsJSON(query: String) async throws -> String {
        let data = try await raw(.GET, HubRoute.totals.path + (query.isEmpty ? "" : "?" + query), body: nil)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Requests

    private func send<Body: Encodable, Answer: Decodable>(_ method: HTTPMethod, _ path: String, body: Body?,
                                                          headers: [(String, String)] = []) async throws -> Answer {
        let payload = try body.map { try JSONEncoder().encode($0) }
        return try answer(try await raw(method, path, body: payload, headers: headers), to: path)
    }

    /// A JSON answer of the hub, read; a protocol error if it cannot be.
    private func answer<Answer: Decodable>(_ data: Data, to path: String) throws -> Answer {
        do {
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw protocolError(.unreadable(path: path))
        }
    }

    private func raw(_ method: HTTPMethod, _ path: String, body: Data?, headers: [(String, String)] = []) async throws -> Data {
        try await request(method, path, body: body, headers: headers).data
    }

    /// Sends a request. With `streaming`, an answer of type ``PullStream/contentType`` comes
    /// back unread (its body to be read as it arrives); any other answer is read whole.
    private func request(_ method: HTTPMethod, _ path: String, body: Data?, contentType: String = "application/json",
                         headers: [(String, String)] = [],
                         accept: String = "application/json", streaming: Bool = false) async throws -> (stream: HTTPClientResponse?, data: Data) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: accept)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            // A stream may take long as a whole; the client's read timeout still ends a stall.
            response = try await client.execute(request, timeout: streaming ? .hours(6) : timeout)
            bodyBytes.sent += body?.count ?? 0
            if streaming, (200..<300).contains(response.status.code),
               response.headers.first(name: "Content-Type")?.hasPrefix(PullStream.contentType) == true {
                return (response, Data())
            }
            bytes = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw unreachable(error)
        }
        let data = Data(bytes.readableBytesView)
        bodyBytes.received += data.count
        guard (200..<300).contains(response.status.code) else {
            let detail = (try? JSONDecoder().decode(HubAPI.ErrorBody.self, from: data))?.error
            let message = detail?.message ?? "HTTP \(response.status.code)"
            switch response.status.code {
            case 401:
                throw KtxError(.hubUnauthorized(location: location))
            case 403:
                throw KtxError(.hubForbidden(location: location, code: detail?.code, message: detail?.message))
            case 409 where path == HubRoute.ops.path && detail?.code != RefusalReason.forked.rawValue:
                throw HubDependency(message: message)
            default:
                throw KtxError(.hubRefusedRequest(location: location, status: Int(response.status.code),
                                                               code: detail?.code, message: detail?.message))
            }
        }
        return (nil, data)
    }

    private func unreachable(_ error: any Error) -> KtxError {
        KtxError(.hubUnreachable(location: location, reason: Self.reason(error)), underlying: error)
    }

    private func protocolError(_ problem: AnswerProblem) -> KtxError {
        KtxError(.hubAnswerUnreadable(location: location, problem))
    }

    /// Why a request got no answer, as the connection's error says it.
    static func reason(_ error: any Error) -> UnreachableReason {
        if let e = error as? HTTPClientError {
            if [.connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout].contains(e) { return .timeout }
            if [.remoteConnectionClosed, .alreadyShutdown].contains(e) { return .lost }
            if [.invalidURL, .emptyHost, .emptyScheme].contains(e) { return .badAddress }
        }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED: return .refused
            case ENETUNREACH, EHOSTUNREACH: return .networkUnreachable
            case ETIMEDOUT: return .timeout
            case ECONNRESET, EPIPE: return .lost
            default: return .other
            }
        }
        let text = String(describing: error).lowercased()
        if text.contains("refused") { return .refused }
        if text.contains("dns") || text.contains("resolve") { return .unknownHost }
        if text.contains("ssl") || text.contains("tls") || text.contains("certificate") { return .tls }
        if text.contains("closed") || text.contains("reset") { return .lost }
        if text.contains("connect") { return .noConnection }
        return .other
    }

}
