extension WireOp: Codable {
    /// Reads the row `[seq, hlc, activity, kind, field, value]`; a row of another shape is refused.
    public init(from decoder: any Decoder) throws {
        var c = try decoder.unkeyedContainer()
        let seq = try c.decode(Int64.self)
        let hlc = try c.decode(Int64.self)
        let activity = try c.decode(String.self)
        let kind = try c.decode(Int.self)
        let field = try c.decode(String.self)
        var text: String?
        var number: Int64?
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
        self.init(seq: seq, hlc: hlc, activity: activity, kind: kind, field: field, text: text, number: number)
    }

    /// Writes the row `[seq, hlc, activity, kind, field, value]`.
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
}
