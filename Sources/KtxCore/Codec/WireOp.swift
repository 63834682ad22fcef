/// One operation on the wire: `[seq, hlc, activity, kind, field, value]`, without its
/// replica (the enclosing batch names it).
public struct WireOp: Sendable, Equatable {
    /// The operation's seq on its replica.
    public var seq: Int64
    /// The hybrid logical clock's raw value.
    public var hlc: Int64
    /// The target: an activity id or an indicator key.
    public var activity: String
    /// The `OperationKind` code: 0 set, 1 add, 2 delete, 3 indicator.
    public var kind: Int
    /// The field set, or the metric added to; empty for a delete or an indicator.
    public var field: String
    /// The value of a set or an indicator.
    public var text: String?
    /// The amount of an add.
    public var number: Int64?

    /// The row of an operation, as every way in writes it.
    public init(_ op: Op) {
        seq = op.seq
        hlc = op.timestamp.rawValue
        activity = op.activity.rawValue
        kind = Int(op.change.kind.rawValue)
        switch op.change {
        case let .set(f, value): field = f.rawValue; text = value
        case let .add(metric, amount): field = metric; number = amount
        case .delete: field = ""
        case let .indicator(value): field = ""; text = value
        case let .newerField(name, value): field = name; text = value
        }
    }

    /// The operation of `replica`, decoded by the one table of kinds (`OperationKind`).
    ///
    /// - Throws: `RefusalReason.malformed` for a kind this format does not define, a
    ///   field a set cannot write, or a value of the wrong type; nothing unknown is guessed.
    public func op(replica: ReplicaID) throws(RefusalReason) -> Op {
        let change: Change
        switch OperationKind(code: kind) {
        case .set:
            guard let text, number == nil else { throw .malformed }
            if let f = Field(rawValue: field) {
                change = .set(f, text)
            } else {
                // A field a newer ktx writes: kept if its name is a well-formed code (the rule checks).
                change = .newerField(field, text)
            }
        case .add:
            guard let number, text == nil else { throw .malformed }
            change = .add(metric: field, amount: number)
        case .delete:
            guard field.isEmpty, text == nil, number == nil else { throw .malformed }
            change = .delete
        case .indicator:
            guard field.isEmpty, let text, number == nil else { throw .malformed }
            change = .indicator(text)
        case nil:
            throw .malformed
        }
        return Op(replica: replica, seq: seq, timestamp: HLCTimestamp(rawValue: hlc),
                  activity: ActivityID(unchecked: activity), change: change)
    }

    /// The operation of `replica` if the acceptance rule takes it.
    ///
    /// - Throws: the `RefusalReason` of the codec or of the rule.
    public func accepted(replica: ReplicaID, by rule: AcceptanceRule) throws(RefusalReason) -> Op {
        let op = try op(replica: replica)
        if let reason = rule.check(op) { throw reason }
        return op
    }
}
