import Store
import SyncCore

/// What a hub token may do.
public enum HubRole: String, Sendable, CaseIterable, Codable {
    /// Pushes operations of its own township's replicas, on its own township's activities; reads.
    case township
    /// Reads everything, writes nothing.
    case county
    /// Manages tokens; reads.
    case admin
}

extension HubRole {
    /// A token's role as the hub's database holds it. A word this ktx does not know is an
    /// error, never a role: an unknown role must grant nothing.
    public static func stored(_ text: String, token id: Int64) throws -> HubRole {
        guard let role = HubRole(rawValue: text) else {
            throw KtxError(.storage, .unknownStoredRole(token: id, role: text))
        }
        return role
    }
}

/// Who is calling the hub: the role and township of a valid token.
public struct HubCaller: Sendable, Hashable {
    /// The token's id.
    public var tokenID: Int64
    /// The token's role.
    public var role: HubRole
    /// The township a township token is for; nil otherwise.
    public var township: String?

    /// A caller.
    public init(tokenID: Int64, role: HubRole, township: String?) {
        self.tokenID = tokenID
        self.role = role
        self.township = township
    }
}

/// A token as `ktx hub token list` shows it (never its secret).
public struct HubTokenInfo: Sendable, Hashable {
    /// The token's id.
    public var id: Int64
    /// The token's role.
    public var role: HubRole
    /// The township a township token is for.
    public var township: String?
    /// When it was created, unix milliseconds.
    public var createdAtMillis: Int64
    /// When it was revoked, if it was.
    public var revokedAtMillis: Int64?

    /// A token's row.
    public init(id: Int64, role: HubRole, township: String?, createdAtMillis: Int64, revokedAtMillis: Int64?) {
        (self.id, self.role, self.township, self.createdAtMillis, self.revokedAtMillis) = (id, role, township, createdAtMillis, revokedAtMillis)
    }
}

/// Why the hub refused a push; the server turns each case into a 4xx status.
public struct HubRejection: Error, Sendable, Equatable {
    /// How the server answers it.
    public enum Kind: String, Sendable {
        /// Malformed content (422).
        case invalid
        /// Not allowed for this token (403).
        case forbidden
        /// Operations missing before this batch, or it depends on ones not yet pushed (409).
        case conflict
    }

    /// How the server answers: its status.
    public var kind: Kind
    /// The stable code.
    public var code: String
    /// The words, in English.
    public var message: String

    /// A rejection of a push.
    public init(_ kind: Kind, _ code: HubErrorCode, _ message: String) {
        self.kind = kind
        self.code = code.rawValue
        self.message = message
    }
}
