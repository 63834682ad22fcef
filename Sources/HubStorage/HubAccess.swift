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
            throw KtxError(.unknownStoredRole(token: id, role: text))
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

/// Why the hub refused a push: the facts; the server words each case and answers it with
/// its ``kind``'s 4xx status.
public enum HubRejection: Error, Sendable, Equatable {
    /// How the server answers it.
    public enum Kind: String, Sendable {
        /// Malformed content (422).
        case invalid
        /// Not allowed for this token (403).
        case forbidden
        /// Operations missing before this batch, or it depends on ones not yet pushed (409).
        case conflict
    }

    /// The hub holds seqs 1 through `held` of the replica; the push starts beyond `held + 1`.
    case missingOperations(held: Int64)
    /// A township token that names no township.
    case tokenWithoutTownship
    /// A county token's push that does not name the county's replica's name.
    case countyPushWithoutTownship
    /// A token whose role pushes nothing (an admin token).
    case mayNotPush
    /// The replica was first pushed by another township (`owner`), or by the county
    /// (`owner` nil); `pusher` names who this token pushes for (nil: the county).
    case otherReplica(ReplicaID, owner: String?, pusher: String?)
    /// Operation `operation` (1-based) sets a manual indicator value (or its notes, when
    /// `indicator` is false), which only the county's replicas set.
    case countyOnly(operation: Int, indicator: Bool)
    /// Operation `operation` moves an activity into `township`; the replica writes for `own`.
    case otherTownship(operation: Int, township: String, own: String)
    /// `activity` belongs to `owner` (by the hub's record, or, when `byCreator`, by the
    /// replica it is named after); the replica writes for `own`.
    case otherActivity(ActivityID, owner: String, own: String, byCreator: Bool)
    /// `activity` is not on the hub yet: the replica that recorded it must push first.
    case unknownActivity(ActivityID)
    /// The acceptance rule or the signatures refused the operation with this seq.
    case refused(seq: Int64, reason: RefusalReason)

    /// The stable code the hub answers with.
    public var code: HubErrorCode {
        switch self {
        case .missingOperations: .missingOperations
        case .tokenWithoutTownship, .mayNotPush: .forbidden
        case .countyPushWithoutTownship: .missingTownship
        case .otherReplica: .otherReplica
        case .countyOnly: HubErrorCode(RefusalReason.countyOnly)
        case .otherTownship: HubErrorCode(RefusalReason.otherTownship)
        case .otherActivity: HubErrorCode(RefusalReason.otherActivity)
        case .unknownActivity: .unknownActivity
        case .refused(_, let reason): HubErrorCode(reason)
        }
    }

    /// How the server answers it.
    public var kind: Kind {
        switch self {
        case .missingOperations, .unknownActivity: .conflict
        case .countyPushWithoutTownship: .invalid
        case .tokenWithoutTownship, .mayNotPush, .otherReplica, .countyOnly, .otherTownship, .otherActivity: .forbidden
        case .refused(_, let reason):
            switch reason {
            case .forked: .conflict
            case .wrongKey, .unverifiedKey: .forbidden
            default: .invalid
            }
        }
    }
}
