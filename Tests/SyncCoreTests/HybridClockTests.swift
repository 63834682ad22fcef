import SyncCore
import Testing

@Suite struct HybridClockTests {
    @Test func timestampsNeverRunBackwardsWhenTheWallClockDoes() {
        var clock = HybridClock()
        let a = clock.tick(now: 1_000)
        let b = clock.tick(now: 900)  // the PC's clock was set back
        let c = clock.tick(now: 900)
        let d = clock.tick(now: 1_200)
        #expect(a < b && b < c && c < d)
        #expect(b.millis == 1_000 && b.counter == 1)
        #expect(d == HLCTimestamp(millis: 1_200, counter: 0))
    }

    @Test func theClockMovesPastEveryTimestampItObserves() {
        var clock = HybridClock()
        _ = clock.tick(now: 1_000)
        let remote = HLCTimestamp(millis: 5_000, counter: 7)
        clock.observe(remote)
        let next = clock.tick(now: 1_001)
        #expect(next > remote)
        #expect(next == HLCTimestamp(millis: 5_000, counter: 8))
    }

    @Test func aFullCounterCarriesIntoTheNextMillisecond() {
        var clock = HybridClock(last: HLCTimestamp(millis: 10, counter: .max))
        #expect(clock.tick(now: 5) == HLCTimestamp(millis: 11, counter: 0))
    }

    @Test func packedTimestampsCompareAsMillisThenCounter() {
        #expect(HLCTimestamp(millis: 2, counter: 0) > HLCTimestamp(millis: 1, counter: .max))
        #expect(HLCTimestamp(millis: 1, counter: 3).rawValue == (1 << 16 | 3))
    }
}

@Suite struct StampTests {
    @Test func theLaterTimestampWinsAndTiesFallToTheLargerReplica() {
        let small = ReplicaID(high: 1, low: 0)
        let large = ReplicaID(high: 2, low: 0)
        let early = HLCTimestamp(millis: 1, counter: 0)
        let late = HLCTimestamp(millis: 2, counter: 0)
        let a = Register(value: "a", stamp: Stamp(timestamp: late, replica: small))
        let b = Register(value: "b", stamp: Stamp(timestamp: early, replica: large))
        let c = Register(value: "c", stamp: Stamp(timestamp: late, replica: large))
        for order in [[a, b, c], [c, b, a], [b, c, a], [b, a, c]] {
            let winner = order.dropFirst().reduce(order[0]) { MergeRules.winner($0, $1) }
            #expect(winner.value == "c")
        }
        #expect(MergeRules.winner(a, b).value == "a")
    }

    @Test func replicaIDsRoundTripThroughHexAndBytes() throws {
        let id = ReplicaID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        #expect(id.hex == "0123456789abcdeffedcba9876543210")
        #expect(ReplicaID(hex: id.hex) == id)
        #expect(ReplicaID(hex: id.hex.uppercased()) == id)
        #expect(ReplicaID(bytes: id.bytes) == id)
        #expect(ReplicaID(hex: "xyz") == nil)
        #expect(ReplicaID(hex: String(id.hex.dropLast())) == nil)
        #expect(id.short == "0123456789ab")
    }
}

@Suite struct VersionVectorTests {
    @Test func missingCountsWhatTheOtherSideLacks() {
        let a = ReplicaID(high: 1, low: 1)
        let b = ReplicaID(high: 2, low: 2)
        let mine = VersionVector([a: 10, b: 3])
        let theirs = VersionVector([a: 4, b: 8])
        #expect(mine.missing(from: theirs) == 6)
        #expect(theirs.missing(from: mine) == 5)
        #expect(mine.merged(with: theirs) == VersionVector([a: 10, b: 8]))
        #expect(VersionVector().missing(from: mine) == 0)
    }
}
