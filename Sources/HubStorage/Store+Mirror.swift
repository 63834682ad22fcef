import Foundation
import GRDB
import Store
import SyncCore

/// A replica as the shared database of a hub knows it (see ``HubBackend``).
public struct HubReplicaState: Sendable, Hashable {
    /// The replica.
    public var id: ReplicaID
    /// The township whose token first pushed it (for a county replica, the county's name).
    public var township: String
    /// `township` or `county`.
    public var role: String
    /// The township the replica names itself (kept for `ktx log`).
    public var announced: String?
    /// The highest seq the database holds of it without a gap.
    public var maxSeq: Int64
    /// When it first pushed, unix milliseconds.
    public var registeredAt: Int64
    /// When it last pushed.
    public var lastPushAt: Int64?
    /// When it last started a sync.
    public var lastSeenAt: Int64?

    /// A replica's row in the shared database.
    public init(id: ReplicaID, township: String, role: String, announced: String?, maxSeq: Int64,
                registeredAt: Int64, lastPushAt: Int64?, lastSeenAt: Int64?) {
        (self.id, self.township, self.role, self.announced, self.maxSeq) = (id, township, role, announced, maxSeq)
        (self.registeredAt, self.lastPushAt, self.lastSeenAt) = (registeredAt, lastPushAt, lastSeenAt)
    }
}

/// A counted refusal as the shared database keeps it (see ``Store/noteRefusal(replica:township:code:operations:message:)``).
public struct HubRefusalState: Sendable, Hashable {
    /// The replica that pushed, 16 bytes.
    public var replica: [UInt8]
    /// The reason's code.
    public var code: String
    /// The township of the token that pushed.
    public var township: String?
    /// Pushes refused for this reason.
    public var pushes: Int64
    /// Operations those pushes carried.
    public var operations: Int64
    /// When the last was refused, unix milliseconds.
    public var lastAt: Int64
    /// The words the client was given.
    public var message: String

    /// A refusal's row in the shared database.
    public init(replica: [UInt8], code: String, township: String?, pushes: Int64, operations: Int64, lastAt: Int64, message: String) {
        (self.replica, self.code, self.township, self.pushes, self.operations, self.lastAt, self.message) =
            (replica, code, township, pushes, operations, lastAt, message)
    }
}

/// A hub node's view: the copy of a shared hub database (PostgreSQL) a node answers from.
/// Operations enter it only from the shared database, where every node stored them after
/// the same checks; merging them checks signatures once more.
extension Store {
    /// Merges runs read from the shared database, with their seals, and registers their
    /// replicas as the shared database says. Nothing is held for its date: the node that took
    /// the push checked the clock already.
    ///
    /// - Returns: the operations new to the view.
    @discardableResult
    public func mirror(_ runs: [HubPullPage.Run], replicas: [HubReplicaState]) async throws -> Int {
        var townships: [ReplicaID: String] = [:]
        var seals: [ReplicaID: [RunSeal]] = [:]
        var ops: [Op] = []
        for run in runs {
            if let township = run.township { townships[run.replica] = township }
            seals[run.replica, default: []] += run.seals
            ops += run.operations
        }
        let (batch, announced, sealed) = (ops, townships, seals)
        return try await writeAsync("hub mirror") { db in
            let outcome = try mergeLocked(db, batch, townships: announced, source: "hub database", seals: sealed)
            if let refusal = outcome.refused.first {
                // The shared database holds what a node refused: a bug or a hand-edited table.
                throw KtxError(.sharedDatabaseRefused(replica: refusal.replica, seq: refusal.seq, reason: refusal.reason))
            }
            for state in replicas {
                let (num, _) = try Self.replicaRow(db, state.id, township: state.announced)
                try db.execute(sql: """
                    INSERT INTO hub_replica (replica, township, registered_at, role, last_push_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (replica) DO UPDATE SET township = excluded.township, role = excluded.role,
                        last_push_at = excluded.last_push_at, last_seen_at = excluded.last_seen_at
                    """, arguments: [num, state.township, state.registeredAt, state.role, state.lastPushAt, state.lastSeenAt])
            }
            return outcome.applied
        }
    }

    /// Replaces the view's refusal counts with the shared database's.
    public func mirrorRefusals(_ rows: [HubRefusalState]) async throws {
        try await writeAsync("hub mirror") { db in
            try db.execute(sql: "DELETE FROM hub_refusal")
            for row in rows {
                try db.execute(sql: """
                    INSERT INTO hub_refusal (replica, code, township, pushes, operations, last_at, message) VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [Data(row.replica), row.code, row.township, row.pushes, row.operations, row.lastAt, row.message])
            }
        }
    }

    /// The hub's own replica's operations after `seq`, sealed into signed runs, to store in
    /// the shared database (the county's indicator values entered on a node's dashboard).
    public func ownRun(after seq: Int64) throws -> HubPullPage.Run? {
        let me = try identity()
        try sealOwnRuns(upTo: .max, size: RunSeal.maxOperations)
        let ops = try operations(of: me.replica, after: seq, limit: .max)
        guard !ops.isEmpty else { return nil }
        return HubPullPage.Run(replica: me.replica, township: me.township, operations: ops,
                               seals: try runs(of: me.replica, after: seq))
    }
}
