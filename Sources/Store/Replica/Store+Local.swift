import GRDB
import SyncCore

/// Local changes: each validates everything first, then appends its operations and
/// updates the materialized tables in the same transaction.
extension Store {
    /// Records a new activity of this replica's township.
    ///
    /// - Returns: the new activity's id.
    /// - Throws: `KtxError` for an unknown kind or metric, a bad date, an empty title
    ///   or a negative quantity; nothing is written then.
    @discardableResult
    public func record(_ draft: ActivityDraft) throws -> ActivityID {
        let activity = try prepare(draft)
        return try writeLocal("record") { _, batch in Self.emit(activity, into: &batch) }
    }

    /// Records many activities in one transaction: all or none.
    ///
    /// - Throws: ``DraftError`` naming the first draft that fails validation (by its
    ///   index); nothing is written then.
    @discardableResult
    public func recordAll(_ drafts: [ActivityDraft]) throws -> [ActivityID] {
        var prepared: [PreparedActivity] = []
        prepared.reserveCapacity(drafts.count)
        for (i, draft) in drafts.enumerated() {
            do { prepared.append(try prepare(draft)) } catch let error as KtxError { throw DraftError(index: i, error: error) }
        }
        guard !prepared.isEmpty else { return [] }
        return try writeLocal("import") { _, batch in prepared.map { Self.emit($0, into: &batch) } }
    }

    /// Checks a draft as `record` would, without writing anything.
    public func check(_ draft: ActivityDraft) throws { _ = try prepare(draft) }

    private func prepare(_ draft: ActivityDraft) throws -> PreparedActivity {
        let kind = try Validate.kind(draft.kind, catalog: catalog)
        let date = try Validate.date(draft.date)
        let title = draft.title.trimmingSpaces()
        try Validate.text(title, field: .title)
        let venue = draft.venue?.trimmingSpaces()
        if let venue { try Validate.text(venue, field: .venue, allowEmpty: true) }
        let project = draft.project?.trimmingSpaces()
        if let project { try Validate.text(project, field: .project, allowEmpty: true) }
        let notes = try draft.notes.map(Validate.notes)
        var amounts: [(Metric, Int64)] = []
        for (code, amount) in draft.quantities.sorted(by: { $0.key < $1.key }) {
            let metric = try Validate.metric(code, catalog: catalog)
            try Validate.amount(amount, metric: metric, allowNegative: false)
            if amount != 0 { amounts.append((metric, amount)) }
        }
        if let broken = catalog.brokenRules(draft.quantities).first {
            throw KtxError.ruleBroken(nil, metric: broken.metric, value: draft.quantities[broken.rule.metric, default: 0],
                                      atMost: broken.atMost, limit: draft.quantities[broken.rule.atMost, default: 0])
        }
        return PreparedActivity(kind: kind.code, date: date.description, title: title, venue: venue, project: project,
                                notes: notes, amounts: amounts)
    }

    private static func emit(_ a: PreparedActivity, into batch: inout LocalBatch) -> ActivityID {
        let id = ActivityID(replica: batch.replica, seq: batch.nextSeq)
        let changes = NewActivity.changes(township: batch.township, kind: a.kind, date: a.date, title: a.title, venue: a.venue,
                                          project: a.project, notes: a.notes, amounts: a.amounts.map { ($0.0.code, $0.1) })
        for change in changes { batch.emit(id, change) }
        return id
    }

    /// Adds to a quantity of an activity (negative for a correction).
    ///
    /// - Parameters:
    ///   - id: the activity.
    ///   - metricName: a metric code or Chinese name; attendance when omitted.
    ///   - amount: in stored units (fen for cost).
    /// - Returns: the new total this replica sees.
    /// - Throws: `KtxError` `negative-result` if the total this replica sees would go
    ///   below zero, and the usual unknown/deleted/other-township refusals.
    @discardableResult
    public func add(to id: ActivityID, metric metricName: String = "attendance", amount: Int64) throws -> Int64 {
        do {
            return try addAll([Addition(activity: id, metric: metricName, amount: amount)])[0]
        } catch let error as DraftError {
            throw error.error
        }
    }

    /// Adds to many quantities in one transaction, all or none: a day's attendance sheet.
    /// Each addition is checked as ``add(to:metric:amount:)`` checks it, against the totals
    /// the earlier ones in the list leave.
    ///
    /// - Returns: the new total this replica sees after each addition, in order.
    /// - Throws: ``DraftError`` naming the first addition refused, by its index; nothing
    ///   is written then.
    @discardableResult
    public func addAll(_ additions: [Addition]) throws -> [Int64] {
        var metrics: [Metric] = []
        metrics.reserveCapacity(additions.count)
        for (i, addition) in additions.enumerated() {
            do {
                let metric = try Validate.metric(addition.metric, catalog: catalog)
                try Validate.amount(addition.amount, metric: metric, allowNegative: true)
                metrics.append(metric)
            } catch let error as KtxError {
                throw DraftError(index: i, error: error)
            }
        }
        guard !additions.isEmpty else { return [] }
        return try writeLocal("attend") { db, batch in
            var running: [ActivityID: [String: Int64]] = [:]
            var totals: [Int64] = []
            totals.reserveCapacity(additions.count)
            let current = try db.cachedStatement(sql: "SELECT value FROM quantity WHERE activity = ? AND metric = ?")
            for (i, (addition, metric)) in zip(additions, metrics).enumerated() {
                let id = addition.activity
                do {
                    if running[id] == nil {
                        try Self.requireOwnLiveActivity(db, id, township: batch.township)
                    }
                    let held = try running[id]?[metric.code] ?? Int64.fetchOne(current, arguments: [id.rawValue, metric.code]) ?? 0
                    guard held + addition.amount >= 0 else {
                        throw KtxError.negativeResult(id.rawValue, metric: metric, current: held, change: addition.amount)
                    }
                    running[id, default: [:]][metric.code] = held + addition.amount
                    totals.append(held + addition.amount)
                } catch let error as KtxError {
                    throw DraftError(index: i, error: error)
                }
                if addition.amount != 0 { batch.emit(id, .add(metric: metric.code, amount: addition.amount)) }
            }
            // Rules between quantities: a change may not break one, nor widen a breach that
            // came from elsewhere (it may narrow it).
            for (id, changed) in running where !catalog.rules.isEmpty {
                let touched = catalog.rules.filter { changed[$0.metric] != nil || changed[$0.atMost] != nil }
                guard !touched.isEmpty else { continue }
                var before: [String: Int64] = [:]
                for code in Set(touched.flatMap { [$0.metric, $0.atMost] }) {
                    before[code] = try Int64.fetchOne(current, arguments: [id.rawValue, code]) ?? 0
                }
                let after = before.merging(changed) { _, new in new }
                for rule in touched where rule.excess(after) > rule.excess(before) {
                    guard let bounded = catalog.metric(code: rule.metric), let bound = catalog.metric(code: rule.atMost) else { continue }
                    let index = additions.lastIndex { $0.activity == id } ?? 0
                    throw DraftError(index: index, error: KtxError.ruleBroken(id.rawValue, metric: bounded, value: after[rule.metric, default: 0],
                                                                              atMost: bound, limit: after[rule.atMost, default: 0]))
                }
            }
            return totals
        }
    }

    /// Changes descriptive fields of an activity.
    public func edit(_ id: ActivityID, _ edit: ActivityEdit) throws {
        guard !edit.isEmpty else { throw KtxError.nothingToChange() }
        var sets: [(Field, String)] = []
        if let title = edit.title?.trimmingSpaces() {
            try Validate.text(title, field: .title)
            sets.append((.title, title))
        }
        if let date = edit.date { sets.append((.date, try Validate.date(date).description)) }
        if let venue = edit.venue?.trimmingSpaces() {
            try Validate.text(venue, field: .venue, allowEmpty: true)
            sets.append((.venue, venue))
        }
        if let kind = edit.kind { sets.append((.kind, try Validate.kind(kind, catalog: catalog).code)) }
        if let project = edit.project?.trimmingSpaces() {
            try Validate.text(project, field: .project, allowEmpty: true)
            sets.append((.project, project))
        }
        if let notes = edit.notes { sets.append((.notes, try Validate.notes(notes))) }
        try writeLocal("edit") { db, batch in
            try Self.requireOwnLiveActivity(db, id, township: batch.township)
            for (field, value) in sets { batch.emit(id, .set(field, value)) }
        }
    }

    /// Deletes an activity: it leaves every total on every replica once synced.
    public func delete(_ id: ActivityID) throws {
        try writeLocal("delete") { db, batch in
            try Self.requireOwnLiveActivity(db, id, township: batch.township)
            batch.emit(id, .delete)
        }
    }

    /// Brings a deleted activity of this township back as a new activity with the same
    /// fields and quantities (a delete is for good on every replica; this is its undo).
    ///
    /// - Returns: the new activity's id.
    /// - Throws: `KtxError` `unknown-activity`, `not-deleted`, `other-township`, or the
    ///   checks `record` makes.
    @discardableResult
    public func restore(_ id: ActivityID) throws -> ActivityID {
        guard let old = try activity(id) else { throw KtxError.unknownActivity(id.rawValue) }
        guard old.deleted else {
            throw KtxError(.notDeleted(id.rawValue))
        }
        let mine = try identity().township
        if let owner = old.township, owner != mine { throw KtxError.otherTownship(id.rawValue, owner: owner, mine: mine) }
        if let earlier = try restoredAs(id), try activity(earlier)?.deleted == false {
            throw KtxError(.restoredAlready(id.rawValue, as: earlier.rawValue))
        }
        guard let kind = old.kind, let date = old.date, let title = old.title else { throw KtxError.unknownActivity(id.rawValue) }
        let draft = try prepare(ActivityDraft(kind: kind, date: date, title: title, venue: old.venue, project: old.project,
                                              notes: old.notes, quantities: old.quantities.filter { catalog.metric(code: $0.key) != nil && $0.value > 0 }))
        let now = wallClock.nowMillis()
        return try writeLocal("restore") { db, batch in
            let new = Self.emit(draft, into: &batch)
            try db.execute(sql: "INSERT OR REPLACE INTO restored (old, new, restored_at) VALUES (?, ?, ?)",
                           arguments: [id.rawValue, new.rawValue, now])
            return new
        }
    }

    /// The activity a deleted one was restored as on this replica, if it was.
    public func restoredAs(_ id: ActivityID) throws -> ActivityID? {
        try read("restored") { db in
            try String.fetchOne(db, sql: "SELECT new FROM restored WHERE old = ?", arguments: [id.rawValue]).flatMap(ActivityID.init(parsing:))
        }
    }

    /// The deleted activity this one was restored from on this replica, if it was.
    public func restoredFrom(_ id: ActivityID) throws -> ActivityID? {
        try read("restored") { db in
            try String.fetchOne(db, sql: "SELECT old FROM restored WHERE new = ?", arguments: [id.rawValue]).flatMap(ActivityID.init(parsing:))
        }
    }

    static func requireOwnLiveActivity(_ db: Database, _ id: ActivityID, township: String) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT township, deleted FROM activity WHERE id = ?"),
                                         arguments: [id.rawValue])
        else { throw KtxError.unknownActivity(id.rawValue) }
        if row["deleted"] as Bool { throw KtxError.activityDeleted(id.rawValue) }
        let owner: String? = row["township"]
        guard let owner else { throw KtxError.unknownActivity(id.rawValue) }
        guard owner == township else { throw KtxError.otherTownship(id.rawValue, owner: owner, mine: township) }
    }

    /// Runs `body` in a write transaction with a batch that issues this replica's next
    /// operations, then merges them exactly as remote operations are merged.
    func writeLocal<T>(_ what: String, checkingRights: Bool = true, _ body: (Database, inout LocalBatch) throws -> T) throws -> T {
        try write(what) { db in
            guard var me = try SelfRow.fetch(db) else { throw KtxError.notInitialized(path) }
            try Self.requireReadableTail(db, me)
            let now = wallClock.nowMillis()
            // A clock that ran ahead (a PC clock set wrong, then fixed) dates nothing more.
            if me.clock.millis > now + ClockPolicy.maxSkewMillis, try repairClockLocked(db, now: now) != nil {
                me = try SelfRow.fetch(db) ?? me
            }
            // When the PC's clock is not past the replica's, the next stamps would follow the last
            // one exactly, and two copies of this database would record operations identical to
            // the bit (same id, seq, stamp, value), hiding where they part: the clock moves on by
            // a random part of a millisecond first. (Past it, the stamp is the PC's time.)
            var last = me.clock
            if last.millis >= now { last = HLCTimestamp(rawValue: last.rawValue + Int64.random(in: 1...0xFFF)) }
            var batch = LocalBatch(replica: me.replica, township: me.township ?? "", nextSeq: me.maxSeq + 1,
                                   clock: HybridClock(last: last), now: now)
            let result = try body(db, &batch)
            // The rights every receiver checks (``Roster/rights(of:signer:)``), checked here
            // first: what a receiver would refuse is never written (a township's PC setting
            // an indicator value). A replica that does not know its role yet writes as a
            // township's.
            let role = me.role ?? .township
            let ownerOf = try db.cachedStatement(sql: "SELECT township FROM activity WHERE id = ?")
            for op in batch.operations where checkingRights {
                let rights = Roster.rights(of: op, role: role, township: batch.township, replica: me.replica.hex) { _ in
                    try? String.fetchOne(ownerOf, arguments: [op.activity.rawValue])
                }
                if case let .refused(reason) = rights {
                    throw KtxError.outsideRights(reason, township: batch.township, roleKnown: me.role != nil)
                }
            }
            if !batch.operations.isEmpty {
                // The same rule as every other way in; input validation should have caught
                // anything it refuses, so a refusal here is refused as bad input all the same.
                let outcome = try mergeLocked(db, batch.operations, townships: [:], source: what, checksSignatures: false)
                if let refusal = outcome.refused.first { throw KtxError.refusedLocally(refusal.reason) }
            }
            return result
        }
    }
}

/// The operations one local change issues, numbered and timestamped in order.
struct LocalBatch {
    let replica: ReplicaID
    let township: String
    var nextSeq: Int64
    var clock: HybridClock
    let now: Int64
    var operations: [Op] = []

    mutating func emit(_ activity: ActivityID, _ change: Change) {
        let op = Op(replica: replica, seq: nextSeq, timestamp: clock.tick(now: now), activity: activity, change: change)
        nextSeq += 1
        operations.append(op)
    }
}

/// A draft checked and normalised, ready to be written.
private struct PreparedActivity {
    var kind: String
    var date: String
    var title: String
    var venue: String?
    var project: String?
    var notes: String?
    var amounts: [(Metric, Int64)]
}

/// One addition of ``Store/addAll(_:)``.
public struct Addition: Sendable, Hashable {
    /// The activity added to.
    public var activity: ActivityID
    /// A metric code or Chinese name.
    public var metric: String
    /// In stored units (fen for cost); negative for a correction.
    public var amount: Int64

    /// An addition to one quantity of an activity; attendance unless `metric` says otherwise.
    public init(activity: ActivityID, metric: String = "attendance", amount: Int64) {
        self.activity = activity
        self.metric = metric
        self.amount = amount
    }
}

/// A draft of ``Store/recordAll(_:)`` or an addition of ``Store/addAll(_:)`` that was refused.
public struct DraftError: Error, Sendable {
    /// Its position in the drafts, from 0.
    public var index: Int
    /// Why it was refused.
    public var error: KtxError
}
