/// An activity's identity: the short id of the replica that recorded it and the
/// sequence number of the recording operation, e.g. `3fa9c2d1b0e4-17`.
///
/// Unique without coordination, because a replica never reuses a sequence number.
public struct ActivityID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The id as written, e.g. `3fa9c2d1b0e4-17`.
    public let rawValue: String

    /// Wraps an id read from storage or from the wire, without checking its shape.
    public init(unchecked rawValue: String) { self.rawValue = rawValue }

    /// The id of the activity recorded by `replica` with operation `seq`.
    public init(replica: ReplicaID, seq: Int64) {
        self.rawValue = "\(replica.short)-\(seq)"
    }

    /// The short id (``ReplicaID/short``) of the replica the activity is named after: the one
    /// that recorded it.
    public var creatorShort: String { String(rawValue.prefix(12)) }

    /// Parses an id typed by a user: 12 hex digits, a dash, a positive number.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces().lowercased()
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 12,
              parts[0].utf8.allSatisfy({ Hex.value(of: $0) != nil }),
              let n = Int64(parts[1]), n > 0, String(n) == parts[1]
        else { return nil }
        self.rawValue = trimmed
    }

    /// The id as written (`3fa9c2d1b0e4-17`).
    public var description: String { rawValue }

    /// Orders ids by their text.
    public static func < (lhs: ActivityID, rhs: ActivityID) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension StringProtocol {
    /// The string without leading and trailing white space and newlines.
    public func trimmingSpaces() -> String {
        // White space as Unicode defines it (Foundation's `whitespacesAndNewlines`).
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}
