/// A descriptive field of an activity; merged last-writer-wins.
public enum Field: String, CaseIterable, Sendable, Hashable, Comparable {
    case township, kind, date, title, venue, project

    public static func < (lhs: Field, rhs: Field) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// What an operation does to its activity.
public enum Change: Hashable, Sendable {
    /// Sets a descriptive field (last writer wins).
    case set(Field, String)
    /// Adds to a quantity, by metric code (a counter: every addition counts; negative corrects).
    case add(metric: String, amount: Int64)
    /// Deletes the activity: it leaves every total, whatever else happens to it.
    case delete

    /// The storage code of the change's kind: 0 set, 1 add, 2 delete.
    public var kindCode: Int {
        switch self {
        case .set: 0
        case .add: 1
        case .delete: 2
        }
    }
}

/// One change made on one replica: the unit of the operation log and of sync.
///
/// `(replica, seq)` identifies it; `seq` counts up from 1 without gaps per replica.
public struct Op: Hashable, Sendable {
    /// The replica that made the change.
    public var replica: ReplicaID
    /// Its position in that replica's log, from 1, without gaps.
    public var seq: Int64
    /// When it was made, by the replica's hybrid logical clock.
    public var timestamp: HLCTimestamp
    /// The activity it changes.
    public var activity: ActivityID
    /// The change.
    public var change: Change

    public init(replica: ReplicaID, seq: Int64, timestamp: HLCTimestamp, activity: ActivityID, change: Change) {
        self.replica = replica
        self.seq = seq
        self.timestamp = timestamp
        self.activity = activity
        self.change = change
    }

    /// The stamp that orders this operation's field writes against others.
    public var stamp: Stamp { Stamp(timestamp: timestamp, replica: replica) }
}
