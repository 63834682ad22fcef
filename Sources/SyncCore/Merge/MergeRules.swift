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

    public init(timestamp: HLCTimestamp, replica: ReplicaID) {
        self.timestamp = timestamp
        self.replica = replica
    }

    public static func < (lhs: Stamp, rhs: Stamp) -> Bool {
        if lhs.timestamp != rhs.timestamp { return lhs.timestamp < rhs.timestamp }
        return lhs.replica < rhs.replica
    }
}

/// A last-writer-wins register: the value of a field and the stamp of the write that set it.
public struct Register: Hashable, Sendable {
    public var value: String
    public var stamp: Stamp

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
        }
    }

    /// Folds an already-coalesced delta into an activity's state: the same result as
    /// applying, one by one, the operations the delta was made from.
    public static func apply(_ delta: ActivityDelta, to state: inout ActivityState) {
        apply(fieldsOf: delta, to: &state)
        for (metric, amount) in delta.additions {
            state.quantities[metric, default: 0] += amount
        }
    }

    /// Folds the field writes and the delete of a delta, not its additions: what the
    /// store keeps per activity row (quantities have their own rows).
    public static func apply(fieldsOf delta: ActivityDelta, to state: inout ActivityState) {
        for (field, register) in delta.fields {
            state.fields[field] = winner(state.fields[field], register)
        }
        if delta.deleted { state.deleted = true }
    }
}

/// The net effect of a batch of operations on one activity: the winning write of each
/// field within the batch, the net addition to each quantity, and whether it deletes.
///
/// Merging a batch through deltas writes each touched activity once, however many
/// operations touched it.
public struct ActivityDelta: Hashable, Sendable {
    public var fields: [Field: Register] = [:]
    public var additions: [String: Int64] = [:]
    public var deleted = false

    public init() {}

    /// Folds one more operation into the delta.
    public mutating func absorb(_ operation: Op) {
        switch operation.change {
        case let .set(field, value):
            fields[field] = MergeRules.winner(fields[field], Register(value: value, stamp: operation.stamp))
        case let .add(metric, amount):
            additions[metric, default: 0] += amount
        case .delete:
            deleted = true
        case .indicator:
            break
        }
    }

}

/// The net effect of a batch: one ``ActivityDelta`` per touched activity, and the winning
/// write of each manual indicator value (last writer wins, as fields), in one pass.
public struct BatchDelta: Sendable {
    public var activities: [ActivityID: ActivityDelta] = [:]
    /// By indicator key (``IndicatorKey/rawValue``).
    public var indicators: [String: Register] = [:]

    public init() {}

    public init(_ operations: some Sequence<Op>) {
        for op in operations { absorb(op) }
    }

    /// Folds one more operation into the batch.
    public mutating func absorb(_ op: Op) {
        if case let .indicator(value) = op.change {
            let key = op.activity.rawValue
            indicators[key] = MergeRules.winner(indicators[key], Register(value: value, stamp: op.stamp))
        } else {
            activities[op.activity, default: ActivityDelta()].absorb(op)
        }
    }
}
