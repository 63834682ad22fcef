import Foundation
import GRDB
import SyncCore

/// What merging a batch did.
public struct MergeOutcome: Sendable, Equatable {
    /// Operations new to this replica, now in the log and the totals.
    public var applied = 0
    /// Operations already held (a duplicate delivery), ignored.
    public var duplicates = 0
    /// Operations held back because an earlier one of the same replica is missing or refused.
    public var heldBack = 0
    /// Operations the acceptance rule refused: nothing of them was merged.
    public var refused: [Refusal] = []
    /// Operations dated beyond the allowed clock skew: not merged, asked for again later.
    public var held: [HeldOperation] = []

    /// Adds another outcome's counts to this one.
    public mutating func add(_ other: MergeOutcome) {
        applied += other.applied
        duplicates += other.duplicates
        heldBack += other.heldBack
        refused += other.refused
        held += other.held
    }
}

extension Store {
    /// Merges operations from other replicas in one transaction.
    ///
    /// Operations already held are ignored, so delivering a batch twice changes nothing.
    /// Per replica, operations are taken in seq order up to the first gap; the rest are
    /// held back (not stored) until the missing ones arrive. The batch is coalesced
    /// first: each touched activity is read and written once, however many operations
    /// touch it. For a long stream (a pull), ``Merger`` does the same over many batches.
    ///
    /// - Parameters:
    ///   - operations: operations of any replicas, in any order.
    ///   - townships: the townships announced by those replicas, kept for `ktx log`.
    ///   - source: where they came from, named in refusals.
    @discardableResult
    public func merge(_ operations: [Op], townships: [ReplicaID: String] = [:], source: String = "merge") throws -> MergeOutcome {
        guard !operations.isEmpty || !townships.isEmpty else { return MergeOutcome() }
        let latestAllowed = wallClock.nowMillis() + ClockPolicy.maxSkewMillis
        return try write("merge") { db in
            try mergeLocked(db, operations, townships: townships, source: source, latestAllowed: latestAllowed)
        }
    }

    /// Merges inside a write transaction the caller holds (local changes, the hub's push).
    ///
    /// - Parameter latestAllowed: operations dated later (unix milliseconds) are held, not
    ///   merged; the hub's push checks its own skew before, and local changes are dated by
    ///   this replica's clock, which ``repairClock()`` keeps right.
    /// - Parameter writing: false to check and count only (a read transaction will do).
    package func mergeLocked(_ db: Database, _ operations: [Op], townships: [ReplicaID: String], source: String,
                     latestAllowed: Int64 = .max, seals: [ReplicaID: [RunSeal]] = [:], checksSignatures: Bool = true,
                     writing: Bool = true) throws -> MergeOutcome {
        var pending = PendingMerge(rule: rule)
        pending.latestAllowed = latestAllowed
        pending.checksSignatures = checksSignatures
        pending.trustLookup = { try Store.trust(db, $0) }
        pending.runLookup = { try Store.run(db, replica: $0, containing: $1) }
        pending.heldOperations = { try Store.fetchOperations(db, of: $0, after: $1 - 1, limit: Int($2 - $1 + 1)) }
        try pending.accept(operations, townships: townships, seals: seals, source: source) { try Self.maxSeq(db, $0) }
        if writing { _ = try pending.write(db) }
        return pending.outcome
    }

    /// The version-vector entry of a replica (0 for one never seen).
    static func maxSeq(_ db: Database, _ replica: ReplicaID) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT max_seq FROM replica WHERE id = ?"),
                           arguments: [Data(replica.bytes)]) ?? 0
    }

    /// The local number and version-vector entry of a replica, registering it if new.
    package static func replicaRow(_ db: Database, _ replica: ReplicaID, township: String?) throws -> (num: Int64, maxSeq: Int64) {
        if let row = try registeredReplica(db, replica) {
            if let township, row.township != township {
                try db.execute(sql: "UPDATE replica SET township = ? WHERE num = ?", arguments: [township, row.num])
            }
            return (row.num, row.maxSeq)
        }
        try db.execute(sql: "INSERT INTO replica (id, township, max_seq) VALUES (?, ?, 0)", arguments: [Data(replica.bytes), township])
        return (db.lastInsertedRowID, 0)
    }

    /// The local number, version-vector entry and township of a replica already registered.
    package static func registeredReplica(_ db: Database, _ replica: ReplicaID) throws -> (num: Int64, maxSeq: Int64, township: String?)? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT num, max_seq, township FROM replica WHERE id = ?"), arguments: [Data(replica.bytes)])
            .map { ($0[0], $0[1], $0[2]) }
    }

    /// Folds a coalesced batch into the materialized tables: each touched activity is read
    /// and written once, its quantities added, and the totals of the cells it leaves and
    /// joins (``TotalCell``) moved.
    ///
    /// - Parameter numbers: the local numbers of replicas the caller has already looked up.
    /// - Parameter rule: its catalog says which kinds and metrics count in the totals
    ///   (those of a newer catalog are kept in the log and the tables, out of the totals).
    static func materialize(_ db: Database, _ batch: BatchDelta, rule: AcceptanceRule, numbers: [ReplicaID: Int64] = [:]) throws {
        guard !batch.overflowed else { throw KtxError.overflow() }
        try materializeIndicators(db, batch.indicators, table: "indicator_value")
        try materializeIndicators(db, batch.indicatorNotes, table: "indicator_note")
        try keepYearCloseSteps(db, batch.yearCloseSteps)
        // Approved years hold: the townships with a step of the county's on them that this
        // batch touches are recounted from the log once the batch is in.
        var touchedIDs: [ActivityID] = []
        guard batch.activityCount > 0 else {
            try recount(db, townships: try townshipsToRecount(db, touched: [], steps: batch.yearCloseSteps), rule: rule)
            return
        }
        let statements = try ActivityStatements(db)
        let load = statements.load
        var replicas = try ReplicaNumbers(db, known: numbers)
        var cells = CellDeltas(catalog: rule.catalog)
        for slot in batch.slotsByID() {
            let id = batch.ids[slot]
            load.bind(1, id.rawValue)
            let stored = try load.step() ? activityState(load, &replicas) : nil
            load.reset()
            var state = stored ?? ActivityState()
            MergeRules.apply(fieldsOf: slot, in: batch, to: &state)
            touchedIDs.append(id)
            if stored == nil && state.fields.isEmpty && !state.deleted {
                statements.ensure.bind(1, id.rawValue)
                try statements.ensure.run()
            } else if state != stored {
                try saveState(statements.save, id, state, &replicas)
            }
            let additions = batch.additions(slot)
            let before = stored.flatMap(cells.cell(of:))
            let after = cells.cell(of: state)
            if before == after {
                if let after { cells.add(additions, to: after) }
            } else {
                // The activity moves between cells (or joins, or leaves the totals): its
                // stored quantities move with it.
                let held = stored == nil ? [] : try statements.quantities(of: id)
                if let before { cells.move(held, out: true, of: before) }
                if let after {
                    cells.move(held, out: false, of: after)
                    cells.add(additions, to: after)
                }
            }
            try statements.add(additions, to: id)
        }
        try cells.write(db)
        try recount(db, townships: try townshipsToRecount(db, touched: touchedIDs, steps: batch.yearCloseSteps), rule: rule)
    }

    /// The statements ``materialize(_:_:rule:numbers:)`` steps through for each activity of a
    /// batch, prepared once per batch and bound through the C API.
    private struct ActivityStatements {
        let load: HotStatement
        let loadQuantities: HotStatement
        let ensure: HotStatement
        let save: HotStatement
        let addQuantity: HotStatement

        init(_ db: Database) throws {
            load = try HotStatement(db, "SELECT \(Store.fieldColumns), deleted FROM activity WHERE id = ?")
            loadQuantities = try HotStatement(db, "SELECT metric, value FROM quantity WHERE activity = ?")
            ensure = try HotStatement(db, "INSERT OR IGNORE INTO activity (id) VALUES (?)")
            save = try HotStatement(db, """
                INSERT OR REPLACE INTO activity (id, \(Store.fieldColumns), deleted)
                VALUES (\(Array(repeating: "?", count: 3 * Field.allCases.count + 2).joined(separator: ", ")))
                """)
            addQuantity = try HotStatement(db, """
                INSERT INTO quantity (activity, metric, value) VALUES (?, ?, ?)
                ON CONFLICT (activity, metric) DO UPDATE SET value = \(Store.checkedAdd)(value, excluded.value)
                """)
        }

        /// An activity's stored quantities.
        func quantities(of id: ActivityID) throws -> [(metric: String, amount: Int64)] {
            var held: [(metric: String, amount: Int64)] = []
            loadQuantities.bind(1, id.rawValue)
            while try loadQuantities.step() { held.append((loadQuantities.text(0) ?? "", loadQuantities.int64(1))) }
            loadQuantities.reset()
            return held
        }

        /// Adds a batch's additions to an activity's stored quantities.
        func add(_ additions: [(metric: String, amount: Int64)], to id: ActivityID) throws {
            for (metric, amount) in additions where amount != 0 {
                addQuantity.bind(1, id.rawValue)
                addQuantity.bind(2, metric)
                addQuantity.bind(3, amount)
                try addQuantity.run()
            }
        }
    }

    /// Folds manual indicator values (or the county's notes on them) into `table`
    /// (`indicator_value`, `indicator_note`): a write replaces the stored one only if its
    /// stamp is later (the same rule as descriptive fields).
    private static func materializeIndicators(_ db: Database, _ winners: [String: Register], table: String) throws {
        guard !winners.isEmpty else { return }
        let load = try db.cachedStatement(sql: "SELECT value, at, by FROM \(table) WHERE key = ?")
        let save = try db.cachedStatement(sql: "INSERT OR REPLACE INTO \(table) (key, value, at, by) VALUES (?, ?, ?, ?)")
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

    /// Replica ids and their local numbers (`replica.num`, what an activity row names the
    /// writer of each field by), looked up as a merge meets them.
    struct ReplicaNumbers {
        private var ids: [Int64: ReplicaID] = [:]
        private var nums: [ReplicaID: Int64] = [:]
        private let byNum: HotStatement
        private let byID: HotStatement

        init(_ db: Database, known: [ReplicaID: Int64] = [:]) throws {
            byNum = try HotStatement(db, "SELECT id FROM replica WHERE num = ?")
            byID = try HotStatement(db, "SELECT num FROM replica WHERE id = ?")
            nums = known
            for (id, num) in known { ids[num] = id }
        }

        mutating func id(_ num: Int64) throws -> ReplicaID {
            if let id = ids[num] { return id }
            byNum.bind(1, num)
            defer { byNum.reset() }
            guard try byNum.step(), let id = byNum.replica(0) else { throw OpChunk.damaged }
            ids[num] = id
            return id
        }

        /// The number of a replica already registered (every replica of a batch is, before
        /// its activities are written).
        mutating func num(_ id: ReplicaID) throws -> Int64 {
            if let num = nums[id] { return num }
            byID.bind(1, id)
            defer { byID.reset() }
            guard try byID.step() else { throw OpChunk.damaged }
            let num = byID.int64(0)
            nums[id] = num
            return num
        }
    }

    static let fieldColumns = Field.allCases.map { "\($0.rawValue), \($0.rawValue)_at, \($0.rawValue)_by" }
        .joined(separator: ", ")

    /// The state on the current row of a `SELECT fieldColumns, deleted` statement.
    static func activityState(_ row: HotStatement, _ replicas: inout ReplicaNumbers) throws -> ActivityState {
        var state = ActivityState()
        for (i, field) in Field.allCases.enumerated() {
            let c = Int32(3 * i)
            guard let value = row.text(c), !row.isNull(c + 1), !row.isNull(c + 2) else { continue }
            let replica = try replicas.id(row.int64(c + 2))
            state.fields[field] = Register(value: value, stamp: Stamp(timestamp: HLCTimestamp(rawValue: row.int64(c + 1)), replica: replica))
        }
        state.deleted = row.int64(Int32(3 * Field.allCases.count)) != 0
        return state
    }

    static func saveState(_ save: HotStatement, _ id: ActivityID, _ state: ActivityState,
                                  _ replicas: inout ReplicaNumbers) throws {
        save.bind(1, id.rawValue)
        for (i, field) in Field.allCases.enumerated() {
            let c = Int32(3 * i + 2)
            if let register = state.fields[field] {
                save.bind(c, register.value)
                save.bind(c + 1, register.stamp.timestamp.rawValue)
                save.bind(c + 2, try replicas.num(register.stamp.replica))
            } else {
                save.bindNull(c)
                save.bindNull(c + 1)
                save.bindNull(c + 2)
            }
        }
        save.bind(Int32(3 * Field.allCases.count + 2), state.deleted ? 1 : 0)
        try save.run()
    }

    /// Rebuilds the materialized tables from the operation log alone.
    ///
    /// The log is the truth; this proves (and restores) that the tables are only a cache.
    public func rebuildMaterialized() throws {
        try write("rebuild") { db in try Self.rebuildLocked(db, rule: rule) }
    }

    /// Rebuilds the tables inside a transaction the caller holds. An operation the rule
    /// refuses (written by an older version that did not check it) counts for nothing, nor
    /// do the later ones of its replica, as a sync would have left them.
    ///
    /// - Throws: `KtxError` `log-gap` before anything is changed when a replica's log
    ///   misses operations (a rebuild would silently leave them, and all that follows them,
    ///   out of every total); `damaged-log` when a chunk's bytes changed after they were written.
    static func rebuildLocked(_ db: Database, rule: AcceptanceRule) throws {
        try requireContiguousLog(db)
        if let damage = try damagedChunk(db) { throw damage }
        try db.execute(sql: "DELETE FROM activity; DELETE FROM quantity; DELETE FROM indicator_value; DELETE FROM indicator_note; DELETE FROM total_cell; DELETE FROM county_cell; DELETE FROM township_cell; DELETE FROM year_close;")
        var batch = BatchDelta()
        var held = 0
        var stopped: Set<ReplicaID> = []
        try forEachChunk(db) { ops in
            for op in ops where !stopped.contains(op.replica) {
                if rule.check(op) != nil { stopped.insert(op.replica); continue }
                batch.absorb(op)
            }
            held += ops.count
            if held >= 200_000 {
                try materialize(db, batch, rule: rule)
                batch = BatchDelta()
                held = 0
            }
        }
        try materialize(db, batch, rule: rule)
    }

    /// Every chunk of the log (optionally of one replica, from the chunk holding seq
    /// `after + 1`), unpacked, in (replica, seq) order.
    ///
    /// - Parameter limit: for one replica, the most operations the caller will take from a
    ///   chunk (a pull page): the rest of the chunk is not unpacked.
    static func forEachChunk(_ db: Database, replica: (num: Int64, id: ReplicaID, after: Int64)? = nil, limit: Int = .max,
                             _ body: ([Op]) throws -> Bool) throws {
        // One replica's chunks need no lookup of the others' ids (the hub's pull asks
        // for each replica in turn).
        let ids = try replica.map { [$0.num: $0.id] } ?? replicaIDs(db)
        let chunks = try HotStatement(db, replica == nil
            ? "SELECT replica, first_seq, ops, sum, last_seq FROM op_chunk ORDER BY replica, last_seq"
            : "SELECT replica, first_seq, ops, sum, last_seq FROM op_chunk WHERE replica = ? AND last_seq > ? ORDER BY last_seq")
        defer { chunks.reset() }
        if let replica {
            chunks.bind(1, replica.num)
            chunks.bind(2, replica.after)
        }
        while try chunks.step() {
            guard let id = ids[chunks.int64(0)] else { throw OpChunk.damaged }
            let first = chunks.int64(1)
            // Bytes changed since they were written may still unpack: into operations
            // nobody made. Nothing is built, pushed or copied from them.
            if !chunks.isNull(3), ChunkSum.of(chunks.blob(2)) != chunks.int64(3) {
                throw KtxError.damagedChunk(replica: id.short, from: first, to: chunks.int64(4))
            }
            let ops = try OpChunk.read(chunks.blob(2), replica: id, firstSeq: first,
                                         from: replica.map { $0.after + 1 } ?? first, limit: limit)
            if try !body(ops) { return }
        }
    }

    static func forEachChunk(_ db: Database, _ body: ([Op]) throws -> Void) throws {
        try forEachChunk(db, replica: nil) { try body($0); return true }
    }

    /// Throws `log-gap` when a replica's chunks do not follow one another from seq 1 up to
    /// the seq the replica is recorded as holding. Reads only the chunks' bounds.
    static func requireContiguousLog(_ db: Database) throws {
        var held: [Int64: (id: ReplicaID, maxSeq: Int64)] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT num, id, max_seq FROM replica") {
            if let id = ReplicaID(bytes: row[1] as Data) { held[row[0]] = (id, row[2]) }
        }
        var end: [Int64: Int64] = [:]
        let bounds = try Row.fetchCursor(db, sql: "SELECT replica, first_seq, last_seq FROM op_chunk ORDER BY replica, first_seq")
        while let row = try bounds.next() {
            let num: Int64 = row[0]
            let first: Int64 = row[1]
            let last: Int64 = row[2]
            let previous = end[num] ?? 0
            if first > previous + 1, let replica = held[num] {
                throw KtxError.logGap(replica: replica.id.short, from: previous + 1, to: first - 1)
            }
            end[num] = max(previous, last)
        }
        for (num, replica) in held where (end[num] ?? 0) < replica.maxSeq {
            throw KtxError.logGap(replica: replica.id.short, from: (end[num] ?? 0) + 1, to: replica.maxSeq)
        }
    }

    static func replicaIDs(_ db: Database) throws -> [Int64: ReplicaID] {
        var ids: [Int64: ReplicaID] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT num, id FROM replica") {
            ids[row[0]] = ReplicaID(bytes: row[1] as Data)
        }
        return ids
    }

    /// Decodes a row of the old `op` table, selected as (replica, seq, hlc, activity, kind,
    /// field, value): only the migration to chunks reads it.
    static func legacyOperation(from row: Row, ids: [Int64: ReplicaID]) -> Op? {
        guard let replica = ids[row[0]] else { return nil }
        let field: String = row[5]
        let change: Change
        switch row[4] as Int {
        case 0:
            guard let f = Field(rawValue: field) else { return nil }
            change = .set(f, row[6])
        case 1: change = .add(metric: field, amount: row[6])
        case 2: change = .delete
        case 3: change = .indicator(row[6])
        default: return nil // not a kind this format defines: never guessed
        }
        return Op(replica: replica, seq: row[1], timestamp: HLCTimestamp(rawValue: row[2]),
                  activity: ActivityID(unchecked: row[3]), change: change)
    }

    /// Migration 0004's Swift step: packs the rows of the old `op` table into chunks, then
    /// drops it. Runs in the migration's transaction: all of it, or none.
    static func packLegacyOperations(_ db: Database) throws {
        let ids = try replicaIDs(db)
        let insert = try HotStatement(db, "INSERT INTO op_chunk (replica, first_seq, last_seq, ops) VALUES (?, ?, ?, ?)")
        var run: [Op] = []
        var runReplica: Int64 = -1
        func flush() throws {
            guard let first = run.first, let last = run.last else { return }
            insert.bind(1, runReplica)
            insert.bind(2, first.seq)
            insert.bind(3, last.seq)
            insert.bind(4, bytes: OpChunk.encode(run))
            try insert.run()
            run.removeAll(keepingCapacity: true)
        }
        let rows = try Row.fetchCursor(db, sql: "SELECT replica, seq, hlc, activity, kind, field, value FROM op ORDER BY replica, seq")
        while let row = try rows.next() {
            guard let op = legacyOperation(from: row, ids: ids) else { throw OpChunk.damaged }
            let num: Int64 = row[0]
            if num != runReplica || run.count == PendingMerge.chunkLimit || (run.last.map { $0.seq + 1 != op.seq } ?? false) {
                try flush()
                runReplica = num
            }
            run.append(op)
        }
        try flush()
        try db.execute(sql: "DROP TABLE op")
    }

    /// This replica's version vector: for every replica, the highest contiguous seq held.
    public func versionVector() throws -> VersionVector {
        try read("version vector") { try Self.fetchVersionVector($0) }
    }

    /// ``versionVector()`` without blocking Swift's cooperative thread pool (the hub's).
    public func versionVector() async throws -> VersionVector {
        try await readAsync("version vector") { try Self.fetchVersionVector($0) }
    }

    /// Operations of one replica from seq `after + 1`, at most `limit`, in seq order.
    public func operations(of replica: ReplicaID, after: Int64, limit: Int) throws -> [Op] {
        try read("read operations") { try Self.fetchOperations($0, of: replica, after: after, limit: limit) }
    }

    /// The townships announced by every known replica.
    public func replicaTownships() throws -> [ReplicaID: String] {
        try read("replicas") { try Self.fetchTownships($0) }
    }

    /// One replica's version-vector entry, without reading the others' (a hub's push needs
    /// only the pushing replica's).
    public func maxSeq(of replica: ReplicaID) async throws -> Int64 {
        try await readAsync("version vector") { try Self.maxSeq($0, replica) }
    }

    /// Rows of `sql` whose first column is a replica id: a cursor, each id read in place (a
    /// hub holds thousands of replicas, and every sync reads them).
    private static func forEachReplicaRow(_ db: Database, _ sql: String, _ body: (ReplicaID, Row) throws -> Void) throws {
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql))
        while let row = try rows.next() {
            if let id = try row.withUnsafeData(atIndex: 0, { $0.flatMap(ReplicaID.init(bytes:)) }) { try body(id, row) }
        }
    }

    package static func fetchVersionVector(_ db: Database) throws -> VersionVector {
        var vector = VersionVector()
        try forEachReplicaRow(db, "SELECT id, max_seq FROM replica WHERE max_seq > 0") { vector[$0] = $1[1] }
        return vector
    }

    package static func fetchOperations(_ db: Database, of replica: ReplicaID, after: Int64, limit: Int) throws -> [Op] {
        guard limit > 0, let num = try Int64.fetchOne(db.cachedStatement(sql: "SELECT num FROM replica WHERE id = ?"),
                                                      arguments: [Data(replica.bytes)]) else { return [] }
        var out: [Op] = []
        try forEachChunk(db, replica: (num, replica, after), limit: limit) { ops in
            for op in ops where op.seq > after {
                out.append(op)
                if out.count == limit { return false }
            }
            return true
        }
        return out
    }

    package static func fetchTownships(_ db: Database) throws -> [ReplicaID: String] {
        var out: [ReplicaID: String] = [:]
        try forEachReplicaRow(db, "SELECT id, township FROM replica WHERE township IS NOT NULL") { out[$0] = $1[1] }
        return out
    }
}
