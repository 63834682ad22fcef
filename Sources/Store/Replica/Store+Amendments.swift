import Foundation
import GRDB
import SyncCore

/// Approved figures hold (issue 30): once the county approves a (year, township), an operation
/// of the township's replicas beyond what the approval covers, on an activity that is (or
/// becomes) dated in that year, is an **amendment**: kept in the log and synced, but left out of
/// the tables and every figure until the county accepts it (an approval that covers it).
///
/// The tables of an approved township are the fold of its counted operations, recomputed from
/// the log whenever a merge touches one of its activities or a step of the county's on it
/// arrives: a function of the operations held and the approvals among them, so every replica
/// counts the same whatever order they arrived in.
extension Store {
    /// An operation left out of an approved year's figures.
    public struct Amendment: Sendable, Hashable {
        /// The approved year it changes.
        public var year: Int
        /// The township whose approval it goes beyond.
        public var township: String
        /// The operation left out.
        public var operation: Op
        /// The activity's title as counted (or, for one created after the approval, as written).
        public var title: String?
    }

    /// An approval in force: what the county's latest approval of a year covers, and the
    /// operations beyond it the county accepted one by one.
    struct Approval {
        var year: Int
        var frontier: [ReplicaID: Int64]
        var accepted: Set<YearClose.OperationRef> = []

        func covers(_ op: Op) -> Bool {
            op.seq <= frontier[op.replica] ?? 0 || accepted.contains(YearClose.OperationRef(replica: op.replica, seq: op.seq))
        }
    }

    /// The approvals in force for `township`, by year.
    static func approvals(_ db: Database, township: String) throws -> [Approval] {
        var latest: [Int: (stamp: Stamp, action: String, frontier: String)] = [:]
        var accepted: [Int: Set<YearClose.OperationRef>] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT y.year, y.action, y.frontier, y.hlc, r.id FROM year_close y JOIN replica r ON r.num = y.replica
            WHERE y.township = ? AND y.action != 'submit'
            """, arguments: [township]) {
            guard let replica = ReplicaID(bytes: row[4] as Data) else { continue }
            let stamp = Stamp(timestamp: HLCTimestamp(rawValue: row[3]), replica: replica)
            let year: Int = row[0]
            let action: String = row[1]
            if action == YearClose.Action.accept.rawValue {
                accepted[year, default: []].formUnion(YearClose.operations((row[2] as String).split(separator: " ")) ?? [])
            } else if latest[year].map({ stamp > $0.stamp }) ?? true {
                latest[year] = (stamp, action, row[2])
            }
        }
        return latest.compactMap { year, step in
            guard step.action == YearClose.Action.approve.rawValue else { return nil }
            return Approval(year: year, frontier: YearClose.frontier(step.frontier.split(separator: " ")) ?? [:],
                            accepted: accepted[year] ?? [])
        }.sorted { $0.year < $1.year }
    }

    /// Every operation on the activities of `township`: those of its replicas, and of the
    /// replicas its activities are named after.
    static func townshipOperations(_ db: Database, township: String) throws -> [Op] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT num, id FROM replica WHERE township = ?
            UNION SELECT r.num, r.id FROM replica r
            WHERE substr(lower(hex(r.id)), 1, 12) IN (SELECT DISTINCT substr(id, 1, 12) FROM activity WHERE township = ?)
            """, arguments: [township, township])
        var ops: [Op] = []
        for row in rows {
            guard let id = ReplicaID(bytes: row[1] as Data) else { continue }
            try forEachChunk(db, replica: (row[0], id, 0)) { chunk in
                ops += chunk.filter { !$0.targetsIndicator && !YearClose.names($0) }
                return true
            }
        }
        return ops
    }

    /// The township's activities as counted under its approvals, and the amendments left out.
    static func count(_ ops: [Op], approvals: [Approval])
        -> (counted: [ActivityID: ActivityState], amendments: [(year: Int, op: Op)]) {
        var byActivity: [ActivityID: [Op]] = [:]
        for op in ops { byActivity[op.activity, default: []].append(op) }
        var counted: [ActivityID: ActivityState] = [:]
        var amendments: [(year: Int, op: Op)] = []
        for (id, ops) in byActivity {
            var live = ActivityState()
            for op in ops { MergeRules.apply(op, to: &live) }
            var left: Set<Int> = []
            for approval in approvals {
                var covered = ActivityState()
                for op in ops where approval.covers(op) { MergeRules.apply(op, to: &covered) }
                let prefix = "\(approval.year)-"
                guard covered[.date]?.hasPrefix(prefix) == true || live[.date]?.hasPrefix(prefix) == true else { continue }
                for (i, op) in ops.enumerated() where !approval.covers(op) && left.insert(i).inserted {
                    amendments.append((approval.year, op))
                }
            }
            var state = ActivityState()
            for (i, op) in ops.enumerated() where !left.contains(i) { MergeRules.apply(op, to: &state) }
            counted[id] = state
        }
        return (counted, amendments)
    }

    /// The townships whose tables a merge must recount: those with a step of the county's on
    /// them, among the ones whose activities the batch touched (an activity is its creating
    /// replica's township's, whatever the tables hold of it) or that the batch brought such a
    /// step for.
    static func townshipsToRecount(_ db: Database, touched: [ActivityID], steps: [Op]) throws -> Set<String> {
        var out = Set(steps.compactMap { YearClose.Step($0) }.filter { $0.action != .submit }.compactMap(\.township))
        guard !touched.isEmpty else { return out }
        let decided = Set(try String.fetchAll(db.cachedStatement(sql: "SELECT DISTINCT township FROM year_close WHERE action != 'submit' AND township IS NOT NULL")))
        guard !decided.isEmpty else { return out }
        var townshipOf: [Substring: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT lower(hex(id)), township FROM replica WHERE township IS NOT NULL") {
            let hex: String = row[0]
            townshipOf[hex.prefix(12)] = row[1]
        }
        for id in touched {
            if let township = townshipOf[id.rawValue.prefix(12)], decided.contains(township) { out.insert(township) }
        }
        return out
    }

    /// Sets the tables of each township to the fold of its counted operations.
    static func recount(_ db: Database, townships: Set<String>, rule: AcceptanceRule) throws {
        guard !townships.isEmpty else { return }
        var replicas = try ReplicaNumbers(db, known: [:])
        var cells = CellDeltas(catalog: rule.catalog)
        let load = try HotStatement(db, "SELECT \(fieldColumns), deleted FROM activity WHERE id = ?")
        let loadQuantities = try db.cachedStatement(sql: "SELECT metric, value FROM quantity WHERE activity = ?")
        let save = try HotStatement(db, """
            INSERT OR REPLACE INTO activity (id, \(fieldColumns), deleted)
            VALUES (\(Array(repeating: "?", count: 3 * Field.allCases.count + 2).joined(separator: ", ")))
            """)
        let clear = try db.cachedStatement(sql: "DELETE FROM quantity WHERE activity = ?")
        let remove = try db.cachedStatement(sql: "DELETE FROM activity WHERE id = ?")
        let put = try db.cachedStatement(sql: "INSERT INTO quantity (activity, metric, value) VALUES (?, ?, ?)")
        for township in townships.sorted() {
            let (counted, _) = count(try townshipOperations(db, township: township), approvals: try approvals(db, township: township))
            for (id, state) in counted {
                load.bind(1, id.rawValue)
                let stored = try load.step() ? activityState(load, &replicas) : nil
                load.reset()
                let held = try Row.fetchAll(loadQuantities, arguments: [id.rawValue])
                    .map { (metric: $0[0] as String, amount: $0[1] as Int64) }.filter { $0.amount != 0 }
                let now = state.quantities.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { (metric: $0.key, amount: $0.value) }
                var fields = state
                fields.quantities = [:]
                let same = stored == fields && held.sorted { $0.metric < $1.metric }.elementsEqual(now) { $0.metric == $1.metric && $0.amount == $1.amount }
                guard !same else { continue }
                if let stored, let before = cells.cell(of: stored) { cells.move(held, out: true, of: before) }
                try clear.execute(arguments: [id.rawValue])
                // An activity all of whose operations are amendments (recorded after the
                // approval) is not in the tables at all until they are accepted.
                guard !fields.fields.isEmpty || fields.deleted || !now.isEmpty else {
                    try remove.execute(arguments: [id.rawValue])
                    continue
                }
                if let after = cells.cell(of: fields) { cells.move(now, out: false, of: after) }
                try saveState(save, id, fields, &replicas)
                for (metric, amount) in now { try put.execute(arguments: [id.rawValue, metric, amount]) }
            }
        }
        try cells.write(db)
    }

    /// The years approved for `township` (its amendments are left out of them).
    public func approvedYears(township: String) throws -> Set<Int> {
        try read("year") { db in Set(try Self.approvals(db, township: township).map(\.year)) }
    }

    /// The operations left out of `year`'s approved figures, by township, oldest first.
    public func amendments(year: Int) throws -> [Amendment] {
        try read("amendments") { db in
            var out: [Amendment] = []
            let townships = try String.fetchAll(db, sql: "SELECT DISTINCT township FROM year_close WHERE year = ? AND action = 'approve' AND township IS NOT NULL",
                                                arguments: [year])
            for township in townships.sorted() {
                let approvals = try Self.approvals(db, township: township).filter { $0.year == year }
                guard !approvals.isEmpty else { continue }
                let ops = try Self.townshipOperations(db, township: township)
                let (counted, left) = Self.count(ops, approvals: approvals)
                var titles: [ActivityID: String] = [:]
                for op in ops { if case let .set(.title, title) = op.change, counted[op.activity]?[.title] == nil { titles[op.activity] = title } }
                for (_, op) in left {
                    out.append(Amendment(year: year, township: township, operation: op,
                                         title: counted[op.activity]?[.title] ?? titles[op.activity]))
                }
            }
            return out.sorted { ($0.township, $0.operation.timestamp.rawValue, $0.operation.seq) < ($1.township, $1.operation.timestamp.rawValue, $1.operation.seq) }
        }
    }

    /// The county accepts amendments of `year`: every one (of `townships`, or of all), or
    /// only those on `activities`.
    ///
    /// Accepting a township's every amendment is a new approval covering every operation of
    /// its replicas held here; accepting some is an `accept` step naming those operations.
    ///
    /// - Throws: `KtxError` `year-state` naming each of `activities` with no amendment
    ///   waiting (nothing is written then).
    /// - Returns: the townships whose amendments were accepted, and how many.
    @discardableResult
    public func acceptAmendments(year: Int, townships: Set<String>? = nil, activities: Set<ActivityID>? = nil) throws -> [String: Int] {
        let waiting = try amendments(year: year).filter {
            (townships?.contains($0.township) ?? true) && (activities?.contains($0.operation.activity) ?? true)
        }
        if let activities {
            let missing = activities.subtracting(waiting.map(\.operation.activity)).map(\.rawValue).sorted()
            guard missing.isEmpty else {
                throw KtxError(.noAmendments(year: year, activities: missing))
            }
        }
        let counts = Dictionary(grouping: waiting, by: \.township).mapValues(\.count)
        guard !counts.isEmpty else { return [:] }
        try writeLocal("accept") { db, batch in
            for township in counts.keys.sorted() {
                let target = YearClose.target(year: year, township: township)
                if activities != nil {
                    let refs = waiting.filter { $0.township == township }
                        .map { YearClose.OperationRef(replica: $0.operation.replica, seq: $0.operation.seq) }.sorted()
                    for start in stride(from: 0, to: refs.count, by: YearClose.acceptedPerStep) {
                        let part = Array(refs[start..<min(refs.count, start + YearClose.acceptedPerStep)])
                        batch.emit(target, YearClose.Step(action: .accept, year: year, township: township, accepted: part).change)
                    }
                    continue
                }
                var frontier: [ReplicaID: Int64] = [:]
                for op in try Self.townshipOperations(db, township: township) { frontier[op.replica] = max(frontier[op.replica] ?? 0, op.seq) }
                // What the approval covered stays covered (replicas whose later operations were
                // all of other kinds).
                for (replica, seq) in try Self.approvals(db, township: township).first(where: { $0.year == year })?.frontier ?? [:] {
                    frontier[replica] = max(frontier[replica] ?? 0, seq)
                }
                batch.emit(target, YearClose.Step(action: .approve, year: year, township: township, frontier: frontier).change)
            }
        }
        return counts
    }
}
