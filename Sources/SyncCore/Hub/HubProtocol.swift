/// The HTTP hub's JSON API, version 1 (`/v1`), as Codable types shared by the server
/// and the client. `openapi.json` at the repository root describes the same API.
///
/// Operations travel as arrays, as in folder-hub files:
/// `[seq, hlc, activity, kind, field, value]` with kind 0 set (value a string),
/// 1 add (value an integer), 2 delete (field "" and value null), 3 a manual indicator value
/// (activity the `IndicatorKey`, field "" and value a string).
public enum HubAPI {
    /// `GET /v1/vector`: what the hub holds, replica id (hex) → highest contiguous seq.
    public struct Vector: Codable, Sendable, Equatable {
        public var replicas: [String: Int64]

        public init(replicas: [String: Int64]) { self.replicas = replicas }

        public init(_ vector: VersionVector) {
            replicas = Dictionary(uniqueKeysWithValues: vector.map { ($0.key.hex, $0.value) })
        }

        /// The version vector; nil if any key is not a replica id or any seq is negative.
        public var versionVector: VersionVector? {
            var out = VersionVector()
            for (hex, seq) in replicas {
                guard let id = ReplicaID(hex: hex), seq >= 0 else { return nil }
                out[id] = seq
            }
            return out
        }
    }

    /// A contiguous run of one replica's operations: the body of `POST /v1/ops`, and
    /// one element of a pull page.
    public struct Batch: Codable, Sendable, Equatable {
        public var replica: String
        public var township: String?
        public var operations: [WireOp]

        public init(replica: String, township: String?, operations: [WireOp]) {
            self.replica = replica
            self.township = township
            self.operations = operations
        }

        public init(_ ops: [Op], township: String?) {
            replica = ops.first?.replica.hex ?? ""
            self.township = township
            operations = ops.map(WireOp.init)
        }
    }

    /// The answer to a push.
    public struct PushResult: Codable, Sendable, Equatable {
        /// Operations new to the hub.
        public var accepted: Int
        /// Operations the hub already held.
        public var duplicates: Int

        public init(accepted: Int, duplicates: Int) {
            self.accepted = accepted
            self.duplicates = duplicates
        }
    }

    /// `POST /v1/pull`: operations beyond `after`, at most `limit`.
    public struct PullRequest: Codable, Sendable, Equatable {
        public var after: [String: Int64]
        public var limit: Int?

        public init(after: VersionVector, limit: Int?) {
            self.after = Vector(after).replicas
            self.limit = limit
        }
    }

    /// A page of a pull. When `more` is true, pull again after merging this page: the
    /// new version vector is the continuation, so a pull cut off part way resumes.
    public struct PullPage: Codable, Sendable, Equatable {
        public var batches: [Batch]
        public var more: Bool

        public init(batches: [Batch], more: Bool) {
            self.batches = batches
            self.more = more
        }
    }

    /// Every error response: a stable code and a message that says what to do.
    public struct ErrorBody: Codable, Sendable, Equatable {
        public struct Detail: Codable, Sendable, Equatable {
            public var code: String
            public var message: String
        }

        public var error: Detail

        public init(code: String, message: String) { error = Detail(code: code, message: message) }
    }

    /// `GET /healthz`.
    public struct Health: Codable, Sendable, Equatable {
        public var status: String
        public var operations: Int64

        public init(status: String, operations: Int64) {
            self.status = status
            self.operations = operations
        }
    }
}

/// One operation on the wire: `[seq, hlc, activity, kind, field, value]`, without its
/// replica (the enclosing batch names it).
public struct WireOp: Codable, Sendable, Equatable {
    public var seq: Int64
    public var hlc: Int64
    public var activity: String
    public var kind: Int
    public var field: String
    public var text: String?
    public var number: Int64?

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
        }
    }

    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        seq = try c.decode(Int64.self)
        hlc = try c.decode(Int64.self)
        activity = try c.decode(String.self)
        kind = try c.decode(Int.self)
        field = try c.decode(String.self)
        switch OperationKind(code: kind) {
        case .set, .indicator: text = try c.decode(String.self)
        case .add: number = try c.decode(Int64.self)
        case .delete:
            guard try c.decodeNil() else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "a delete's value must be null")
            }
        case nil:
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "operation kind must be 0, 1, 2 or 3")
        }
        guard c.isAtEnd else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "an operation has exactly 6 elements")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.unkeyedContainer()
        try c.encode(seq)
        try c.encode(hlc)
        try c.encode(activity)
        try c.encode(kind)
        try c.encode(field)
        switch OperationKind(code: kind) {
        case .set, .indicator: try c.encode(text ?? "")
        case .add: try c.encode(number ?? 0)
        case .delete, nil: try c.encodeNil()
        }
    }

    /// The operation of `replica`, decoded by the one table of kinds (``OperationKind``).
    ///
    /// - Throws: ``RefusalReason/malformed`` for a kind this format does not define, a
    ///   field a set cannot write, or a value of the wrong type; nothing unknown is guessed.
    public func op(replica: ReplicaID) throws(RefusalReason) -> Op {
        let change: Change
        switch OperationKind(code: kind) {
        case .set:
            guard let f = Field(rawValue: field), let text, number == nil else { throw .malformed }
            change = .set(f, text)
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
    /// - Throws: the ``RefusalReason`` of the codec or of the rule.
    public func accepted(replica: ReplicaID, by rule: AcceptanceRule) throws(RefusalReason) -> Op {
        let op = try op(replica: replica)
        if let reason = rule.check(op) { throw reason }
        return op
    }
}
