import Crypto
import Foundation
import GRDB
import SyncCore

/// What a copied (or restored) database did on learning it is a copy.
public struct Continuation: Sendable, Equatable {
    /// The replica this database was (and another PC, or a later backup, still is).
    public var previous: ReplicaID
    /// The new replica its own unpublished work continues under.
    public var replica: ReplicaID
    /// The seq after which the two histories part.
    public var published: Int64
    /// Own operations re-issued under the new replica, with their content unchanged.
    public var operations: Int
    /// Activities recorded after the copy, with their new ids.
    public var renamed: [(old: ActivityID, new: ActivityID)]

    /// A continuation from `previous` to `replica`.
    public init(previous: ReplicaID, replica: ReplicaID, published: Int64, operations: Int, renamed: [(old: ActivityID, new: ActivityID)]) {
        self.previous = previous
        self.replica = replica
        self.published = published
        self.operations = operations
        self.renamed = renamed
    }

    /// One continuation, then another of the replica it made (copies of a copy that part
    /// again further on), as one: from the first's previous replica to the second's new one.
    public init(first: Continuation, then second: Continuation) {
        let again = Dictionary(second.renamed.map { ($0.old, $0.new) }, uniquingKeysWith: { a, _ in a })
        let firstNew = Set(first.renamed.map(\.new))
        self.init(previous: first.previous, replica: second.replica, published: first.published, operations: first.operations,
                  renamed: first.renamed.map { ($0.old, again[$0.new] ?? $0.new) } + second.renamed.filter { !firstNew.contains($0.old) })
    }

    /// Equal when they part at the same place and rename the same activities.
    public static func == (a: Continuation, b: Continuation) -> Bool {
        a.previous == b.previous && a.replica == b.replica && a.published == b.published && a.operations == b.operations
            && a.renamed.map(\.old) == b.renamed.map(\.old) && a.renamed.map(\.new) == b.renamed.map(\.new)
    }

}

extension Store {
    /// The highest own seq this replica has handed to a hub.
    public func publishedSeq() throws -> Int64 {
        try read("published") { try Int64.fetchOne($0, sql: "SELECT published FROM replica_self WHERE id = 1") ?? 0 }
    }

    /// The highest own seq a hub has confirmed holding (its push returned, or it was pulled back).
    public func confirmedSeq() throws -> Int64 {
        try read("published") { try Int64.fetchOne($0, sql: "SELECT confirmed FROM replica_self WHERE id = 1") ?? 0 }
    }

    /// Takes, for this replica's own operations after `after`, the runs another copy of this
    /// database published (the same operations, sealed there first) in place of its own
    /// unpublished ones, up to `upTo`: what it seals next chains to them, so every receiver
    /// sees one history.
    func adoptRuns(_ seals: [RunSeal], after: Int64, upTo: Int64) throws {
        let taken = seals.filter { $0.first > after && $0.last <= upTo }.sorted { $0.first < $1.first }
        guard !taken.isEmpty else { return }
        try write("adopt") { db in
            guard let me = try SelfRow.fetch(db) else { return }
            try db.execute(sql: "DELETE FROM op_run WHERE replica = ? AND last_seq > ?", arguments: [me.num, after])
            for seal in taken { try Self.storeRun(db, num: me.num, seal) }
        }
    }

    /// Notes that a hub holds this replica's own operations up to `seq`.
    func markConfirmed(upTo seq: Int64) throws {
        try write("publish") { db in
            try db.execute(sql: "UPDATE replica_self SET confirmed = max(confirmed, ?), published = max(published, ?) WHERE id = 1",
                           arguments: [seq, seq])
        }
    }

    /// Continues this database's own unpublished work under a new replica: called when a hub
    /// holds seqs of this replica beyond what it published, while it has unpublished ones of
    /// its own (the database was copied to another PC, or restored from a backup and then
    /// used before syncing). The other history keeps the old replica id; this one gets a new
    /// key and id, its operations after the shared ones are re-issued under it with their content
    /// and timestamps unchanged (activities recorded since get new ids), and the old
    /// replica's later operations are then pulled like any other's. One transaction.
    ///
    /// - Parameter published: the last seq both histories share: what follows is this copy's own.
    public func continueAsNewReplica(after published: Int64) throws -> Continuation {
        try write("continue") { db in
            guard let me = try SelfRow.fetch(db) else { throw KtxError.notInitialized(path) }
            var mine: [Op] = []
            try Self.forEachChunk(db, replica: (me.num, me.replica, published)) { chunk in
                mine += chunk.filter { $0.seq > published }
                return true
            }
            return try continueLocked(db, me, after: published, reissuing: mine)
        }
    }

    /// Continues under a new replica inside a transaction the caller holds: the old replica
    /// keeps its operations up to `published`, `mine` (its operations after it, or those of
    /// them to keep) are re-issued under the new one.
    func continueLocked(_ db: Database, _ me: SelfRow, after published: Int64, reissuing mine: [Op]) throws -> Continuation {
        // The new key is derived from the old one, where the histories part and this copy's
        // first operation after it: two copies that share this history (a copy of a copy)
        // continue as the same replica, with the same operations, and part again later
        // as any copies do, instead of each re-issuing the shared records.
        guard let oldKey = try Data.fetchOne(db, sql: "SELECT signing_key FROM replica_self WHERE id = 1") else {
            throw KtxError(.noSigningKey)
        }
        var seed = SHA256()
        seed.update(data: Array("ktx-continue-1\n".utf8))
        seed.update(data: oldKey)
        withUnsafeBytes(of: published.bigEndian) { seed.update(bufferPointer: $0) }
        seed.update(data: mine.first.map { OpChunk.encode([$0]) } ?? [])
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: Array(seed.finalize()))
        let publicKey = [UInt8](key.publicKey.rawRepresentation)
        let next = RunSigning.replicaID(for: publicKey)
        // Re-issue: same changes and timestamps, the new replica's seqs; an activity
        // created after the copy is named after the new replica and its new seq.
        var renamed: [ActivityID: ActivityID] = [:]
        var order: [(old: ActivityID, new: ActivityID)] = []
        var reissued: [Op] = []
        for (i, op) in mine.enumerated() {
            let seq = Int64(i + 1)
            var activity = op.activity
            if !op.targetsIndicator {
                if let known = renamed[op.activity] {
                    activity = known
                } else if op.activity.rawValue.hasPrefix(me.replica.short + "-"),
                          let n = Int64(op.activity.rawValue.dropFirst(13)), n > published {
                    activity = ActivityID(replica: next, seq: seq)
                    renamed[op.activity] = activity
                    order.append((op.activity, activity))
                }
            }
            reissued.append(Op(replica: next, seq: seq, timestamp: op.timestamp, activity: activity, change: op.change))
        }
        // The old replica keeps only what it published; its later seqs are the other copy's.
        try Self.truncateOwnLog(db, me, after: published)
        // (Another copy sharing this history may have continued as the same replica first,
        // and its operations be here already: the same ones, merged once.)
        try db.execute(sql: "INSERT OR IGNORE INTO replica (id, township, max_seq) VALUES (?, ?, 0)",
                       arguments: [Data(next.bytes), me.township])
        try db.execute(sql: "UPDATE replica SET public_key = ?, signed_from = 1 WHERE id = ?",
                       arguments: [Data(publicKey), Data(next.bytes)])
        guard let num = try Int64.fetchOne(db, sql: "SELECT num FROM replica WHERE id = ?", arguments: [Data(next.bytes)]) else {
            throw KtxError.damagedLog("the new replica's row was not written")
        }
        try db.execute(sql: "UPDATE replica_self SET replica = ?, signing_key = ?, published = 0, confirmed = 0, vetted = 0 WHERE id = 1",
                       arguments: [num, key.rawRepresentation])
        try db.execute(sql: "DELETE FROM remote_vv WHERE replica = ?", arguments: [me.num])
        if !reissued.isEmpty {
            _ = try mergeLocked(db, reissued, townships: [:], source: "continue", checksSignatures: false)
        }
        try Self.rebuildLocked(db, rule: rule)
        return Continuation(previous: me.replica, replica: next, published: published,
                            operations: reissued.count, renamed: order)
    }

    /// Cuts this replica's own log, its signed runs and its version-vector entry after `seq`,
    /// inside a transaction the caller holds.
    static func truncateOwnLog(_ db: Database, _ me: SelfRow, after seq: Int64) throws {
        let chunks = try Row.fetchAll(db, sql: "SELECT id, first_seq, ops FROM op_chunk WHERE replica = ? AND last_seq > ?",
                                      arguments: [me.num, seq])
        for chunk in chunks {
            let first: Int64 = chunk[1]
            try db.execute(sql: "DELETE FROM op_chunk WHERE id = ?", arguments: [chunk[0] as Int64])
            if first <= seq {
                let kept = try OpChunk.read([UInt8](chunk[2] as Data), replica: me.replica, firstSeq: first).filter { $0.seq <= seq }
                let packed = OpChunk.encode(kept)
                try db.execute(sql: "INSERT INTO op_chunk (replica, first_seq, last_seq, ops, sum) VALUES (?, ?, ?, ?, ?)",
                               arguments: [me.num, first, seq, Data(packed), ChunkSum.of(packed)])
            }
        }
        try db.execute(sql: "DELETE FROM op_run WHERE replica = ? AND last_seq > ?", arguments: [me.num, seq])
        try db.execute(sql: "UPDATE replica SET max_seq = ? WHERE num = ?", arguments: [seq, me.num])
    }
}
