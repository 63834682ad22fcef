/// A stable code an HTTP hub answers a refusal with (`{"error": {"code", "message"}}`),
/// defined once here: the server throws these, the client and the dashboard compare with
/// them, and `HubCode` (KtxWords) gives each its words. A refusal of the acceptance rule answers with
/// its `RefusalReason`'s code, bad input with its ``KtxError`` code.
public struct HubErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code as it travels (`gap`, `other-activity`).
    public var rawValue: String

    /// A code as read from an answer.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// The code of an operation's refusal.
    public init(_ reason: RefusalReason) { rawValue = reason.rawValue }
    /// The code of an error.
    public init(_ code: KtxError.Code) { rawValue = code.rawValue }

    /// The code as it travels.
    public var description: String { rawValue }

    /// Missing, unknown or revoked token (401).
    public static let unauthorized = Self(rawValue: "unauthorized")
    /// The token's role may not do this (403).
    public static let forbidden = Self(rawValue: "forbidden")
    /// A method the path does not take (405).
    public static let methodNotAllowed = Self(rawValue: "method-not-allowed")
    /// A body over the hub's limit (413).
    public static let tooLarge = Self(rawValue: "too-large")
    /// The hub's database cannot be reached (503).
    public static let unavailable = Self(rawValue: "unavailable")
    /// Something failed inside the hub (500).
    public static let `internal` = Self(rawValue: "internal")
    /// A body that is not the JSON the endpoint takes.
    public static let malformedJSON = Self(rawValue: "malformed-json")
    /// Operations that do not decode.
    public static let malformedOps = Self(rawValue: "malformed-ops")
    /// A field of the request out of its bounds.
    public static let badField = Self(rawValue: "bad-field")
    /// A replica id that is not 32 hex digits.
    public static let badReplica = Self(rawValue: "bad-replica")
    /// A scope a pull may not ask for.
    public static let badScope = Self(rawValue: "bad-scope")
    /// A token id that is not a number.
    public static let badTokenID = Self(rawValue: "bad-token-id")
    /// A version vector that does not decode.
    public static let badVector = Self(rawValue: "bad-vector")
    /// A push of no operations.
    public static let emptyBatch = Self(rawValue: "empty-batch")
    /// Operations of a batch whose seqs are not contiguous.
    public static let gap = Self(rawValue: "gap")
    /// Operations dated beyond the hub's clock and its allowed skew: the PC's clock is ahead.
    public static let futureTimestamp = Self(rawValue: "future-timestamp")
    /// Operations before this batch that the hub lacks (409).
    public static let missingOperations = Self(rawValue: "missing-operations")
    /// A township token's push that names no township.
    public static let missingTownship = Self(rawValue: "missing-township")
    /// A push for a replica of another township (or the county) than the token's.
    public static let otherReplica = Self(rawValue: "other-replica")
    /// Operations on an activity the hub does not know of yet.
    public static let unknownActivity = Self(rawValue: "unknown-activity")
}
