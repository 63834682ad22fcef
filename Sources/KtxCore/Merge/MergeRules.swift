/// The order of two writes to the same descriptive field.
///
/// A write with a later hybrid logical clock timestamp wins; when the timestamps are
/// equal, the write from the replica with the larger id (compared byte by byte) wins.
/// Two distinct writes never compare equal, because one replica never issues the same
/// timestamp twice, so every replica picks the same winner.
public struct Stamp: Hashable, Comparable, Sendable {
    /// When the write was made.
    public var timestamp: HLCTimestamp
    /// Who made it: the tie-break.
    public var replica: ReplicaID

    /// The stamp of an operation: its timestamp and the replica that made it.
    public init(timestamp: HLCTimestamp, replica: ReplicaID) {
        self.timestamp = timestamp
        self.replica = replica
    }

    /// Orders by timestamp, then by replica id: the greater stamp's value holds.
    public static func < (lhs: Stamp, rhs: Stamp) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        return lhs.replica < rhs.replica
    }
}

/// A last-writer-wins register: the value of a field and the stamp of the write that set it.
public struct Register: Hashable, Sendable {
    /// The field's value.
    public var value: String
    /// The stamp of the operation that set it.
    public var stamp: Stamp

    /// A value and the stamp that set it.
    public init(value: String, stamp: Stamp) {
        self.value = value
        self.stamp = stamp
    }
}

/// The merged state of one activity: what every replica holding the same operations sees.
public struct ActivityState: Hashable, Sendable {
    /// The winning write of each descriptive field written so far.
    public var fields: [Field: Register] = [:]
    /// The sum of every addition to each quantity, by metric code.
    public var quantities: [String: Int64] = [:]
    /// Whether any replica deleted the activity.
    public var deleted = false

    /// A state; empty by default (an activity nothing has happened to).
    public init(fields: [Field: Register] = [:], quantities: [String: Int64] = [:], deleted: Bool = false) {
        self.fields = fields
        self.quantities = quantities
        self.deleted = deleted
    }

    /// The value of a field, nil if never written.
    public subscript(field: Field) -> String? { fields[field]?.value }
}

/// The merge rules, as pure functions. Every rule is commutative, associative and
/// idempotent over a set of distinct operations, so a replica's state depends only on
/// the set of operations it holds, never on their order of arrival:
///
/// - **Descriptive fields** (title, date, venue, kind, project, township): last writer
///   wins by ``Stamp``: the later timestamp, then the larger replica id.
/// - **Quantities** (attendance, beneficiaries, schools, …): counters; the value is the
///   sum of every addition, so concurrent additions all count and a correction is a
///   negative addition.
/// - **Delete**: once any replica deletes an activity it is deleted everywhere; it leaves
///   every total, including additions made concurrently. Its operations stay in the log.
///
/// Duplicates are the caller's concern: the store drops an operation whose
/// `(replica, seq)` it already holds before it reaches these functions.
public enum MergeRules {
    /// The register that wins between the current one and an incoming write.
    public static func winner(_ current: Register?, _ incoming: Register) -> Register {
        guard let current else { return incoming }
        return incoming.stamp > current.stamp ? incoming : current
    }

    /// Applies one operation to an activity's state.
    public static func apply(_ operation: Op, to state: inout ActivityState) {
        switch operation.change {
        case let .set(field, value):
            state.fields[field] = winner(state.fields[field], Register(value: value, stamp: operation.stamp))
        case let .add(metric, amount):
            state.quantities[metric, default: 0] += amount
        case .delete:
            state.deleted = true
        case .indicator:
            break // an indicator value is not part of any activity
        case .newerField:
            break // kept in the log for the ktx that knows the field
        }
    }

    /// Folds the field writes and the delete of one activity of a batch, not its
    /// additions: what the store keeps per activity row (quantities have their own rows).
    public static func apply(fieldsOf activity: BatchDelta.Slot, in batch: BatchDelta, to state: inout ActivityState) {
        for field in Field.allCases {
            if let register = batch.register(activity, field) {
                state.fields[field] = winner(state.fields[field], register)
            }
        }
        if batch.isDeleted(activity) { state.deleted = true }
    }
}

/// The net effect of a batch of operations: per touched activity, the winning write of
/// each field within the batch, the net addition to each quantity and whether it is
/// deleted; and the winning write of each manual indicator value (last writer wins, as
/// fields). Merging through it writes each touched activity once, however many
/// operations touched it.
///
/// Held as flat arrays (one slot per activity, a fixed place per field, additions in a
/// shared list), not as dictionaries per activity: a pull coalesces hundreds of
/// thousands of activities before it writes them, and memory bounds how many.
public struct BatchDelta: Sendable {
    /// An activity's place in the batch.
    public typealias Slot = Int

    private static let fieldCount = Field.allCases.count

    /// The touched activities, by slot.
    public private(set) var ids: [ActivityID] = []
    private var slots: [ActivityID: Int32] = [:]
    /// `fieldCount` registers per slot, in `Field.allCases` order.
    private var registers: [Register?] = []
    private var deleted: [Bool] = []
    /// Per slot, the first of its additions in `additions` (-1: none).
    private var firstAddition: [Int32] = []
    private var additions: [(metric: Int32, amount: Int64, next: Int32)] = []
    private var metrics: [String] = []
    private var metricSlots: [String: Int32] = [:]
    /// By indicator key (``IndicatorKey/rawValue``).
    public private(set) var indicators: [String: Register] = [:]
    /// The county's notes (偏差原因) by indicator key.
    public private(set) var indicatorNotes: [String: Register] = [:]
    /// The steps of the year's close (submit, approve, return), as they arrived.
    public private(set) var yearCloseSteps: [Op] = []
    /// Whether a net addition went beyond what 64 bits hold (the store then refuses the
    /// batch rather than write a wrapped sum).
    public private(set) var overflowed = false

    /// An empty batch.
    public init() {}

    /// An empty batch with room for `activities` activities: growing the arrays later would
    /// copy them, holding the old and the new at once. (Room not used yet costs address
    /// space, not memory: the pages are not touched.)
    public init(reservingActivities activities: Int) {
        ids.reserveCapacity(activities)
        slots.reserveCapacity(activities)
        registers.reserveCapacity(activities * Self.fieldCount)
        deleted.reserveCapacity(activities)
        firstAddition.reserveCapacity(activities)
    }

    /// A batch of these operations, in any order.
    public init(_ operations: some Sequence<Op>) {
        for op in operations { absorb(op) }
    }

    /// How many activities the batch touches.
    public var activityCount: Int { ids.count }

    /// How many activities the batch has room for before any of its arrays grows (growing
    /// one copies it: the old and the new are held at once).
    public var activityCapacity: Int {
        min(ids.capacity, slots.capacity, registers.capacity / Self.fieldCount, deleted.capacity, firstAddition.capacity)
    }

    /// Folds one more operation into the batch.
    public mutating func absorb(_ op: Op) {
        if case let .indicator(value) = op.change {
            let key = op.activity.rawValue
            indicators[key] = MergeRules.winner(indicators[key], Register(value: value, stamp: op.stamp))
            return
        }
        if case .newerField = op.change {
            // Kept in the log only, but for the steps of the year's close, which the store keeps.
            if YearClose.names(op) { yearCloseSteps.append(op) }
            return
        }
        if case let .set(.notes, value) = op.change, op.targetsIndicator {
            let key = op.activity.rawValue
            indicatorNotes[key] = MergeRules.winner(indicatorNotes[key], Register(value: value, stamp: op.stamp))
            return
        }
        let slot = slot(of: op.activity)
        switch op.change {
        case let .set(field, value):
            let i = slot * Self.fieldCount + field.index
            registers[i] = MergeRules.winner(registers[i], Register(value: value, stamp: op.stamp))
        case let .add(metric, amount):
            add(amount, metric: metric, to: slot)
        case .delete:
            deleted[slot] = true
        case .indicator, .newerField:
            break
        }
    }

    private mutating func slot(of id: ActivityID) -> Int {
        if let slot = slots[id] { return Int(slot) }
        let slot = ids.count
        slots[id] = Int32(slot)
        ids.append(id)
        registers.append(contentsOf: repeatElement(nil, count: Self.fieldCount))
        deleted.append(false)
        firstAddition.append(-1)
        return slot
    }

    private mutating func add(_ amount: Int64, metric: String, to slot: Int) {
        // Metric codes are few: a scan of the first ones costs less than hashing.
        let m: Int32
        if let known = metrics.prefix(16).firstIndex(of: metric) {
            m = Int32(known)
        } else if let known = metricSlots[metric] {
            m = known
        } else {
            m = Int32(metrics.count)
            metrics.append(metric)
            metricSlots[metric] = m
        }
        var entry = firstAddition[slot]
        while entry >= 0 {
            if additions[Int(entry)].metric == m {
                let (sum, overflow) = additions[Int(entry)].amount.addingReportingOverflow(amount)
                additions[Int(entry)].amount = sum
                if overflow { overflowed = true }
                return
            }
            entry = additions[Int(entry)].next
        }
        additions.append((m, amount, firstAddition[slot]))
        firstAddition[slot] = Int32(additions.count - 1)
    }

    /// The winning write of a field within the batch, nil if the batch does not write it.
    public func register(_ slot: Slot, _ field: Field) -> Register? {
        registers[slot * Self.fieldCount + field.index]
    }

    /// Whether the batch deletes the activity.
    public func isDeleted(_ slot: Slot) -> Bool { deleted[slot] }

    /// The net addition to each quantity of the activity, by metric code.
    public func additions(_ slot: Slot) -> [(metric: String, amount: Int64)] {
        var out: [(metric: String, amount: Int64)] = []
        var entry = firstAddition[slot]
        while entry >= 0 {
            let a = additions[Int(entry)]
            out.append((metrics[Int(a.metric)], a.amount))
            entry = a.next
        }
        return out
    }

    /// Whether the batch adds anything to the activity's quantities.
    public func hasAdditions(_ slot: Slot) -> Bool { firstAddition[slot] >= 0 }

    /// Every slot, ordered by activity id (the order of the store's activity rows, so
    /// writing them in this order touches each page of the table once).
    public func slotsByID() -> [Slot] {
        ids.indices.sorted { ids[$0].rawValue < ids[$1].rawValue }
    }
}
