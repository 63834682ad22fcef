import KtxWords
import Store
import SyncCore
import Testing

/// The log's storage format: a chunk must give back exactly the operations put in.
@Suite struct OpChunkTests {
    let replica = ReplicaID(high: 0xFEED, low: 0xBEEF)

    /// Every kind of change, text with quotes, newlines and CJK, negative and large
    /// amounts, timestamps that go back (another replica's clock was ahead), empty values.
    func sample() -> [Op] {
        let a = ActivityID(replica: replica, seq: 7)
        let b = ActivityID(unchecked: "0123456789ab-3")
        let key = IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率").target
        let t: Int64 = HLCTimestamp(millis: 1_684_540_800_000, counter: 3).rawValue
        let changes: [(ActivityID, Int64, Change)] = [
            (a, t, .set(.title, "果树\"修剪\"\n培训\\")),
            (a, t + 1, .set(.township, "河西镇")),
            (b, t - 70_000, .add(metric: "attendance", amount: -5)),
            (a, t + 2, .add(metric: "cost", amount: Int64(Int32.max) * 4)),
            (b, t + 2, .set(.venue, "")),
            (key, t + 900_000, .indicator("92.5")),
            (a, t + 900_001, .delete),
            (b, t + 3, .set(.notes, "王主任带队\n李明记录")),
            (key, t + 4, .set(.notes, "汛期停办两次")),
            (b, t + 5, .newerField("organiser", "王主任")),
        ]
        return changes.enumerated().map { i, c in
            Op(replica: replica, seq: 7 + Int64(i), timestamp: HLCTimestamp(rawValue: c.1), activity: c.0, change: c.2)
        }
    }

    @Test func operationsRoundTrip() throws {
        let ops = sample()
        let bytes = OpChunk.encode(ops)
        #expect(try OpChunk.decode(bytes, replica: replica, firstSeq: 7) == ops)
        #expect(try OpChunk.decode(OpChunk.encode(ops[2..<4]), replica: replica, firstSeq: 9) == Array(ops[2..<4]))
        #expect(try OpChunk.decode(OpChunk.encode([Op]()), replica: replica, firstSeq: 1).isEmpty)
    }

    /// 10,000 additions over 100 activities: ids and metric codes are written once, so the
    /// chunk costs a few bytes per operation (the point of storing chunks).
    @Test func additionsCostAFewBytesEach() throws {
        var ops: [Op] = []
        for i in 0..<10_000 {
            ops.append(Op(replica: replica, seq: Int64(i + 1), timestamp: HLCTimestamp(millis: 1_700_000_000_000 + Int64(i), counter: 0),
                          activity: ActivityID(replica: replica, seq: Int64(1 + i % 100)), change: .add(metric: "attendance", amount: Int64(i % 50))))
        }
        let bytes = OpChunk.encode(ops)
        #expect(bytes.count < 10_000 * 8)
        #expect(try OpChunk.decode(bytes, replica: replica, firstSeq: 1) == ops)
    }

    /// Cut short, with a byte changed where it breaks the structure, or with bytes after
    /// the end: an error, never a wrong operation or a crash.
    @Test func damagedChunksAreRefused() {
        let bytes = OpChunk.encode(sample())
        for n in 0..<bytes.count {
            #expect(throws: KtxError.self) { try OpChunk.read(Array(bytes.prefix(n)), replica: replica, firstSeq: 7) }
        }
        #expect(throws: KtxError.self) { try OpChunk.read(bytes + [0], replica: replica, firstSeq: 7) }
        var version = bytes
        version[0] = 9
        #expect(throws: KtxError.self) { try OpChunk.read(version, replica: replica, firstSeq: 7) }
        // Any single changed byte either is refused or decodes to something else than the
        // original, never crashes.
        for i in bytes.indices {
            var flipped = bytes
            flipped[i] ^= 0xFF
            if let ops = try? OpChunk.decode(flipped, replica: replica, firstSeq: 7) { #expect(ops != sample()) }
        }
    }
}

@Suite struct OpChunkPartTests {
    /// A part of a chunk (what a pull page needs) is exactly the same part of the whole.
    @Test(arguments: [(1, 3), (1, 100), (5, 1), (7, 4), (10, 5), (11, 2), (50, 9)])
    func aPartOfAChunkIsThePartOfTheWhole(from: Int64, limit: Int) throws {
        let replica = ReplicaID(high: 1, low: 2)
        let id = ActivityID(replica: replica, seq: 1)
        let t = HLCTimestamp(millis: 1_684_540_800_000, counter: 0).rawValue
        let changes: [Change] = [.set(.title, "果树"), .add(metric: "attendance", amount: 5), .set(.venue, "村"), .delete,
                                 .indicator("92"), .add(metric: "cost", amount: -7), .set(.kind, "rural"), .add(metric: "attendance", amount: 1),
                                 .set(.date, "2023-05-20"), .add(metric: "schools", amount: 2)]
        let ops = changes.enumerated().map { i, change in
            Op(replica: replica, seq: Int64(i + 1), timestamp: HLCTimestamp(rawValue: t + Int64(i)),
               activity: change.isIndicator ? ActivityID(unchecked: "2023/rural/满意度") : id, change: change)
        }
        let bytes = OpChunk.encode(ops)
        let part = try bytes.withUnsafeBytes { try OpChunk.decode($0, replica: replica, firstSeq: 1, from: from, limit: limit) }
        #expect(part == Array(ops.filter { $0.seq >= from }.prefix(limit)))
    }
}
