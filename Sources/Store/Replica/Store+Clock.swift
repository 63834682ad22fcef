import Foundation
import GRDB
import SyncCore

/// What ``Store/repairClock()`` found and did.
public struct ClockRepair: Sendable, Equatable {
    /// How far this replica's clock had run ahead of the PC's clock, in milliseconds.
    public var aheadMillis: Int64
    /// Own operations that had never left this PC, now dated by the PC's (right) clock.
    public var restamped: Int
    /// Own operations dated in the future that a hub may already hold: immutable, so they
    /// stay as they are (every receiver with a right clock holds them, unmerged).
    public var publishedAhead: Int

}

extension Store {
    /// Brings this replica's clock back to the PC's clock when it has run further ahead than
    /// the allowed skew (`ClockPolicy`): the PC's clock was wrong and has been fixed, or an
    /// older ktx let another PC's future-dated operation drag it.
    ///
    /// Own operations that have never left this PC (beyond `published`) and are dated in the
    /// future are re-stamped, in seq order, from the PC's clock, and the tables rebuilt, so
    /// edits made with a right clock are not beaten by them. Operations a hub may hold are
    /// immutable and stay as they are. Nil when the clock is right (the usual case, one read).
    @discardableResult
    public func repairClock() throws -> ClockRepair? {
        let now = wallClock.nowMillis()
        guard let me = try read("clock", SelfRow.fetch), me.clock.millis > now + ClockPolicy.maxSkewMillis else { return nil }
        return try write("clock") { db in try repairClockLocked(db, now: now) }
    }

    /// ``repairClock()`` inside a write transaction the caller holds.
    func repairClockLocked(_ db: Database, now: Int64) throws -> ClockRepair? {
        guard let me = try SelfRow.fetch(db), me.clock.millis > now + ClockPolicy.maxSkewMillis else { return nil }
        let latestAllowed = now + ClockPolicy.maxSkewMillis
        let published = try Int64.fetchOne(db, sql: "SELECT published FROM replica_self WHERE id = 1") ?? me.maxSeq
        var clock = HybridClock(last: HLCTimestamp(millis: now, counter: 0))
        var repair = ClockRepair(aheadMillis: me.clock.millis - now, restamped: 0, publishedAhead: 0)
        let chunks = try Row.fetchAll(db, sql: "SELECT id, first_seq, ops FROM op_chunk WHERE replica = ? ORDER BY last_seq",
                                      arguments: [me.num])
        for chunk in chunks {
            let bytes: Data = chunk[2]
            var ops = try OpChunk.read([UInt8](bytes), replica: me.replica, firstSeq: chunk[1])
            var changed = false
            for i in ops.indices where ops[i].timestamp.millis > latestAllowed {
                if ops[i].seq <= published {
                    repair.publishedAhead += 1
                } else {
                    ops[i].timestamp = clock.tick(now: now)
                    repair.restamped += 1
                    changed = true
                }
            }
            if changed {
                let packed = OpChunk.encode(ops)
                try db.execute(sql: "UPDATE op_chunk SET ops = ?, sum = ? WHERE id = ?",
                               arguments: [Data(packed), ChunkSum.of(packed), chunk[0] as Int64])
            }
        }
        try db.execute(sql: "UPDATE replica_self SET clock = ? WHERE id = 1", arguments: [clock.last.rawValue])
        if repair.restamped > 0 { try Self.rebuildLocked(db, rule: rule) }
        return repair
    }

    /// The last of this replica's own seqs after `after` that can go to a hub whose clock
    /// allows dates up to `latest`: the one before the first dated later.
    func lastOwnSeq(datedAtMost latest: Int64, after: Int64) throws -> Int64 {
        let me = try identity()
        var last = after
        while true {
            let ops = try operations(of: me.replica, after: last, limit: 10_000)
            guard !ops.isEmpty else { return last }
            for op in ops {
                if op.timestamp.millis > latest { return last }
                last = op.seq
            }
        }
    }

    /// The newest timestamp of another replica's operation merged here (nil if none yet).
    public func seenClock() throws -> HLCTimestamp? {
        let raw = try read("clock") { try Int64.fetchOne($0, sql: "SELECT seen FROM replica_self WHERE id = 1") } ?? 0
        return raw > 0 ? HLCTimestamp(rawValue: raw) : nil
    }

    /// Notes that this replica's own operations up to `seq` are being handed to a hub: from
    /// then on they are immutable (never re-stamped). Called before the hand-over.
    func markPublished(upTo seq: Int64) throws {
        try write("publish") { db in
            try db.execute(sql: "UPDATE replica_self SET published = max(published, ?) WHERE id = 1", arguments: [seq])
        }
    }
}
