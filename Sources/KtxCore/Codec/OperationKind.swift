/// The kinds of operation and their codes: the one table every format uses (the log's
/// chunks, folder files, the HTTP API, the bench trace). A code not in this table is not
/// an operation this format defines; every decoder refuses it rather than guess.
public enum OperationKind: UInt8, Sendable, CaseIterable {
    /// Sets a descriptive field; row `[seq, hlc, activity, 0, field, "text"]`.
    case set = 0
    /// Adds to a quantity; row `[seq, hlc, activity, 1, metric, amount]`.
    case add = 1
    /// Deletes an activity; row `[seq, hlc, activity, 2, "", null]`.
    case delete = 2
    /// Sets a manual indicator value; row `[seq, hlc, "year/project/indicator", 3, "", "value"]`.
    case indicator = 3

    /// The kind of a stored code; nil for a code this format does not define.
    public init?(code: Int) {
        guard let byte = UInt8(exactly: code), let kind = OperationKind(rawValue: byte) else { return nil }
        self = kind
    }
}
