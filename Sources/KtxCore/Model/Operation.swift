/// A descriptive field of an activity; merged last-writer-wins.
public enum Field: String, CaseIterable, Sendable, Hashable, Comparable {
    case township, kind, date, title, venue, project
    /// 备注: free notes on an activity; on an indicator key, the county's 偏差原因分析及改进措施.
    case notes

    /// Orders fields as the log numbers them.
    public static func < (lhs: Field, rhs: Field) -> Bool { lhs.index < rhs.index }

    // Compared and hashed by position. The defaults for an enum with raw values go through
    // the raw string: hashing it was 5% of a hub writer's time (`ActivityState.fields`,
    // a dictionary keyed by field, in every merge).
    /// Fields are equal when they are the same field.
    public static func == (lhs: Field, rhs: Field) -> Bool { lhs.index == rhs.index }
    /// Hashes the field's number.
    public func hash(into hasher: inout Hasher) { hasher.combine(index) }

    /// The field's position in `allCases`.
    public var index: Int {
        switch self {
        case .township: 0
        case .kind: 1
        case .date: 2
        case .title: 3
        case .venue: 4
        case .project: 5
        case .notes: 6
        }
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
    /// Sets the manual value of a performance indicator (last writer wins). The
    /// operation's target is then an ``IndicatorKey``, not an activity.
    case indicator(String)
    /// Sets a field this version does not know (a newer ktx's): well formed, so it is kept
    /// in the log and relayed, and counts once the replica runs a ktx that knows the field.
    case newerField(String, String)

    /// Whether it sets a manual indicator value (its target is then an ``IndicatorKey``).
    public var isIndicator: Bool {
        if case .indicator = self { true } else { false }
    }

    /// Whether text is a manual indicator value: a non-negative decimal number of at most
    /// 20 characters, digits and one point only (`92`, `92.5`), without its unit. The one
    /// rule for `ktx indicator set`, folder files and the HTTP hub.
    public static func isValidIndicatorValue(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 20, text.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }),
              text.utf8.filter({ $0 == 0x2E }).count <= 1, text.first != ".", text.last != "."
        else { return false }
        return true
    }

    /// The change's kind, whose code every format stores.
    public var kind: OperationKind {
        switch self {
        case .set: .set
        case .add: .add
        case .delete: .delete
        case .indicator: .indicator
        case .newerField: .set
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
    /// The activity it changes; for an `.indicator` change, the indicator's key
    /// (``IndicatorKey/rawValue``) in the same slot, so both travel and sort alike.
    public var activity: ActivityID
    /// The change.
    public var change: Change

    /// An operation made by `replica`, its `seq`-th, at `timestamp`.
    public init(replica: ReplicaID, seq: Int64, timestamp: HLCTimestamp, activity: ActivityID, change: Change) {
        self.replica = replica
        self.seq = seq
        self.timestamp = timestamp
        self.activity = activity
        self.change = change
    }

    /// The stamp that orders this operation's field writes against others.
    public var stamp: Stamp { Stamp(timestamp: timestamp, replica: replica) }

    /// Whether the operation concerns a performance indicator, not an activity: a manual
    /// value, or notes on an indicator key (an activity id never holds a `/`).
    public var targetsIndicator: Bool {
        switch change {
        case .indicator: true
        case .set(.notes, _), .newerField: activity.rawValue.utf8.contains(0x2F)
        default: false
        }
    }
}

/// The target of a manual indicator value: `<year>/<project>/<indicator>`, e.g.
/// `2023/rural/科技特派员覆盖率`, where project is the project's short key in the
/// targets file and indicator its 三级指标 name.
public struct IndicatorKey: Hashable, Sendable, CustomStringConvertible {
    /// The year of the performance table.
    public let year: Int
    /// The project's key in the table (`rural`).
    public let project: String
    /// The indicator's name (三级指标), or what a note or a year step is on.
    public let indicator: String

    /// The key of an indicator of a year's project.
    public init(year: Int, project: String, indicator: String) {
        self.year = year
        self.project = project
        self.indicator = indicator
    }

    /// Parses a key as stored in an operation; nil if it is not one.
    public init?(rawValue: String) {
        let parts = rawValue.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count == 4, let year = Int(parts[0]),
              !parts[1].isEmpty, !parts[2].isEmpty, !parts[1].contains("/")
        else { return nil }
        self.init(year: year, project: String(parts[1]), indicator: String(parts[2]))
    }

    /// `year/project/indicator`, as operations target it.
    public var rawValue: String { "\(year)/\(project)/\(indicator)" }
    /// The key as operations target it.
    public var description: String { rawValue }
    /// The key in the slot an operation keeps for its target.
    public var target: ActivityID { ActivityID(unchecked: rawValue) }
}

/// The operations a new activity is recorded with, in order, the same on every replica: its
/// township, kind, date and title, then the venue, project and notes when given, then each
/// quantity (non-zero amounts, by metric code). The activity is named after the first.
public enum NewActivity {
    /// The changes recording an activity of `township` (texts already checked and trimmed).
    public static func changes(township: String, kind: String, date: String, title: String, venue: String?,
                               project: String?, notes: String?, amounts: [(metric: String, amount: Int64)]) -> [Change] {
        var changes: [Change] = [.set(.township, township), .set(.kind, kind), .set(.date, date), .set(.title, title)]
        if let venue, !venue.isEmpty { changes.append(.set(.venue, venue)) }
        if let project, !project.isEmpty { changes.append(.set(.project, project)) }
        if let notes, !notes.isEmpty { changes.append(.set(.notes, notes)) }
        for (metric, amount) in amounts.sorted(by: { $0.metric < $1.metric }) where amount != 0 {
            changes.append(.add(metric: metric, amount: amount))
        }
        return changes
    }
}
