import Foundation
import GRDB
import SyncCore

/// The year's close (issue 30): a township's PC submits a year, the county approves or returns
/// it. Each step is an operation of this replica's (`YearClose`), checked by the rights every
/// receiver applies before it is written, and kept in `year_close` when it is merged here or
/// anywhere; where a (year, township) stands is folded from those rows.
extension Store {
    /// A (year, township) as this replica sees it.
    public struct YearStanding: Sendable, Equatable {
        /// The year.
        public var year: Int
        /// The township.
        public var township: String
        /// Where it stands: folded from every step of its close held here.
        public var standing: YearClose.Standing
        /// Operations of the township's replicas the latest submit covers.
        public var submittedOperations: Int64
        /// The township's activities dated in the year, and their attendance, as this replica
        /// holds them now.
        public var activities: Int
        /// The total 参加人次 of those activities.
        public var attendance: Int64
    }

    /// Keeps the steps of the year's close a merged batch holds (a step met twice is kept once).
    static func keepYearCloseSteps(_ db: Database, _ steps: [Op]) throws {
        guard !steps.isEmpty else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO year_close (replica, seq, hlc, action, year, township, frontier, reason)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var replicas = try ReplicaNumbers(db, known: [:])
        for op in steps {
            // The acceptance rule let only well-formed steps in; one that is not stays in the log.
            guard let step = YearClose.Step(op) else { continue }
            let frontier = step.action == .accept
                ? step.accepted.sorted().map(\.description).joined(separator: " ")
                : step.frontier.sorted { $0.key < $1.key }.map { "\($0.key.hex):\($0.value)" }.joined(separator: " ")
            try insert.execute(arguments: [try replicas.num(op.replica), op.seq, op.timestamp.rawValue, step.action.rawValue,
                                           step.year, step.township, frontier, step.reason])
        }
    }

    /// Migration 0020's Swift step: the steps already in the log (an earlier ktx kept a newer
    /// one's steps without reading them).
    static func collectYearClose(_ db: Database) throws {
        var steps: [Op] = []
        try forEachChunk(db) { ops in steps += ops.filter(YearClose.names) }
        try keepYearCloseSteps(db, steps)
    }

    /// Every step held for `year`, by township, as events.
    static func yearCloseEvents(_ db: Database, year: Int) throws -> [String: [YearClose.Event]] {
        var out: [String: [YearClose.Event]] = [:]
        let rows = try Row.fetchAll(db, sql: """
            SELECT y.action, y.year, coalesce(y.township, r.township), y.frontier, y.reason, y.hlc, r.id, y.seq
            FROM year_close y JOIN replica r ON r.num = y.replica WHERE y.year = ?
            """, arguments: [year])
        for row in rows {
            guard let action = YearClose.Action(rawValue: row[0]), let township: String = row[2],
                  let replica = ReplicaID(bytes: row[6] as Data) else { continue }
            let words = (row[3] as String).split(separator: " ")
            let step = action == .accept
                ? YearClose.Step(action: action, year: row[1], township: township, accepted: YearClose.operations(words) ?? [])
                : YearClose.Step(action: action, year: row[1], township: township, frontier: YearClose.frontier(words) ?? [:], reason: row[4])
            out[township, default: []].append(YearClose.Event(step: step, township: township,
                                                              stamp: Stamp(timestamp: HLCTimestamp(rawValue: row[5]), replica: replica),
                                                              seq: row[7]))
        }
        return out
    }

    /// Where each township stands for `year`: every township this replica knows of (its
    /// replicas', its activities', and any named by a step), the county's office left out,
    /// with its live activities of the year and their attendance (one pass over them).
    public func yearStandings(_ year: Int) throws -> [YearStanding] {
        try read("year") { db in
            var counts: [String: (activities: Int, attendance: Int64)] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT a.township, count(*), coalesce(sum(q.value), 0) FROM activity a
                LEFT JOIN quantity q ON q.activity = a.id AND q.metric = 'attendance'
                WHERE a.township IS NOT NULL AND a.deleted = 0 AND a.date LIKE ?
                GROUP BY a.township
                """, arguments: ["\(year)-%"]) {
                counts[row[0]] = (row[1], row[2])
            }
            return try Self.standings(db, year: year, counts: counts)
        }
    }

    /// ``yearStandings(_:)`` without counting activities (their counts are 0): the townships
    /// with activities in the year come from the kept totals. What a report's approval line
    /// needs, at the cost of one index read.
    public func yearStates(_ year: Int) throws -> [YearStanding] {
        try read("year") { db in
            var counts: [String: (activities: Int, attendance: Int64)] = [:]
            for township in try String.fetchAll(db, sql: "SELECT DISTINCT township FROM total_cell WHERE month LIKE ? AND metric = '' AND value > 0",
                                                arguments: ["\(year)-%"]) {
                counts[township] = (0, 0)
            }
            return try Self.standings(db, year: year, counts: counts)
        }
    }

    /// Every township known here with its standing for `year` and the counts given.
    static func standings(_ db: Database, year: Int, counts: [String: (activities: Int, attendance: Int64)]) throws -> [YearStanding] {
        let events = try Self.yearCloseEvents(db, year: year)
        var townships = Set(events.keys).union(counts.keys)
        townships.formUnion(try String.fetchAll(db, sql: "SELECT DISTINCT township FROM replica WHERE township IS NOT NULL"))
        townships.subtract(try Self.countyTownships(db))
        return townships.sorted().map { township in
            let standing = YearClose.Standing(events[township] ?? [])
            let covered = standing.submitted?.step.frontier.values.reduce(0, +) ?? 0
            return YearStanding(year: year, township: township, standing: standing, submittedOperations: covered,
                                activities: counts[township]?.activities ?? 0, attendance: counts[township]?.attendance ?? 0)
        }
    }

    /// The townships of the county's office: its own replica's, when this is a county PC,
    /// and those of replicas that wrote the county's steps or indicator values.
    static func countyTownships(_ db: Database) throws -> Set<String> {
        var out = Set(try String.fetchAll(db, sql: """
            SELECT DISTINCT r.township FROM year_close y JOIN replica r ON r.num = y.replica
            WHERE y.action != 'submit' AND r.township IS NOT NULL
            UNION SELECT DISTINCT r.township FROM indicator_value v JOIN replica r ON r.id = v.by WHERE r.township IS NOT NULL
            """))
        if let me = try SelfRow.fetch(db), me.role == .county, let township = me.township { out.insert(township) }
        return out
    }

    /// Submits this PC's township's `year`: one operation covering every operation of its
    /// township's replicas this PC holds (their seqs so far).
    ///
    /// - Throws: `KtxError` `township-only` on a county PC (it approves; it does not submit).
    /// - Returns: the frontier it covers.
    @discardableResult
    public func submitYear(_ year: Int) throws -> [ReplicaID: Int64] {
        try writeLocal("submit") { db, batch in
            var frontier: [ReplicaID: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, max_seq FROM replica WHERE township = ? AND max_seq > 0",
                                        arguments: [batch.township]) {
                if let replica = ReplicaID(bytes: row[0] as Data) { frontier[replica] = row[1] }
            }
            // Its own operations up to the submit itself.
            frontier[batch.replica] = batch.nextSeq - 1
            let target = ActivityID(replica: batch.replica, seq: batch.nextSeq)
            batch.emit(target, YearClose.Step(action: .submit, year: year, frontier: frontier).change)
            return frontier
        }
    }

    /// The county approves `township`'s `year` as its latest submit covers it.
    ///
    /// - Throws: `KtxError` `bad-input` when the township has not submitted the year (or was
    ///   returned and has not submitted again), or is approved already.
    public func approveYear(_ year: Int, township: String) throws {
        try writeLocal("approve") { db, batch in
            let standing = YearClose.Standing(try Self.yearCloseEvents(db, year: year)[township] ?? [])
            switch standing.state {
            case .submitted:
                let frontier = standing.submitted?.step.frontier ?? [:]
                batch.emit(YearClose.target(year: year, township: township),
                           YearClose.Step(action: .approve, year: year, township: township, frontier: frontier).change)
            case .approved:
                throw KtxError(.approvedAlready(year: year, township: township))
            case .notSubmitted, .returned:
                throw KtxError(.notSubmitted(year: year, township: township))
            }
        }
    }

    /// The county closes its own `year`: every township this replica knows of is approved.
    public func approveCountyYear(_ year: Int) throws {
        let pending = try yearStandings(year).filter { $0.standing.state != .approved }
        guard pending.isEmpty else {
            let names = pending.map(\.township)
            throw KtxError(.townshipsNotApproved(year: year, townships: names))
        }
        try writeLocal("approve") { db, batch in
            var frontier: [ReplicaID: Int64] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, max_seq FROM replica WHERE max_seq > 0") {
                if let replica = ReplicaID(bytes: row[0] as Data) { frontier[replica] = row[1] }
            }
            batch.emit(YearClose.target(year: year, township: batch.township),
                       YearClose.Step(action: .approve, year: year, township: batch.township, frontier: frontier).change)
        }
    }

    /// Whether the county's own `year` is closed (approved on this replica).
    public func countyYearClosed(_ year: Int) throws -> Bool {
        try read("year") { db in
            let events = try Self.yearCloseEvents(db, year: year)
            return try Self.countyTownships(db).contains { YearClose.Standing(events[$0] ?? []).state == .approved }
        }
    }

    /// The county returns `township`'s `year` to it, saying why.
    public func returnYear(_ year: Int, township: String, reason text: String) throws {
        let reason = try Validate.notes(text)
        guard !reason.isEmpty else { throw KtxError.missingField(.reason) }
        try writeLocal("return") { db, batch in
            let standing = YearClose.Standing(try Self.yearCloseEvents(db, year: year)[township] ?? [])
            guard standing.state == .submitted || standing.state == .approved else {
                throw KtxError(.nothingToReturn(year: year, township: township))
            }
            batch.emit(YearClose.target(year: year, township: township),
                       YearClose.Step(action: .returned, year: year, township: township, reason: reason).change)
        }
    }
}

extension Store {
    /// The years some step of the year's close is held for, newest first.
    public func yearsWithSteps() throws -> [Int] {
        try read("year") { db in try Int.fetchAll(db, sql: "SELECT DISTINCT year FROM year_close ORDER BY year DESC") }
    }
}

extension Store {
    /// Writes a step of the year's close as it is, `checkingRights: false` as a ktx that did not
    /// check rights would: for tests of what every receiver does with a step outside its
    /// writer's rights. The submit's target is a new id of this replica's unless given.
    func writeYearStep(_ step: YearClose.Step, target: ActivityID? = nil, checkingRights: Bool) throws {
        try writeLocal("year", checkingRights: checkingRights) { _, batch in
            let on = target ?? (step.action == .submit ? ActivityID(replica: batch.replica, seq: batch.nextSeq)
                                                        : YearClose.target(year: step.year, township: step.township ?? ""))
            batch.emit(on, step.change)
        }
    }
}
