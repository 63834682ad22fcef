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
    public nonisolated let location: String
    private let base: String
    private let token: String
    private let client: HTTPClient
    private let timeout: TimeAmount
    /// Bytes of the request and response bodies this hub object has sent and received
    /// (headers not counted): what a sync moved over the wire.
    public private(set) var bodyBytes = (sent: 0, received: 0)
    private var hubNow: Int64?
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

    public func versionVector() async throws -> VersionVector {
        // A sync starts here: the replica names itself, for the county's "last sync".
        let vector: HubAPI.Vector = try await send(.GET, "/v1/vector", body: Optional<HubAPI.Vector>.none,
                                                   headers: replica.map { [("Ktx-Replica", $0.hex)] } ?? [])
        guard let vv = vector.versionVector else { throw protocolError("the hub sent a malformed version vector") }
        hubNow = vector.now
        return vv
    }

    public func clockMillis() async -> Int64? { hubNow }

    public func push(_ operations: [Op], township: String?, seal: RunSeal?) async throws {
        guard !operations.isEmpty else { return }
        let _: HubAPI.PushResult = try await send(.POST, "/v1/ops", body: HubAPI.Batch(operations, township: township, seal: seal))
    }

    public func pull(after vector: VersionVector, limit: Int) async throws -> PullPage {
        let page: HubAPI.PullPage = try await send(.POST, "/v1/pull", body: HubAPI.PullRequest(after: vector, limit: limit, scope: scope))
        var out = PullPage(source: location + " (pull)")
        for batch in page.batches {
            guard let replica = ReplicaID(hex: batch.replica) else { throw protocolError("the hub sent a batch of an unknown replica") }
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

    /// The hub's totals as JSON text, exactly as `/v1/totals` answers.
    public func totalsJSON(query: String) async throws -> String {
        let data = try await raw(.GET, "/v1/totals" + (query.isEmpty ? "" : "?" + query), body: nil)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: Requests

    private func send<Body: Encodable, Answer: Decodable>(_ method: HTTPMethod, _ path: String, body: Body?,
                                                          headers: [(String, String)] = []) async throws -> Answer {
        let payload = try body.map { try JSONEncoder().encode($0) }
        let data = try await raw(method, path, body: payload, headers: headers)
        do {
            return try JSONDecoder().decode(Answer.self, from: data)
        } catch {
            throw protocolError("the hub's answer to \(path) could not be read")
        }
    }

    private func raw(_ method: HTTPMethod, _ path: String, body: Data?, headers: [(String, String)] = []) async throws -> Data {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await client.execute(request, timeout: timeout)
            bytes = try await response.body.collect(upTo: 256 << 20)
        } catch {
            throw KtxError(.hubUnreachable,
                           zh: "无法连接县同步服务器 \(location)（\(Self.reason(error))）：请检查网络连接和地址是否正确；本地数据未受影响",
                           en: "cannot reach the hub at \(location) (\(Self.reason(error))): check the connection and the address; local data is untouched",
                           underlying: error)
        }
        let data = Data(bytes.readableBytesView)
        bodyBytes.sent += body?.count ?? 0
        bodyBytes.received += data.count
        guard (200..<300).contains(response.status.code) else {
            let detail = (try? JSONDecoder().decode(HubAPI.ErrorBody.self, from: data))?.error
            let message = detail?.message ?? "HTTP \(response.status.code)"
            switch response.status.code {
            case 401:
                throw KtxError(.hubUnauthorized,
                               zh: "同步服务器 \(location) 拒绝了令牌：请向县科协确认令牌是否正确、是否已吊销，然后用 ktx remote add 重新添加；本地数据未受影响",
                               en: "the hub at \(location) rejected the token: check with the county that it is right and not revoked, then add the remote again; local data is untouched")
            case 403:
                throw KtxError(.hubForbidden,
                               zh: "同步服务器 \(location) 不允许此操作（\(message)）；本地数据未受影响",
                               en: "the hub at \(location) does not allow this (\(message)); local data is untouched")
            case 409 where path == "/v1/ops" && detail?.code != RefusalReason.forked.rawValue:
                throw HubDependency(message: message)
            default:
                throw KtxError(.hubRefused,
                               zh: "同步服务器 \(location) 拒绝了请求（HTTP \(response.status.code)：\(message)）；本地数据未受影响",
                               en: "the hub at \(location) refused the request (HTTP \(response.status.code): \(message)); local data is untouched")
            }
        }
        return data
    }

    private func protocolError(_ what: String) -> KtxError {
        KtxError(.hubRefused,
                 zh: "同步服务器 \(location) 的应答无法识别（\(what)）：请确认地址指向 ktx hub serve",
                 en: "\(what) (\(location)): check that the address points at `ktx hub serve`")
    }

    /// Why a request did not reach the hub, in plain words: never a network library's text.
    static func reason(_ error: any Error) -> String {
        if let e = error as? HTTPClientError {
            if [.connectTimeout, .deadlineExceeded, .readTimeout, .writeTimeout].contains(e) { return "timed out / 超时" }
            if [.remoteConnectionClosed, .alreadyShutdown].contains(e) { return "connection lost / 连接中断" }
            if [.invalidURL, .emptyHost, .emptyScheme].contains(e) { return "bad address / 地址无效" }
        }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED: return "connection refused: is `ktx hub serve` running there? / 连接被拒绝"
            case ENETUNREACH, EHOSTUNREACH: return "network unreachable / 网络不通"
            case ETIMEDOUT: return "timed out / 超时"
            case ECONNRESET, EPIPE: return "connection lost / 连接中断"
            default: return "network error / 网络错误"
            }
        }
        let text = String(describing: error).lowercased()
        if text.contains("refused") { return "connection refused: is `ktx hub serve` running there? / 连接被拒绝" }
        if text.contains("dns") || text.contains("resolve") { return "name not found / 找不到该主机名" }
        if text.contains("ssl") || text.contains("tls") || text.contains("certificate") { return "secure connection failed / 加密连接失败" }
        if text.contains("closed") || text.contains("reset") { return "connection lost / 连接中断" }
        if text.contains("connect") { return "no connection: check the address and the network / 无法建立连接" }
        return "network error / 网络错误"
    }

}
