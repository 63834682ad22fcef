import Crypto
import Foundation
import GRDB
import Store
import SyncCore

/// The HTTP hub's side of the store: tokens, replica registration, checked pushes and
/// paged pulls. A hub is a replica that records nothing itself.
extension Store {
    /// The township a hub's own replica was created with before it carried the county
    /// office's name (``Store/countyOffice``): reports listed it as a township.
    static let formerHubTownship = "hub"

    /// Opens a hub database, creating it if missing. The hub's own replica is one of the
    /// county office's: it writes the county's steps and indicator values from the dashboard.
    public static func openHub(at path: String, wallClock: any WallClock = SystemWallClock(),
                               upgrading: (() -> Void)? = nil) throws -> Store {
        if FileManager.default.fileExists(atPath: path) {
            let store = try open(at: path, wallClock: wallClock, upgrading: upgrading)
            if try store.identity().role == nil { try store.learnRole(.county) }
            try store.renameFormerHubReplica()
            return store
        }
        return try create(at: path, township: countyOffice, role: .county, wallClock: wallClock)
    }

    /// A hub made before its replica carried the county office's name: renamed, here and in
    /// its list of registered replicas. Replicas that pulled its operations learn the new
    /// name with its next ones (every page announces its replicas' townships).
    func renameFormerHubReplica() throws {
        guard try identity().township == Self.formerHubTownship else { return }
        try write("hub replica name") { db in
            let num = try Int64.fetchOne(db, sql: "SELECT replica FROM replica_self")
            try db.execute(sql: "UPDATE replica SET township = ? WHERE num = ?", arguments: [Self.countyOffice, num])
            try db.execute(sql: "UPDATE hub_replica SET township = ? WHERE replica = ? AND role = 'county'", arguments: [Self.countyOffice, num])
        }
    }

    // MARK: Tokens

    /// Creates a token and returns its secret, which is shown once and never stored.
    public func createToken(role: HubRole, township: String?) throws -> (id: Int64, secret: String) {
        let township = try Self.checkTokenTownship(role: role, township: township)
        let (secret, hash) = Self.newTokenSecret()
        let id = try write("token create") { db -> Int64 in
            try db.execute(sql: "INSERT INTO hub_token (role, township, hash, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [role.rawValue, township, hash, wallClock.nowMillis()])
            return db.lastInsertedRowID
        }
        return (id, secret)
    }

    /// A new token's secret (shown once) and the hash a hub stores instead: 256 random bits.
    public static func newTokenSecret() -> (secret: String, hash: Data) {
        var rng = SystemRandomNumberGenerator()
        let secret = "ktx_" + (0..<4).map { _ in Hex.string(rng.next(), digits: 16) }.joined()
        return (secret, tokenHash(secret))
    }

    /// The hash of a token's secret, as a hub stores it.
    public static func tokenHash(_ secret: String) -> Data { Data(SHA256.hash(data: Array(secret.utf8))) }

    /// Checks a new token's role and township as every hub does.
    public static func checkTokenTownship(role: HubRole, township: String?) throws -> String? {
        guard role == .township else { return nil }
        guard let township, !township.trimmingSpaces().isEmpty else { throw KtxError.missingField(.township) }
        try Validate.text(township.trimmingSpaces(), field: .township)
        return township.trimmingSpaces()
    }

    /// Every token, without secrets.
    public func tokens() throws -> [HubTokenInfo] {
        try read("token list") { db in
            try Row.fetchAll(db, sql: "SELECT id, role, township, created_at, revoked_at FROM hub_token ORDER BY id").map {
                HubTokenInfo(id: $0[0], role: try HubRole.stored($0[1], token: $0[0]), township: $0[2],
                             createdAtMillis: $0[3], revokedAtMillis: $0[4])
            }
        }
    }

    /// Revokes a token: it is refused from then on.
    public func revokeToken(id: Int64) throws {
        try write("token revoke") { db in
            try db.execute(sql: "UPDATE hub_token SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                           arguments: [wallClock.nowMillis(), id])
            if db.changesCount == 0 {
                throw KtxError(.unknownToken(id))
            }
        }
    }

    /// The caller a bearer secret identifies; nil for an unknown or revoked token.
    ///
    /// Looked up by the SHA-256 of the secret, as the hub stores it (and as a hub on
    /// PostgreSQL does): how long the lookup takes tells nothing of how close a guess came to
    /// a secret, only of the hash of the guess.
    public func authenticate(secret: String) async throws -> HubCaller? {
        let presented = Self.tokenHash(secret)
        return try await readAsync("authenticate") { db in
            try Row.fetchOne(db.cachedStatement(sql: "SELECT id, role, township FROM hub_token WHERE hash = ? AND revoked_at IS NULL"),
                             arguments: [presented])
                // A role this ktx does not know authenticates no one.
                .flatMap { row in HubRole(rawValue: row[1]).map { HubCaller(tokenID: row[0], role: $0, township: row[2]) } }
        }
    }

    // MARK: Push

    /// Stores a pushed run of one replica's operations whole, or refuses it whole, after
    /// checking it against the caller's rights. The operations have been decoded and passed
    /// the acceptance rule already (``HubAPI/Batch/decoded(by:latestAllowed:)``); the merge
    /// applies the rule again all the same.
    ///
    /// Rights, the same on every hub: a replica belongs for good to the township (or the
    /// county) of the token that first pushed it; an activity belongs for good to the
    /// township of the replica that created it (the replica its id is named after), and only
    /// that township's replicas change it; only the county's replicas set manual indicator
    /// values.
    ///
    /// - Parameters:
    ///   - ops: a contiguous run of `replica`'s operations, in seq order.
    ///   - announcedTownship: the township the pushing replica says it belongs to, for `ktx log`
    ///     (for a county replica, the name its activities carry).
    ///   - caller: a township or county token.
    /// - Returns: operations new to the hub, and those it already held.
    /// - Throws: ``HubRejection`` for another township's replica or activity, an indicator value
    ///   from a township, operations missing before the run, or an activity the hub has not
    ///   received yet.
    /// - Parameter dryRun: check and count only, in a read transaction, storing nothing (a hub
    ///   node on PostgreSQL checks a push against its copy of the hub before it stores the push
    ///   in the shared database).
    /// - Parameter claimed: owners of activities this store has no row for, as the shared
    ///   database records them (a hub node on PostgreSQL: an activity is claimed there by its
    ///   creator's push, which another node may have taken); asked only when the store has no
    ///   township for the activity.
    public func hubAccept(_ ops: [Op], replica: ReplicaID, announcedTownship: String?,
                          caller: HubCaller, seals: [RunSeal] = [], dryRun: Bool = false,
                          claimed: [ActivityID: String] = [:]) async throws -> (accepted: Int, duplicates: Int) {
        guard !ops.isEmpty else { return (0, 0) }
        let pusher = try Pusher(caller, announcedTownship: announcedTownship)
        let now = wallClock.nowMillis()
        @Sendable func accept(_ db: Database) throws -> (accepted: Int, duplicates: Int) {
            let (township, maxSeq) = try Self.register(db, replica, pushedBy: pusher, announcedTownship: announcedTownship,
                                                       now: now, writing: !dryRun)
            guard ops[0].seq <= maxSeq + 1 else {
                throw HubRejection.missingOperations(held: maxSeq)
            }
            try Self.checkRights(db, ops, after: maxSeq, of: replica, township: township, role: pusher.role, claimed: claimed)
            return try mergeChecked(db, ops, seals: [replica: seals], writing: !dryRun)
        }
        // A dry run writes nothing: it reads beside the other readers, not in the writer's turn.
        if dryRun { return try await readAsync("hub push check") { db in try accept(db) } }
        return try await writeAsync("hub push") { db in try accept(db) }
    }

    /// Who pushes, by the token: a township's replicas for that township, the county's for
    /// the county (named as its push announces); an admin token pushes nothing.
    struct Pusher: Sendable {
        var role: Roster.Role
        var township: String

        init(_ caller: HubCaller, announcedTownship: String?) throws {
            switch caller.role {
            case .township:
                guard let township = caller.township else { throw HubRejection.tokenWithoutTownship }
                (role, self.township) = (.township, township)
            case .county:
                guard let township = announcedTownship, AcceptanceRule.isText(township) else {
                    throw HubRejection.countyPushWithoutTownship
                }
                (role, self.township) = (.county, township)
            case .admin:
                throw HubRejection.mayNotPush
            }
        }
    }

    /// The pushing replica's township and the last seq the hub holds of it. A replica belongs
    /// for good to the pusher that first pushed it; a push by another township's (or role's)
    /// token is refused. Registers the replica and notes the push when `writing`.
    static func register(_ db: Database, _ replica: ReplicaID, pushedBy pusher: Pusher, announcedTownship: String?,
                         now: Int64, writing: Bool) throws -> (township: String, maxSeq: Int64) {
        // Without writing, the replica's row as it is (none for a new replica).
        let num: Int64?
        let maxSeq: Int64
        if writing {
            (num, maxSeq) = try replicaRow(db, replica, township: announcedTownship)
        } else {
            let row = try registeredReplica(db, replica)
            (num, maxSeq) = (row?.num, row?.maxSeq ?? 0)
        }
        guard let num else { return (pusher.township, maxSeq) }
        let township: String
        if let row = try Row.fetchOne(db, sql: "SELECT township, role FROM hub_replica WHERE replica = ?", arguments: [num]) {
            township = row[0]
            // A role this ktx does not know is no one's: it matches neither.
            let registered = Roster.Role(rawValue: row[1])
            guard registered == pusher.role, pusher.role == .county || township == pusher.township else {
                throw HubRejection.otherReplica(replica, owner: registered == .county ? nil : township,
                                                pusher: pusher.role == .county ? nil : pusher.township)
            }
        } else {
            township = pusher.township
            if writing {
                try db.execute(sql: "INSERT INTO hub_replica (replica, township, registered_at, role) VALUES (?, ?, ?, ?)",
                               arguments: [num, township, now, pusher.role.rawValue])
            }
        }
        if writing {
            try db.execute(sql: "UPDATE hub_replica SET last_push_at = ? WHERE replica = ?", arguments: [now, num])
        }
        return (township, maxSeq)
    }

    /// Checks that each operation after `maxSeq` (those the hub does not hold yet) is within the pushing replica's
    /// rights: indicators only from the county; no activity moved to another township; each
    /// activity this township's, by the hub's record of it (or the shared database's claim),
    /// or, for one the hub has not seen, by the replica it is named after.
    static func checkRights(_ db: Database, _ ops: [Op], after maxSeq: Int64, of replica: ReplicaID, township: String,
                            role: Roster.Role, claimed: [ActivityID: String]) throws {
        var checked: Set<ActivityID> = []
        // Bound and stepped through the C API: once for each activity of the push.
        let ownerOf = try HotStatement(db, "SELECT township FROM activity WHERE id = ?")
        for (i, op) in ops.enumerated() where op.seq > maxSeq {
            if op.targetsIndicator {
                guard role == .county else {
                    throw HubRejection.countyOnly(operation: i + 1, indicator: op.change.isIndicator)
                }
                continue
            }
            if case let .set(field, value) = op.change, field == .township, value != township {
                throw HubRejection.otherTownship(operation: i + 1, township: value, own: township)
            }
            guard checked.insert(op.activity).inserted else { continue }
            ownerOf.bind(1, op.activity.rawValue)
            let stored = try ownerOf.step() ? ownerOf.text(0) : nil
            ownerOf.reset()
            if let owner = stored ?? claimed[op.activity] {
                guard owner == township else {
                    throw HubRejection.otherActivity(op.activity, owner: owner, own: township, byCreator: false)
                }
                continue
            }
            let creator = op.activity.creatorShort
            if creator == replica.short { continue }
            if let owner = try hubTownship(db, ofReplicaNamed: creator), owner != township {
                throw HubRejection.otherActivity(op.activity, owner: owner, own: township, byCreator: true)
            }
            throw HubRejection.unknownActivity(op.activity)
        }
    }

    /// Merges a push whose rights were checked, as every receiver merges: signatures and the
    /// acceptance rule; one refused operation refuses the batch whole (nothing stored).
    func mergeChecked(_ db: Database, _ ops: [Op], seals: [ReplicaID: [RunSeal]], writing: Bool) throws -> (accepted: Int, duplicates: Int) {
        let outcome = try mergeLocked(db, ops, townships: [:], source: "push", seals: seals, writing: writing)
        if let refusal = outcome.refused.first { throw HubRejection.refused(seq: refusal.seq, reason: refusal.reason) }
        return (outcome.applied, outcome.duplicates)
    }

    /// The township of the hub's replica whose short id (12 hex digits) is `short`, if any.
    static func hubTownship(_ db: Database, ofReplicaNamed short: String) throws -> String? {
        guard short.utf8.count == 12, let prefix = Hex.bytes(short) else { return nil }
        return try String.fetchOne(db, sql: """
            SELECT h.township FROM replica r JOIN hub_replica h ON h.replica = r.num WHERE substr(r.id, 1, 6) = ?
            """, arguments: [Data(prefix)])
    }

    // MARK: Pull

    /// The operations held beyond `after`, at most about `limit`, grouped into one batch
    /// per replica in replica-id order; `more` tells whether anything is left.
    ///
    /// With `township`, only that township's replicas and the county's are pulled (a scoped
    /// replica: see ``PullScope``).
    public func hubPull(after: VersionVector, limit: Int, township: String? = nil) async throws -> HubPullPage {
        // One read transaction: the vector, the townships and the operations are one snapshot.
        try await readAsync("hub pull") { db in
            let plan = try Self.pullPlan(db, after: after, limit: limit, township: township)
            var page = HubPullPage(more: plan.more)
            for part in plan.parts {
                let ops = try Self.fetchOperations(db, of: part.replica, after: part.first - 1, limit: Int(part.last - part.first + 1))
                page.runs.append(HubPullPage.Run(replica: part.replica, township: part.township, operations: ops, seals: part.seals))
            }
            return page
        }
    }

    /// The same page as ``hubPull(after:limit:township:)``, packed as the pull stream sends it
    /// (``PullStream``): every stored chunk the page holds whole goes as it is stored, with no
    /// decoding and packing again (a pull is the hub's busiest answer); a chunk the page holds
    /// only part of is packed anew. A replica whose signed runs do not fall within its chunks
    /// (a run must go in one frame: a page is cut between frames) goes as one frame.
    public func hubPullPacked(after: VersionVector, limit: Int, township: String? = nil) async throws -> HubPackedPage {
        try await readAsync("hub pull") { db in
            let plan = try Self.pullPlan(db, after: after, limit: limit, township: township)
            var page = HubPackedPage(more: plan.more)
            let chunks = try HotStatement(db, """
                SELECT first_seq, last_seq, ops FROM op_chunk WHERE replica = ? AND last_seq >= ? AND first_seq <= ? ORDER BY last_seq
                """)
            for part in plan.parts {
                var frames: [HubPackedPage.Frame] = []
                chunks.bind(1, part.num)
                chunks.bind(2, part.first)
                chunks.bind(3, part.last)
                while try chunks.step() {
                    let (first, last) = (chunks.int64(0), chunks.int64(1))
                    let from = max(first, part.first), to = min(last, part.last)
                    let packed: [UInt8]
                    if from == first && to == last {
                        packed = Array(chunks.blob(2))
                    } else {
                        let ops = try OpChunk.read(chunks.blob(2), replica: part.replica, firstSeq: first, from: from, limit: Int(to - from + 1))
                        packed = OpChunk.encode(ops)
                    }
                    frames.append(.init(replica: part.replica, township: part.township, first: from, count: Int(to - from + 1), packed: packed))
                }
                chunks.reset()
                // Each signed run in the one frame holding it whole (both in seq order: one walk);
                // if one is not, the replica's part goes as one frame.
                var placed = true
                var i = 0
                for seal in part.seals {
                    while i < frames.count && frames[i].first + Int64(frames[i].count) <= seal.first { i += 1 }
                    guard i < frames.count, frames[i].first <= seal.first, seal.last < frames[i].first + Int64(frames[i].count) else {
                        placed = false
                        break
                    }
                    frames[i].seals.append(seal)
                }
                let contiguous = frames.first?.first == part.first && zip(frames, frames.dropFirst()).allSatisfy { $0.first + Int64($0.count) == $1.first }
                    && frames.last.map { $0.first + Int64($0.count) - 1 } == part.last
                if !placed || !contiguous {
                    let ops = try Self.fetchOperations(db, of: part.replica, after: part.first - 1, limit: Int(part.last - part.first + 1))
                    guard let first = ops.first?.seq else { continue }
                    frames = [.init(replica: part.replica, township: part.township, first: first, count: ops.count,
                                    packed: OpChunk.encode(ops), seals: part.seals)]
                }
                page.frames += frames
            }
            return page
        }
    }

    /// One replica's seqs `first...last` in a page of the hub's pull, with the signed runs they hold.
    struct PullPart {
        var replica: ReplicaID
        /// The replica's local number (`op_chunk.replica`).
        var num: Int64
        var township: String?
        var first: Int64
        var last: Int64
        var seals: [RunSeal]
    }

    /// What a page of the hub's pull holds: per replica, the seqs `first...last` (signed runs
    /// whole, from the start of the run holding the first seq asked for to the end of the last
    /// whole run), in replica-id order, about `limit` operations in all; and whether more is left.
    static func pullPlan(_ db: Database, after: VersionVector, limit: Int, township: String?) throws -> (parts: [PullPart], more: Bool) {
        let held = try Self.fetchVersionVector(db)
        let townships = try Self.fetchTownships(db)
        var parts: [PullPart] = []
        var budget = max(1, limit)
        var inScope: Set<ReplicaID>?
        if let township {
            inScope = Set(try Data.fetchAll(db, sql: """
                SELECT r.id FROM hub_replica h JOIN replica r ON r.num = h.replica WHERE h.role = 'county' OR h.township = ?
                """, arguments: [township]).compactMap(ReplicaID.init(bytes:)))
        }
        for replica in held.replicas.sorted() where held[replica] > after[replica] && inScope.map({ $0.contains(replica) }) ?? true {
            guard budget > 0 else { return (parts, true) }
            guard let num = try registeredReplica(db, replica)?.num else { continue }
            // Signed runs go whole (a signature covers all of its run): from the start
            // of the run holding the first seq asked for, to the end of the last whole run.
            var from = after[replica] + 1
            if let run = try Self.run(db, replica: replica, containing: from) { from = run.first }
            let seals = try Self.runs(db, replica: replica, from: from)
            var limit = budget
            if let first = seals.first, first.first == from { limit = max(limit, Int(first.last - from + 1)) }
            // The log holds every seq up to the vector's entry.
            var last = min(held[replica], from + Int64(limit) - 1)
            var included: [RunSeal] = []
            for seal in seals {
                if seal.last <= last { included.append(seal); continue }
                if seal.first <= last { last = seal.first - 1 }
                break
            }
            guard last >= from else { continue }
            parts.append(PullPart(replica: replica, num: num, township: townships[replica], first: from, last: last, seals: included))
            budget -= Int(last - from + 1)
            if last < held[replica] { return (parts, true) }
        }
        return (parts, false)
    }
}

/// A page of the hub's pull packed for the stream (``Store/hubPullPacked(after:limit:township:)``):
/// frames of one replica's consecutive operations each, written as ``PullStream`` run frames.
public struct HubPackedPage: Sendable {
    /// A run of one replica's consecutive operations, packed.
    public struct Frame: Sendable {
        /// The replica.
        public var replica: ReplicaID
        /// The township it announced.
        public var township: String?
        /// The seq of the first operation.
        public var first: Int64
        /// The number of operations.
        public var count: Int
        /// The operations as ``OpChunk`` packs them.
        public var packed: [UInt8]
        /// The signed runs within the frame.
        public var seals: [RunSeal] = []
    }

    /// The frames, in replica order.
    public var frames: [Frame] = []
    /// Whether more follows: the client asks again.
    public var more = false
}

/// A page of the hub's pull: contiguous runs of operations, one per replica, and whether
/// more remains. The server writes it as the API's `PullPage` (``HubAPI/PullPage/encode(_:more:)``).
public struct HubPullPage: Sendable {
    /// A run of one replica's consecutive operations.
    public struct Run: Sendable {
        /// The replica.
        public var replica: ReplicaID
        /// The township it announced.
        public var township: String?
        /// The operations, in seq order.
        public var operations: [Op]
        /// The signed runs among them.
        public var seals: [RunSeal] = []

        /// A run of operations with its seals.
        public init(replica: ReplicaID, township: String?, operations: [Op], seals: [RunSeal] = []) {
            (self.replica, self.township, self.operations, self.seals) = (replica, township, operations, seals)
        }
    }

    /// The runs, in replica order.
    public var runs: [Run] = []
    /// Whether more follows: the client asks again.
    public var more = false

    /// A page of runs.
    public init(runs: [Run] = [], more: Bool = false) {
        self.runs = runs
        self.more = more
    }

    /// The page as the API's JSON body.
    public func encoded() -> [UInt8] {
        HubAPI.PullPage.encode(runs.map { ($0.replica, $0.township, $0.operations, $0.seals) }, more: more)
    }
}

/// Compares two byte strings in time that depends only on their lengths.
public func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in 0..<a.count { diff |= a[i] ^ b[i] }
    return diff == 0
}
