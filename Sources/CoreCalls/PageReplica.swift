import KtxCore

/// The replica a page keeps: its identity, its clock, every operation it holds (its own and
/// those pulled) and the activities they make. The page keeps the bytes (IndexedDB) and the
/// keys (WebCrypto); this keeps the rules: what a clerk's entry becomes, what the acceptance
/// rule takes, how operations merge, and the packed forms that travel.
public final class PageReplica {
    /// This page's replica.
    public let me: ReplicaID
    /// Its township: every activity it records is this township's.
    public let township: String
    let rule: AcceptanceRule
    var clock: HybridClock
    /// Each replica's operations held, in seq order from 1 (a replica's log has no gaps).
    var logs: [ReplicaID: [Op]] = [:]
    var townships: [ReplicaID: String] = [:]
    var states: [ActivityID: ActivityState] = [:]

    /// A replica of `township` with the catalog's metrics, its clock resumed from `clock`.
    public init(me: ReplicaID, township: String, catalog: Catalog, clock: HLCTimestamp) {
        self.me = me
        self.township = township
        self.rule = AcceptanceRule(catalog: catalog)
        self.clock = HybridClock(last: clock)
    }

    /// The last seq held of a replica.
    public func held(_ replica: ReplicaID) -> Int64 { logs[replica]?.last?.seq ?? 0 }

    /// What this replica holds, as a version vector.
    public var vector: VersionVector {
        var vector = VersionVector()
        for (replica, ops) in logs { if let last = ops.last { vector[replica] = last.seq } }
        return vector
    }

    /// Why a run could not be taken.
    public enum Refused: Error, Equatable {
        /// It starts after seqs this replica lacks.
        case gap(held: Int64)
        /// The acceptance rule refused the operation with this seq (its later ones wait).
        case rule(seq: Int64, RefusalReason)
    }

    /// Takes a run of a replica's operations (from the page's store, or a pulled page): those
    /// past what is held, in order, up to the first the rule refuses. Returns how many were new.
    @discardableResult
    public func take(_ ops: [Op], of replica: ReplicaID, township: String?) throws(Refused) -> Int {
        var held = self.held(replica)
        if let township { townships[replica] = township }
        guard let first = ops.first else { return 0 }
        guard first.seq <= held + 1 else { throw .gap(held: held) }
        var taken = 0
        for op in ops where op.seq > held {
            if let reason = rule.check(op) { throw .rule(seq: op.seq, reason) }
            logs[replica, default: []].append(op)
            if !op.targetsIndicator { MergeRules.apply(op, to: &states[op.activity, default: ActivityState()]) }
            clock.observe(op.timestamp)
            held = op.seq
            taken += 1
        }
        return taken
    }

    /// Writes this replica's operations for `changes` to one activity (a new one when `activity`
    /// is nil), dated by the clock at wall time `now`; the rule checks each before any is kept.
    public func write(_ changes: [Change], activity: ActivityID?, now: Int64) throws(Refused) -> (activity: ActivityID, ops: [Op]) {
        var next = held(me) + 1
        let target = activity ?? ActivityID(replica: me, seq: next)
        var probe = clock
        var ops: [Op] = []
        for change in changes {
            let op = Op(replica: me, seq: next, timestamp: probe.tick(now: now), activity: target, change: change)
            if let reason = rule.check(op) { throw .rule(seq: op.seq, reason) }
            ops.append(op)
            next += 1
        }
        try take(ops, of: me, township: township)
        return (target, ops)
    }

    /// Dates this replica's operations from seq `first` on again, by a clock at wall time `now`
    /// (the hub's): a browser whose clock ran ahead wrote them with dates the hub refuses, and
    /// nobody else holds them yet (they were never pushed), so they can be dated again. The
    /// clock restarts from the newest operation held that is not ahead of `now`. Returns them.
    public func restamp(from first: Int64, now: Int64) -> [Op] {
        var last = HLCTimestamp.zero
        for (replica, ops) in logs {
            for op in ops where (replica != me || op.seq < first) && op.timestamp.millis <= now && op.timestamp > last {
                last = op.timestamp
            }
        }
        clock = HybridClock(last: last)
        var own = logs[me] ?? []
        for i in own.indices where own[i].seq >= first {
            own[i].timestamp = clock.tick(now: now)
        }
        logs[me] = own
        // The fields' winners may change with the new dates: the states are made again.
        states = [:]
        for ops in logs.values {
            for op in ops where !op.targetsIndicator { MergeRules.apply(op, to: &states[op.activity, default: ActivityState()]) }
        }
        return own.filter { $0.seq >= first }
    }

    /// This replica's operations from seq `first` on.
    public func own(from first: Int64) -> [Op] { (logs[me] ?? []).filter { $0.seq >= first } }

    /// Every activity held, by id, with its state.
    public var activities: [(ActivityID, ActivityState)] {
        states.keys.sorted().compactMap { id in states[id].map { (id, $0) } }
    }

    /// The report cells of `year` over this township's live activities dated from January to the
    /// end of `throughMonth`, as a PC's `Store.reportCells` reads them from its totals: one cell
    /// per (kind, budget project, month), activities without a kind left out, sums of every
    /// quantity that is not zero, and the largest single value of each metric in `maxima`.
    public func reportCells(year: Int, throughMonth: Int, maxima: Set<String>) -> [ReportCell] {
        var cells: [ReportCell] = []
        var slots: [String: Int] = [:]
        let prefix = year < 1000 || year > 9999 ? nil : String(year) + "-"
        for (_, state) in activities where !state.deleted && state[.township] == township {
            guard let prefix, let date = state[.date], date.hasPrefix(prefix), let kind = state[.kind], !kind.isEmpty else { continue }
            let digits = Array(date.utf8.dropFirst(5).prefix(2))
            guard digits.count == 2, let month = Int(String(decoding: digits, as: UTF8.self)), (1...throughMonth).contains(month) else { continue }
            let project = state[.project] ?? ""
            let key = kind + "\u{0}" + project + "\u{0}" + String(month)
            let slot: Int
            if let found = slots[key] {
                slot = found
            } else {
                slot = cells.count
                slots[key] = slot
                cells.append(ReportCell(kind: kind, project: project, month: month, activities: 0, sums: [:], maxima: [:]))
            }
            cells[slot].activities += 1
            for (metric, value) in state.quantities {
                if value != 0 { cells[slot].sums[metric, default: 0] += value }
                if maxima.contains(metric) { cells[slot].maxima[metric] = Swift.max(cells[slot].maxima[metric] ?? value, value) }
            }
        }
        // A sum that came back to zero is no cell entry (`county_cell` keeps no zero row).
        for i in cells.indices { cells[i].sums = cells[i].sums.filter { $0.value != 0 } }
        return cells
    }
}
