/// The HTTP hub's endpoints, each defined once: the router registers them, the middleware
/// answers 405 from their methods, the metrics label requests by them (through the router's
/// matched path), and the client calls them. `openapi.json` describes the same list.
public enum HubRoute: String, CaseIterable, Sendable {
    case health = "/healthz"
    case metrics = "/metrics"
    case vector = "/v1/vector"
    case ops = "/v1/ops"
    case pull = "/v1/pull"
    case totals = "/v1/totals"
    case status = "/v1/status"
    /// `GET`: who the token speaks for (its role and township): the offline web app asks it
    /// when a clerk enrols the browser with a token.
    case me = "/v1/me"
    /// `GET`: the performance tables (绩效目标表) the hub knows, as data: the offline web app
    /// keeps them to compute its township's report with no network.
    case targets = "/v1/targets"
    case tokens = "/v1/tokens"
    /// One token, by its id: `/v1/tokens/{id}`.
    case token = "/v1/tokens/{id}"

    /// The request header a client names its replica in when a sync starts (`GET /v1/vector`),
    /// so the county's dashboard sees the PC as syncing.
    public static let replicaHeader = "Ktx-Replica"

    /// An HTTP method, by name, as the routes take them.
    public enum Method: String, Sendable {
        case get = "GET", post = "POST", delete = "DELETE"
    }

    /// The path, with `{id}` where a parameter stands.
    public var path: String { rawValue }

    /// The path in the router's syntax: `:id` for a parameter.
    public var routerPath: String { rawValue.replacingOccurrences(of: "{id}", with: ":id") }

    /// The methods the endpoint takes; any other is a 405.
    public var methods: [Method] {
        switch self {
        case .health, .metrics, .vector, .totals, .status, .me, .targets: [.get]
        case .ops, .pull: [.post]
        case .tokens: [.get, .post]
        case .token: [.delete]
        }
    }

    /// The endpoint a request path names; nil for a path the hub's API does not serve.
    public init?(path: String) {
        if let exact = HubRoute(rawValue: path), exact != .token {
            self = exact
            return
        }
        let prefix = HubRoute.tokens.rawValue + "/"
        guard path.hasPrefix(prefix), !path.dropFirst(prefix.count).isEmpty, !path.dropFirst(prefix.count).contains("/") else { return nil }
        self = .token
    }
}
