/// The year's close (issue 30): a township's PC submits the year, the county approves or
/// returns it. Each step is an operation like any other: signed in its run, synced, checked
/// by the one acceptance rule and the rights every receiver applies, and folded into the same
/// state on every replica.
///
/// On the wire a step is a field write (`set` kind) whose field name an earlier ktx does not
/// know, so an earlier ktx keeps and relays it without counting it (``Change/newerField(_:_:)``),
/// and its rights hold it to the same owners:
///
/// - `submit` on a target that is an activity id of the submitting replica's own (its 12-hex
///   prefix, any number): value `<year> <replica hex>:<seq> …`, the frontier of its township's
///   operations it covers. The township is the submitting replica's.
/// - `approve` or `return` on `<year>/close/<township>` (an indicator key's shape: only the
///   county may write it): the approved frontier, or the reason for returning.
/// - `accept` on the same target: operations beyond the approval the county counts after all
///   (amendments accepted one by one), `<replica hex>:<seq> …`. A ktx that knows only the
///   three steps above keeps and relays it as a newer field.
public enum YearClose {
    /// The field names of the three steps.
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case submit
        case approve
        case returned = "return"
        case accept
    }

    /// The most operations one `accept` step names (its value stays within the bounds of
    /// notes, 2000 characters); more are accepted by several steps.
    public static let acceptedPerStep = 40

    /// The project slot of an approval's target: `<year>/close/<township>`.
    public static let project = "close"

    /// The target of the county's step on a township's year.
    public static func target(year: Int, township: String) -> ActivityID {
        IndicatorKey(year: year, project: project, indicator: township).target
    }

    /// What an operation of the year's close says; nil for every other operation.
    public struct Step: Sendable, Hashable {
        /// Submit, approve or return.
        public var action: Action
        /// The year closed.
        public var year: Int
        /// The township it is about: the target's for `approve` and `return`; nil for
        /// `submit` (the submitting replica's township, which the receiver knows).
        public var township: String?
        /// Operations covered, per replica (`submit`, `approve`).
        public var frontier: [ReplicaID: Int64]
        /// Why the county returned the year (`return`).
        public var reason: String?
        /// The operations the county accepts one by one (`accept`).
        public var accepted: [OperationRef]

        /// A step of the year's close.
        public init(action: Action, year: Int, township: String? = nil, frontier: [ReplicaID: Int64] = [:], reason: String? = nil,
                    accepted: [OperationRef] = []) {
            self.action = action
            self.year = year
            self.township = township
            self.frontier = frontier
            self.reason = reason
            self.accepted = accepted
        }

        /// Reads the step an operation carries; nil if it is not one, or not well formed.
        public init?(_ op: Op) {
            guard case let .newerField(name, value) = op.change, let action = Action(rawValue: name) else { return nil }
            switch action {
            case .submit:
                let words = value.split(separator: " ", omittingEmptySubsequences: false)
                guard let first = words.first, first.utf8.count == 4, let year = Int(first), (1900...2999).contains(year),
                      let frontier = YearClose.frontier(words.dropFirst()) else { return nil }
                self.init(action: .submit, year: year, frontier: frontier)
            case .approve:
                guard let key = IndicatorKey(rawValue: op.activity.rawValue), key.project == YearClose.project,
                      (1900...2999).contains(key.year),
                      let frontier = YearClose.frontier(value.split(separator: " ", omittingEmptySubsequences: false)) else { return nil }
                self.init(action: .approve, year: key.year, township: key.indicator, frontier: frontier)
            case .returned:
                guard let key = IndicatorKey(rawValue: op.activity.rawValue), key.project == YearClose.project,
                      (1900...2999).contains(key.year), !value.isEmpty else { return nil }
                self.init(action: .returned, year: key.year, township: key.indicator, reason: value)
            case .accept:
                guard let key = IndicatorKey(rawValue: op.activity.rawValue), key.project == YearClose.project,
                      (1900...2999).contains(key.year),
                      let accepted = YearClose.operations(value.split(separator: " ", omittingEmptySubsequences: false)),
                      !accepted.isEmpty, accepted.count <= YearClose.acceptedPerStep else { return nil }
                self.init(action: .accept, year: key.year, township: key.indicator, accepted: accepted)
            }
        }

        /// The change that carries it.
        public var change: Change {
            let covered = frontier.sorted { $0.key < $1.key }.map { "\($0.key.hex):\($0.value)" }
            switch action {
            case .submit: return .newerField(action.rawValue, ([String(year)] + covered).joined(separator: " "))
            case .approve: return .newerField(action.rawValue, covered.joined(separator: " "))
            case .returned: return .newerField(action.rawValue, reason ?? "")
            case .accept: return .newerField(action.rawValue, accepted.map { $0.description }.joined(separator: " "))
            }
        }
    }

    /// `<replica hex>:<seq>` words; nil if one is not (an empty list is no operations).
    public static func frontier(_ words: some Sequence<Substring>) -> [ReplicaID: Int64]? {
        var out: [ReplicaID: Int64] = [:]
        for word in words where !word.isEmpty {
            let parts = word.split(separator: ":")
            guard parts.count == 2, let replica = ReplicaID(hex: String(parts[0])), let seq = Int64(parts[1]), seq >= 0,
                  out[replica] == nil else { return nil }
            out[replica] = seq
        }
        return out
    }

    /// One operation, by its writer and seq: `<replica hex>:<seq>`.
    public struct OperationRef: Sendable, Hashable, Comparable, CustomStringConvertible {
        /// The replica that wrote it.
        public var replica: ReplicaID
        /// Its seq on that replica.
        public var seq: Int64

        /// The operation `seq` of `replica`.
        public init(replica: ReplicaID, seq: Int64) {
            self.replica = replica
            self.seq = seq
        }

        /// `<replica hex>:<seq>`.
        public var description: String { "\(replica.hex):\(seq)" }

        /// Orders by replica, then seq.
        public static func < (a: Self, b: Self) -> Bool { (a.replica, a.seq) < (b.replica, b.seq) }
    }

    /// `<replica hex>:<seq>` words naming single operations (no repeats); nil if one is not.
    public static func operations(_ words: some Sequence<Substring>) -> [OperationRef]? {
        var out: [OperationRef] = []
        var seen: Set<OperationRef> = []
        for word in words where !word.isEmpty {
            let parts = word.split(separator: ":")
            guard parts.count == 2, let replica = ReplicaID(hex: String(parts[0])), let seq = Int64(parts[1]), seq >= 1 else { return nil }
            let ref = OperationRef(replica: replica, seq: seq)
            guard seen.insert(ref).inserted else { return nil }
            out.append(ref)
        }
        return out
    }

    /// Whether an operation names one of the steps (by its field name), well formed or not.
    public static func names(_ op: Op) -> Bool {
        if case let .newerField(name, _) = op.change { return Action(rawValue: name) != nil }
        return false
    }

    /// Where a (year, township) stands.
    public enum State: String, Sendable, Hashable {
        case notSubmitted = "not-submitted"
        case submitted
        case returned
        case approved
    }

    /// One step as a receiver holds it: what it says, who wrote it and when.
    public struct Event: Sendable, Hashable {
        /// What the step says.
        public var step: Step
        /// The township the step is about (for `submit`, its writer's).
        public var township: String
        /// When and by which replica it was written: the later step decides.
        public var stamp: Stamp
        /// Its seq on its replica.
        public var seq: Int64

        /// A step as a receiver holds it.
        public init(step: Step, township: String, stamp: Stamp, seq: Int64) {
            self.step = step
            self.township = township
            self.stamp = stamp
            self.seq = seq
        }
    }

    /// A (year, township)'s standing, folded from every step held for it. The same steps
    /// give the same standing on every replica, in any order.
    public struct Standing: Sendable, Hashable {
        /// Not submitted, submitted, returned or approved.
        public var state: State
        /// The latest submit.
        public var submitted: Event?
        /// The county's latest step (approve or return).
        public var decided: Event?

        /// What the approval covers, when approved.
        public var approvedFrontier: [ReplicaID: Int64]? {
            state == .approved ? decided?.step.frontier : nil
        }

        /// The county's latest step decides once it is an approval (a township cannot undo
        /// it); a return stands until the township submits again; then the latest submit.
        public init(_ events: some Sequence<Event>) {
            var submitted: Event?
            var decided: Event?
            // An `accept` changes what counts, not where the year stands.
            for event in events where event.step.action != .accept {
                if event.step.action == .submit {
                    if submitted.map({ event.stamp > $0.stamp }) ?? true { submitted = event }
                } else if decided.map({ event.stamp > $0.stamp }) ?? true {
                    decided = event
                }
            }
            self.submitted = submitted
            self.decided = decided
            if let decided, decided.step.action == .approve {
                state = .approved
            } else if let decided, decided.stamp > (submitted?.stamp ?? decided.stamp) || submitted == nil {
                state = .returned
            } else if submitted != nil {
                state = .submitted
            } else {
                state = .notSubmitted
            }
        }
    }
}
