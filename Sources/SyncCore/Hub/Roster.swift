/// The offices the county has enrolled on a governed folder hub: each replica with its
/// township, its role and its signing key, signed by the county's key.
///
/// A folder hub carries one roster (`roster.json`), which only the county's replica can
/// sign; every office pins the county's key when it adds the hub, so a roster written by
/// anyone else is refused. Receivers merge a replica's operations only while it is
/// enrolled, and only those within its rights (``rights(of:signer:)``): the same rule as
/// the HTTP hub's tokens, so a township's replicas change only their township's activities
/// and only the county's replicas set manual indicator values.
///
/// The cryptography is the folder's (swift-crypto); this type is only the data.
public struct Roster: Sendable, Equatable {
    /// What an enrolled replica may do.
    public enum Role: String, Sendable, Codable, CaseIterable {
        /// Records and changes its own township's activities.
        case township
        /// The county office: its own activities and the manual indicator values.
        case county
    }

    /// One enrolled replica.
    public struct Member: Sendable, Equatable, Codable {
        /// 32 hex digits.
        public var replica: String
        /// The township it records for.
        public var township: String
        /// A township's PC or one of the county's.
        public var role: Role
        /// Its Ed25519 public key, 64 hex digits; nil for a replica made before ktx signed,
        /// whose first signed run then pins its key (trust on first use).
        public var key: String?
        /// When the county approved it, unix milliseconds.
        public var approvedAt: Int64
        /// Set when the county revoked it: its operations after this seq are held.
        public var revokedAfter: Int64?
        /// When the county revoked it, unix milliseconds; its later operations are held.
        public var revokedAt: Int64?

        /// An enrolled replica.
        public init(replica: ReplicaID, township: String, role: Role, key: [UInt8]?, approvedAt: Int64) {
            self.replica = replica.hex
            self.township = township
            self.role = role
            self.key = key.map(Hex.string)
            self.approvedAt = approvedAt
        }

        /// The replica's id, nil if `replica` is not 32 hex digits.
        public var replicaID: ReplicaID? { ReplicaID(hex: replica) }
        /// The key's bytes, nil when there is none or it is not hex.
        public var keyBytes: [UInt8]? { key.flatMap(Hex.bytes) }

        enum CodingKeys: String, CodingKey {
            case replica, township, role, key
            case approvedAt = "approved_at"
            case revokedAfter = "revoked_after"
            case revokedAt = "revoked_at"
        }
    }

    /// Raised by one at each change, so a replica can tell a newer roster from an older one.
    public var serial: Int64
    /// The county's Ed25519 public key (64 hex digits): the key the roster is signed with.
    public var county: String
    /// The enrolled replicas, in the order they were approved.
    public private(set) var members: [Member]
    private var byReplica: [ReplicaID: Int] = [:]
    private var byShort: [String: Int] = [:]

    /// A roster of these members, signed with the county's key `county`.
    public init(serial: Int64, county: [UInt8], members: [Member]) {
        self.serial = serial
        self.county = Hex.string(county)
        self.members = []
        for member in members { upsert(member) }
    }

    /// Rosters are equal when their serial, county key and members are.
    public static func == (a: Roster, b: Roster) -> Bool {
        a.serial == b.serial && a.county == b.county && a.members == b.members
    }

    /// The newest time the county wrote into the roster (an approval or a revocation), unix
    /// milliseconds: the county's clock said so when it signed, so it had passed. A PC that
    /// is the first office in a folder checks its own clock against it.
    public var signedAtMillis: Int64 {
        members.reduce(0) { max($0, $1.approvedAt, $1.revokedAt ?? 0) }
    }

    /// The member for a replica, if enrolled (revoked members stay, with `revokedAfter`).
    public func member(_ replica: ReplicaID) -> Member? { byReplica[replica].map { members[$0] } }

    /// The township of the member whose short id (12 hex digits) names an activity.
    public func township(ofReplicaNamed short: Substring) -> String? { byShort[String(short)].map { members[$0].township } }

    /// Adds a member, or replaces the one with the same replica.
    public mutating func upsert(_ member: Member) {
        guard let id = member.replicaID else { return }
        if let index = byReplica[id] {
            members[index] = member
        } else {
            byReplica[id] = members.count
            byShort[id.short] = members.count
            members.append(member)
        }
    }

    /// What a receiver does with one operation of an enrolled replica.
    public enum Rights: Sendable, Equatable {
        case allowed
        /// Outside the signer's rights: refused, named, and the sync goes on.
        case refused(RefusalReason)
        /// Not judged yet: the replica is revoked from this seq on, or the activity is named
        /// after a replica the county has not enrolled. Held, asked for again later.
        case waits(HeldOperation.Cause)
    }

    /// Whether `op` is within the rights of the member that signed it: an activity belongs
    /// for good to the township of the replica it is named after; only the county's
    /// replicas set manual indicator values.
    public func rights(of op: Op, signer: Member) -> Rights {
        if let after = signer.revokedAfter, op.seq > after { return .waits(.revoked) }
        return Self.rights(of: op, role: signer.role, township: signer.township, replica: signer.replica) {
            township(ofReplicaNamed: $0)
        }
    }

    /// The one rule of rights, for a receiver checking a signer and for a replica checking
    /// its own change before writing it: an activity belongs for good to the township of
    /// the replica it is named after; only the county's replicas set manual indicator values
    /// and their notes; no replica moves an activity into another township than its own.
    ///
    /// - Parameters:
    ///   - op: the operation.
    ///   - role: the writer's role.
    ///   - township: the writer's township.
    ///   - replica: the writer's replica, as 32 hex digits.
    ///   - owner: the township of the replica whose short id (12 hex digits) names an
    ///     activity, nil when unknown here (the operation then waits).
    public static func rights(of op: Op, role: Role, township: String, replica: String,
                              owner: (Substring) -> String?) -> Rights {
        if op.targetsIndicator { return role == .county ? .allowed : .refused(.countyOnly) }
        // A township's year is submitted by its own PCs, on a target of the submitting
        // replica's own (the township is the replica's: no PC submits another's year).
        if case let .newerField(name, _) = op.change, name == YearClose.Action.submit.rawValue {
            guard role == .township else { return .refused(.townshipOnly) }
            return replica.utf8.prefix(12).elementsEqual(op.activity.rawValue.utf8.prefix(12)) ? .allowed : .refused(.otherActivity)
        }
        if case let .set(field, value) = op.change, field == .township, value != township {
            return .refused(.otherTownship)
        }
        let creator = op.activity.rawValue.utf8.prefix(12)
        if replica.utf8.prefix(12).elementsEqual(creator) { return .allowed }
        guard let owner = owner(Substring(creator)) else { return .waits(.notEnrolled) }
        return owner == township ? .allowed : .refused(.otherActivity)
    }
}

extension Roster: Codable {
    enum CodingKeys: String, CodingKey { case format, serial, county, members }

    /// Reads a roster, refusing one that names a replica twice.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        guard try c.decode(String.self, forKey: .format) == "ktx-roster" else {
            throw DecodingError.dataCorruptedError(forKey: .format, in: c, debugDescription: "not a ktx roster")
        }
        self.init(serial: try c.decode(Int64.self, forKey: .serial),
                  county: Hex.bytes(try c.decode(String.self, forKey: .county)) ?? [],
                  members: try c.decode([Member].self, forKey: .members))
    }

    /// Writes the roster as the county signs it.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("ktx-roster", forKey: .format)
        try c.encode(serial, forKey: .serial)
        try c.encode(county, forKey: .county)
        try c.encode(members, forKey: .members)
    }
}

/// A new office's request to be enrolled, left in a governed hub folder by its first sync.
public struct EnrolmentRequest: Sendable, Equatable, Codable {
    /// 32 hex digits.
    public var replica: String
    /// The township it says it records for (the county checks it on the phone).
    public var township: String
    /// Its Ed25519 public key, 64 hex digits.
    public var key: String
    /// The PC's name, to help the county tell offices apart.
    public var host: String
    /// Unix milliseconds.
    public var requestedAt: Int64

    /// A request of this replica's, with its key and the PC's name.
    public init(replica: ReplicaID, township: String, key: [UInt8], host: String, requestedAt: Int64) {
        self.replica = replica.hex
        self.township = township
        self.key = Hex.string(key)
        self.host = host
        self.requestedAt = requestedAt
    }

    /// The replica's id, nil if `replica` is not 32 hex digits.
    public var replicaID: ReplicaID? { ReplicaID(hex: replica) }
    /// The key's bytes, nil if `key` is not hex.
    public var keyBytes: [UInt8]? { Hex.bytes(key) }

    enum CodingKeys: String, CodingKey {
        case replica, township, key, host
        case requestedAt = "requested_at"
    }
}

/// Where this replica stands with a hub's county.
public enum Enrolment: Sendable, Equatable {
    /// The hub does not enrol (an HTTP hub, whose tokens are the authority; a folder made
    /// before 0.3).
    case open
    case enrolled(Roster.Role)
    /// A request is in the folder; the county has not approved it yet.
    case waiting
    /// The county revoked this replica: its operations after this seq are held by everyone.
    case revoked(after: Int64)
}

/// A JSON document signed with an Ed25519 key, as a governed folder stores its roster
/// (signed by the county) and each enrolment request (signed by the requesting replica).
/// The body is kept as the exact string signed.
public struct SignedDocument: Sendable, Equatable {
    /// What the document is (`roster`, `enrol`): part of what is signed, so a signature
    /// over one kind of document never passes for another.
    public var purpose: String
    /// The document, exactly as signed.
    public var body: String
    /// The Ed25519 signature over `purpose` and `body`.
    public var signature: [UInt8]

    /// A signed document from its parts.
    public init(purpose: String, body: String, signature: [UInt8]) {
        self.purpose = purpose
        self.body = body
        self.signature = signature
    }

    /// The bytes signed.
    public var message: [UInt8] { Array("ktx-\(purpose)-1\n".utf8) + Array(body.utf8) }
}
