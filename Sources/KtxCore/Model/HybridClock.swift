/// A hybrid logical clock value: wall-clock milliseconds and a logical counter,
/// packed as `millis << 16 | counter` so that comparing the packed integers compares
/// (millis, counter) lexicographically.
public struct HLCTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The packed value, as stored in the operation log.
    public let rawValue: Int64

    /// Wraps a packed value.
    public init(rawValue: Int64) { self.rawValue = rawValue }

    /// Packs wall milliseconds and a counter.
    public init(millis: Int64, counter: UInt16) {
        self.rawValue = millis << 16 | Int64(counter)
    }

    /// Wall-clock milliseconds since 1970.
    public var millis: Int64 { rawValue >> 16 }
    /// The logical counter within one millisecond.
    public var counter: UInt16 { UInt16(truncatingIfNeeded: rawValue & 0xFFFF) }

    /// The zero timestamp, before every real one.
    public static let zero = HLCTimestamp(rawValue: 0)

    /// `millis.counter`, for logs.
    public var description: String { "\(millis).\(counter)" }

    /// Orders by wall-clock milliseconds, then by counter.
    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A hybrid logical clock: issues timestamps that never run backwards, even when the
/// wall clock does, and that move past every timestamp observed from other replicas.
///
/// ```swift
/// var clock = HybridClock(last: storedValue)
/// let ts = clock.tick(now: wall.nowMillis())   // for a local operation
/// clock.observe(remoteOperation.timestamp)     // for a merged one
/// ```
public struct HybridClock: Sendable, Equatable {
    /// The largest timestamp issued or observed so far.
    public private(set) var last: HLCTimestamp

    /// Resumes a clock from its last persisted value.
    public init(last: HLCTimestamp = .zero) { self.last = last }

    /// Issues the next timestamp: the wall time if it is ahead, else one logical step
    /// past the last timestamp.
    public mutating func tick(now: Int64) -> HLCTimestamp {
        if now > last.millis {
            last = HLCTimestamp(millis: now, counter: 0)
        } else if last.counter == UInt16.max {
            last = HLCTimestamp(millis: last.millis + 1, counter: 0)
        } else {
            last = HLCTimestamp(rawValue: last.rawValue + 1)
        }
        return last
    }

    /// Moves the clock past a timestamp seen on another replica's operation.
    public mutating func observe(_ timestamp: HLCTimestamp) {
        if timestamp > last { last = timestamp }
    }
}
