import Synchronization
import SyncCore

/// A wall clock that tests set and advance by hand.
public final class ManualClock: WallClock, Sendable {
    private let millis: Mutex<Int64>

    public init(_ start: Int64 = 1_684_540_800_000) { millis = Mutex(start) }

    public func nowMillis() -> Int64 { millis.withLock { $0 } }

    public func advance(by delta: Int64) { millis.withLock { $0 += delta } }

    public func set(_ value: Int64) { millis.withLock { $0 = value } }
}

/// Another PC's clock: the test's clock, off by a fixed amount (a PC a few minutes or hours
/// fast or slow).
public struct OffsetClock: WallClock {
    public let base: ManualClock
    public let offset: Int64

    public init(_ base: ManualClock, offset: Int64) {
        self.base = base
        self.offset = offset
    }

    public func nowMillis() -> Int64 { base.nowMillis() + offset }
}
