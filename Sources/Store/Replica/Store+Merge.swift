import Foundation
import GRDB
import SyncCore

/// What merging a batch did.
public struct MergeOutcome: Sendable, Equatable {
    /// Operations new to this replica, now in the log and the totals.
    public var applied = 0
    /// Operations already held (a duplicate delivery), ignored.
    public var duplicates = 0
    /// Operations held back because an earlier one of the same replica is missing.
    public var heldBack = 0
}

extension Store {
    /// Merges operations from other replicas in one transaction.
    ///
    /// Operations already held are ignored, so delivering a batch twice changes nothing.
    /// Per replica, operations are taken in seq order up to the first gap; the rest are
    /// held back (not stored) until the missing ones arrive. The batch is coalesced
    /// first: each touched activity is read and written once, however many operations
    /// touch it.
    ///
    /// - Parameters:
    ///   - operations: operations of any replicas, in any order.
    ///   - townships: the townships announced by those replicas, kept for `ktx log`.
    @discardableResult
    public func merge(_ operations: [Op], townships: [ReplicaID: String] = [:]) throws -> MergeOutcome {
        guard !operations.isEmpty || !townships.isEmpty else { return MergeOutcome() }
        return try write("merge") { db in try Self.mergeLocked(db, operations, townships: townships) }
    }

    static func mergeLocked(_ db: Database, _ operations: [Op], townships: [ReplicaID: String]) throws -> MergeOutcome {
        var outcome = MergeOutcome()
        var byReplica: [ReplicaID: [Op]] = [:]
        for op in operations { byReplica[op.replica, default: []].append(op) }
        for replica in townships.keys where byReplica[replica] == nil { byReplica[replica] = [] }

        var accepted: [Op] = []
        accepted.reserveCapacity(operations.count)
        var newest = HLCTimestamp.zero
        let insert = try db.cachedStatement(sql: """
            INSERT INTO op (replica, seq, hlc, activity, kind, field, value) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for (replica, var ops) in byReplica {
            let (num, maxSeq) = try replicaRow(db, replica, township: townships[replica])
            if zip(ops, ops.dropFirst()).contains(where: { $0.seq > $1.seq }) { ops.sort { $0.seq < $1.seq } }
            var expected = maxSeq + 1
            for (i, op) in ops.enumerated() {
                if op.seq < expected { outcome.duplicates += 1; continue }
                if op.seq > expected { outcome.heldBack += ops.count - i; break }
                try insert.execute(arguments: Self.arguments(op, replicaNum: num))
                accepted.append(op)
                if op.timestamp > newest { newest = op.timestamp }
                expected += 1
            }
            if expected - 1 > maxSeq {
                try db.execute(sql: "UPDATE replica SET max_seq = ? WHERE num = ?", arguments: [expected - 1, num])
            }
        }
        outcome.applied = accepted.count
        try materialize(db, accepted)
        if newest > .zero {
            try db.execute(sql: "UPDATE replica_self SET clock = max(clock, ?) WHERE id = 1", arguments: [newest.rawValue])
        }
        return outcome
    }

    private static func arguments(_ op: Op, replicaNum: Int64) -> StatementArguments {
        switch op.change {
        case let .set(field, value):
            [replicaNum, op.seq, op.timestamp.rawValue, op.activity.rawValue, 0, field.rawValue, value]
        case let .add(metric, amount):
            [replicaNum, op.seq, op.timestamp.rawValue, op.activity.rawValue, 1, metric, amount]
        case .delete:
            [replicaNum, op.seq, op.timestamp.rawValue, op.activity.rawValue, 2, "", nil]
        case let .indicator(value):
            [replicaNum, op.seq, op.timestamp.rawValue, op.activity.rawValue, 3, "", value]
        }
    }

    /// The local number and version-vector entry of a replica, registering it if new.
    static func replicaRow(_ db: Database, _ replica: ReplicaID, township: String?) throws -> (num: Int64, maxSeq: Int64) {
        let bytes = Data(replica.bytes)
        if let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT num, max_seq, township FROM replica WHERE id = ?"),
                                      arguments: [bytes]) {
            let num: Int64 = row[0]
            if let township, (row[2] as String?) != township {
                try db.execute(sql: "UPDATE replica SET township = ? WHERE num = ?", arguments: [township, num])
            }
            return (num, row[1])
        }
        try db.execute(sql: "INSERT INTO replica (id, township, max_seq) VALUES (?, ?, 0)", arguments: [bytes, township])
        return (db.lastInsertedRowID, 0)
    }

    /// Folds operations into the materialized tables, coalesced per activity.
    static func materialize(_ db: Database, _ operations: [Op]) throws {
        guard !operations.isEmpty else { return }
        let batch = BatchDelta(operations)
        try materializeIndicators(db, batch.indicators)
        let deltas = batch.activities
        let addQuantity = try db.cachedStatement(sql: """
            INSERT INTO quantity (activity, metric, value) VALUES (?, ?, ?)
            ON CONFLICT (activity, metric) DO UPDATE SET value = value + excluded.value
            """)
        let ensureActivity = try db.cachedStatement(sql: "INSERT OR IGNORE INTO activity (id) VALUES (?)")
        for (id, delta) in deltas {
            if delta.fields.isEmpty && !delta.deleted {
                try ensureActivity.execute(arguments: [id.rawValue])
            } else {
                let stored = try loadState(db, id)
                var state = stored ?? ActivityState()
                MergeRules.apply(delta, to: &state)
                if stored == nil || state != stored {
                    try saveState(db, id, state)
                }
            }
            for (metric, amount) in delta.additions where amount != 0 {
                try addQuantity.execute(arguments: [id.rawValue, metric, amount])
            }
        }
    }

    /// Folds manual indicator values into `indicator_value`: a write replaces the stored
    /// one only if its stamp is later (the same rule as descriptive fields).
    private static func materializeIndicators(_ db: Database, _ winners: [String: Register]) throws {
        guard !winners.isEmpty else { return }
        let load = try db.cachedStatement(sql: "SELECT value, at, by FROM indicator_value WHERE key = ?")
        let save = try db.cachedStatement(sql: "INSERT OR REPLACE INTO indicator_value (key, value, at, by) VALUES (?, ?, ?, ?)")
        for (key, incoming) in winners {
            var current: Register?
            if let row = try Row.fetchOne(load, arguments: [key]), let replica = ReplicaID(bytes: row[2] as Data) {
                current = Register(value: row[0], stamp: Stamp(timestamp: HLCTimestamp(rawValue: row[1]), replica: replica))
            }
            let winner = MergeRules.winner(current, incoming)
            if winner != current {
                try save.execute(arguments: [key, winner.value, winner.stamp.timestamp.rawValue, Data(winner.stamp.replica.bytes)])
            }
        }
    }

    private static let fieldColumns = Field.allCases.map { "\($0.rawValue), \($0.rawValue)_at, \($0.rawValue)_by" }
        .joined(separator: ", ")

    /// The descriptive fields and deleted flag of a materialized activity (not its quantities).
    static func loadState(_ db: Database, _ id: ActivityID) throws -> ActivityState? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(fieldColumns), deleted FROM activity WHERE id = ?"),
            arguments: [id.rawValue])
        else { return nil }
        var state = ActivityState()
        for (i, field) in Field.allCases.enumerated() {
            guard let value: String = row[3 * i], let at: Int64 = row[3 * i + 1], let by: Data = row[3 * i + 2],
                  let replica = ReplicaID(bytes: by)
            else { continue }
            state.fields[field] = Register(value: value, stamp: Stamp(timestamp: HLCTimestamp(rawValue: at), replica: replica))
        }
        state.deleted = row[3 * Field.allCases.count]
        return state
    }

    private static func saveState(_ db: Database, _ id: ActivityID, _ state: ActivityState) throws {
        let placeholders = Array(repeating: "?", count: 3 * Field.allCases.count + 2).joined(separator: ", ")
        let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO activity (id, \(fieldColumns), deleted) VALUES (\(placeholders))")
        var values: [(any DatabaseValueConvertible)?] = [id.rawValue]
        for field in Field.allCases {
            if let register = state.fields[field] {
                values += [register.value, register.stamp.timestamp.rawValue, Data(register.stamp.replica.bytes)]
            } else {
                values += [nil, nil, nil]
            }
        }
        values.append(state.deleted)
        try statement.execute(arguments: StatementArguments(values))
    }

    /// Rebuilds the materialized tables from the operation log alone.
    ///
    /// The log is the truth; this proves (and restores) that the tables are only a cache.
    public func rebuildMaterialized() throws {
        try write("rebuild") { db in
            try db.execute(sql: "DELETE FROM activity; DELETE FROM quantity; DELETE FROM indicator_value;")
            let ids = try Self.replicaIDs(db)
            var after: (Int64, Int64) = (0, 0)
            while true {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT replica, seq, hlc, activity, kind, field, value FROM op
                    WHERE (replica, seq) > (?, ?) ORDER BY replica, seq LIMIT 50000
                    """, arguments: [after.0, after.1])
                guard let last = rows.last else { break }
                try Self.materialize(db, rows.compactMap { Self.operation(from: $0, ids: ids) })
                after = (last[0], last[1])
            }
        }
    }

    static func replicaIDs(_ db: Database) throws -> [Int64: ReplicaID] {
        var ids: [Int64: ReplicaID] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT num, id FROM replica") {
            ids[row[0]] = ReplicaID(bytes: row[1] as Data)
        }
        return ids
    }

    /// Decodes an `op` row selected as (replica, seq, hlc, activity, kind, field, value).
    static func operation(from row: Row, ids: [Int64: ReplicaID]) -> Op? {
        guard let replica = ids[row[0]] else { return nil }
        let field: String = row[5]
        let change: Change
        switch row[4] as Int {
        case 0:
            guard let f = Field(rawValue: field) else { return nil }
            change = .set(f, row[6])
        case 1: change = .add(metric: field, amount: row[6])
        case 3: change = .indicator(row[6])
        default: change = .delete
        }
        return Op(replica: replica, seq: row[1], timestamp: HLCTimestamp(rawValue: row[2]),
                         activity: ActivityID(unchecked: row[3]), change: change)
    }

    /// This replica's version vector: for every replica, the highest contiguous seq held.
    public func versionVector() throws -> VersionVector {
        try read("version vector") { try Self.fetchVersionVector($0) }
    }

    /// Operations of one replica from seq `after + 1`, at most `limit`, in seq order.
    public func operations(of replica: ReplicaID, after: Int64, limit: Int) throws -> [Op] {
        try read("read operations") { try Self.fetchOperations($0, of: replica, after: after, limit: limit) }
    }

    /// The townships announced by every known replica.
    public func replicaTownships() throws -> [ReplicaID: String] {
        try read("replicas") { try Self.fetchTownships($0) }
    }

    static func fetchVersionVector(_ db: Database) throws -> VersionVector {
        var vector = VersionVector()
        for row in try Row.fetchAll(db, sql: "SELECT id, max_seq FROM replica WHERE max_seq > 0") {
            if let id = ReplicaID(bytes: row[0] as Data) { vector[id] = row[1] }
        }
        return vector
    }

    static func fetchOperations(_ db: Database, of replica: ReplicaID, after: Int64, limit: Int) throws -> [Op] {
        guard let num = try Int64.fetchOne(db, sql: "SELECT num FROM replica WHERE id = ?",
                                           arguments: [Data(replica.bytes)]) else { return [] }
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT replica, seq, hlc, activity, kind, field, value FROM op
            WHERE replica = ? AND seq > ? ORDER BY seq LIMIT ?
            """), arguments: [num, after, limit])
        let ids = [num: replica]
        return rows.compactMap { Self.operation(from: $0, ids: ids) }
    }

    static func fetchTownships(_ db: Database) throws -> [ReplicaID: String] {
        var out: [ReplicaID: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, township FROM replica WHERE township IS NOT NULL") {
            if let id = ReplicaID(bytes: row[0] as Data) { out[id] = row[1] }
        }
        return out
    }
}
