import SyncCore
import Testing

/// The streamed pull's frames: what the hub writes is what a replica reads, whatever the
/// pieces the bytes arrive in; bytes that are not a stream are refused, never guessed.
@Suite struct PullStreamTests {
    let a = ReplicaID(bytes: Array(repeating: 0xA1, count: 16))!
    let b = ReplicaID(bytes: Array(repeating: 0xB2, count: 16))!

    func ops(_ replica: ReplicaID, from: Int64, count: Int) -> [Op] {
        (0..<count).map { i in
            let seq = from + Int64(i)
            let activity = ActivityID(replica: replica, seq: from)
            let change: Change = i == 0 ? .set(.title, "果树修剪 \(seq)") : (i % 3 == 0 ? .delete : .add(metric: "attendance", amount: Int64(i)))
            return Op(replica: replica, seq: seq, timestamp: HLCTimestamp(rawValue: 1_700_000_000_000 << 16 + Int64(i)), activity: activity, change: change)
        }
    }

    @Test(arguments: [1, 7, 64, 100_000])
    func framesReadBackWhateverPiecesTheBytesArriveIn(piece: Int) throws {
        let seal = RunSeal(first: 3, last: 9, prev: Array(repeating: 1, count: 32), digest: Array(repeating: 2, count: 32),
                           key: Array(repeating: 3, count: 32), signature: Array(repeating: 4, count: 64))
        var bytes = PullStream.header
        PullStream.appendRun(replica: a, township: "河西镇", operations: ops(a, from: 3, count: 7), seals: [seal], to: &bytes)
        PullStream.appendRun(replica: b, township: nil, operations: ops(b, from: 1, count: 5), seals: [], to: &bytes)
        PullStream.appendEnd(more: false, to: &bytes)
        var decoder = PullStream.Decoder()
        var frames: [PullStream.Frame] = []
        for start in stride(from: 0, to: bytes.count, by: piece) {
            decoder.append(bytes[start..<min(bytes.count, start + piece)])
            while let frame = try decoder.next() { frames.append(frame) }
        }
        #expect(frames.count == 3)
        guard case let .run(r1, t1, o1, s1) = frames[0], case let .run(r2, t2, o2, s2) = frames[1], case let .end(more) = frames[2] else {
            Issue.record("frames out of order: \(frames)")
            return
        }
        #expect(r1 == a && t1 == "河西镇" && o1 == ops(a, from: 3, count: 7) && s1 == [seal])
        #expect(r2 == b && t2 == nil && o2 == ops(b, from: 1, count: 5) && s2.isEmpty)
        #expect(!more)
        #expect(decoder.pending == 0)
    }

    @Test func bytesThatAreNotAStreamAreRefused() throws {
        var json = PullStream.Decoder()
        json.append(Array(#"{"batches":[],"more":false}"#.utf8))
        #expect(throws: PullStream.Malformed.self) { try json.next() }

        var good = PullStream.header
        PullStream.appendRun(replica: a, township: nil, operations: ops(a, from: 1, count: 4), seals: [], to: &good)
        // A wrong operation count, a damaged chunk, an unknown frame.
        var miscounted = good
        miscounted[PullStream.header.count + 1 + 16 + 2 + 8 + 3] = 9
        var damaged = good
        damaged[damaged.count - 4] ^= 0xFF
        var unknown = PullStream.header
        unknown.append(UInt8(ascii: "X"))
        for bytes in [miscounted, damaged, unknown] {
            var decoder = PullStream.Decoder()
            decoder.append(bytes)
            #expect(throws: PullStream.Malformed.self) { _ = try decoder.next() }
        }
        // A frame cut short is waited for, not refused.
        var cut = PullStream.Decoder()
        cut.append(good.dropLast(3))
        #expect(try cut.next() == nil)
    }
}
