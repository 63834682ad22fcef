import Foundation
import GRDB
import SyncCore

/// What a replica did with its own operations that every receiver refuses: left them out and
/// continued its later ones under a new replica id, so its records keep reaching the county.
public struct Recovery: Sendable, Equatable {
    /// The operations left out, each with the reason every receiver refuses it.
    public var leftOut: [Refusal]
    /// The new replica the later operations continue under.
    public var continuation: Continuation

}

/// An own operation left out by ``Store/recoverRefusedOperations()``, as kept in the replica.
public struct LeftOutOperation: Sendable, Equatable {
    /// The replica that wrote it (this PC's, or the id it had before).
    public var replica: ReplicaID
    /// Its seq there.
    public var seq: Int64
    /// Why every receiver refuses it.
    public var reason: RefusalReason
    /// The operation, kept to be shown.
    public var operation: Op
    /// When it was left out, unix milliseconds.
    public var leftAtMillis: Int64
    /// The replica the PC's later operations continued under.
    public var continuedAs: ReplicaID
}

extension Store {
    /// Why every receiver would refuse one of this replica's own operations: the acceptance
    /// rule, then the rights of its role (``Roster/rights(of:role:township:replica:owner:)``).
    static func ownRefusal(_ op: Op, _ me: SelfRow, role: Roster.Role, rule: AcceptanceRule,
                           owner: (ActivityID) -> String?) -> RefusalReason? {
        if let reason = rule.check(op) { return reason }
        let rights = Roster.rights(of: op, role: role, township: me.township ?? "", replica: me.replica.hex) { _ in
            owner(op.activity)
        }
        if case let .refused(reason) = rights { return reason }
        return nil
    }

    /// Recovers a replica stuck behind an operation of its own that every receiver refuses
    /// (an indicator value a township's PC entered with ktx before 0.4, or anything a rule added
    /// later refuses): receivers stop at it, so without this none of its later records would
    /// ever reach the county.
    ///
    /// Checks the own operations written since the last check (all of them once the role is
    /// learned or changes). At the first refused seq `s`, in one transaction: the replica keeps
    /// seqs 1…s-1, their signed run cut at s-1 and sealed again with its key (receivers that
    /// took them from the longer run find the same operations; a hub that did not takes them
    /// now); every refused operation from `s` on is left out (kept in `left_out`, named); the
    /// others are re-issued under a new replica, as a copied database's are
    /// (``continueAsNewReplica(after:)``), activities recorded from `s` on getting new ids.
    ///
    /// A replica that does not know its role yet (made before 0.4, not yet told by a roster or
    /// a token) is not judged: its indicator values may be the county's.
    ///
    /// - Returns: what was left out and where the rest continues; nil when nothing is refused.
    public func recoverRefusedOperations() throws -> Recovery? {
        // Every sync asks: nothing new to check is answered without a write transaction.
        let pending = try read("recover") { db -> Bool in
            guard let me = try SelfRow.fetch(db), me.role != nil else { return false }
            return try (Int64.fetchOne(db, sql: "SELECT vetted FROM replica_self WHERE id = 1") ?? 0) < me.maxSeq
        }
        guard pending else { return nil }
        return try write("recover") { db in
            guard let me = try SelfRow.fetch(db), let role = me.role else { return nil }
            let vetted = try Int64.fetchOne(db, sql: "SELECT vetted FROM replica_self WHERE id = 1") ?? 0
            guard vetted < me.maxSeq else { return nil }
            let ownerOf = try db.cachedStatement(sql: "SELECT township FROM activity WHERE id = ?")
            let owner = { (id: ActivityID) in try? String.fetchOne(ownerOf, arguments: [id.rawValue]) }
            var mine: [Op] = []
            try Self.forEachChunk(db, replica: (me.num, me.replica, vetted)) { chunk in
                mine += chunk.filter { $0.seq > vetted }
                return true
            }
            guard let first = mine.firstIndex(where: { Self.ownRefusal($0, me, role: role, rule: rule, owner: owner) != nil }) else {
                try db.execute(sql: "UPDATE replica_self SET vetted = ? WHERE id = 1", arguments: [me.maxSeq])
                return nil
            }
            let cut = mine[first].seq - 1
            var leftOut: [(Op, RefusalReason)] = []
            var kept: [Op] = []
            for op in mine[first...] {
                if let reason = Self.ownRefusal(op, me, role: role, rule: rule, owner: owner) {
                    leftOut.append((op, reason))
                } else {
                    kept.append(op)
                }
            }
            // The old replica ends at `cut`: its log cut there and its last run sealed again
            // to end there, with its own key, before the key changes.
            try Self.truncateOwnLog(db, me, after: cut)
            var ended = me
            ended.maxSeq = cut
            try Self.sealOwnRunsLocked(db, upTo: cut, size: RunSeal.maxOperations)
            let continuation = try continueLocked(db, ended, after: cut, reissuing: kept)
            let now = wallClock.nowMillis()
            for (op, reason) in leftOut {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO left_out (replica, seq, reason, op, left_at, continued_as) VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [Data(me.replica.bytes), op.seq, reason.rawValue, Data(OpChunk.encode([op])), now,
                                     Data(continuation.replica.bytes)])
            }
            return Recovery(leftOut: leftOut.map { Refusal(source: "ktx", replica: me.replica, seq: $0.0.seq, reason: $0.1) },
                            continuation: continuation)
        }
    }

    /// This replica's own operations left out because every receiver refuses them, oldest first.
    public func leftOutOperations() throws -> [LeftOutOperation] {
        try read("left-out") { db in
            try Row.fetchAll(db, sql: "SELECT replica, seq, reason, op, left_at, continued_as FROM left_out ORDER BY left_at, seq").compactMap { row in
                guard let replica = ReplicaID(bytes: row[0] as Data), let next = ReplicaID(bytes: row[5] as Data),
                      let reason = RefusalReason(rawValue: row[2]),
                      let op = try? OpChunk.read([UInt8](row[3] as Data), replica: replica, firstSeq: row[1]).first
                else { return nil }
                return LeftOutOperation(replica: replica, seq: row[1], reason: reason, operation: op, leftAtMillis: row[4], continuedAs: next)
            }
        }
    }
}
