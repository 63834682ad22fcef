import SyncCore
import Testing

@Suite struct AcceptanceRuleTests {
    static let replica = ReplicaID(hex: "0123456789abcdef0123456789abcdef")!
    static let activity = ActivityID(unchecked: "0123456789ab-1")
    static let now = HLCTimestamp(millis: 1_684_540_800_000, counter: 0)

    static func op(_ change: Change, target: ActivityID = activity, seq: Int64 = 1, timestamp: HLCTimestamp = now) -> Op {
        Op(replica: replica, seq: seq, timestamp: timestamp, activity: target, change: change)
    }

    /// Each malformed operation and the reason every way in gives for it.
    static let refused: [(String, Op, RefusalReason)] = [
        ("seq 0", op(.delete, seq: 0), .badSeq),
        ("timestamp -2^63", op(.delete, timestamp: HLCTimestamp(rawValue: .min)), .badTimestamp),
        ("timestamp Int64.max", op(.delete, timestamp: HLCTimestamp(rawValue: .max)), .badTimestamp),
        ("timestamp 1970", op(.delete, timestamp: HLCTimestamp(millis: 5, counter: 0)), .badTimestamp),
        ("activity id with a path", op(.delete, target: ActivityID(unchecked: "../../etc")), .badTarget),
        ("activity id in capitals", op(.delete, target: ActivityID(unchecked: "0123456789AB-1")), .badTarget),
        ("activity id with seq 0", op(.delete, target: ActivityID(unchecked: "0123456789ab-0")), .badTarget),
        ("NUL in a title", op(.set(.title, "a\u{0}b")), .badText),
        ("right-to-left override in a title", op(.set(.title, "培训\u{202E}gnp.exe")), .badText),
        ("line separator in a venue", op(.set(.venue, "村委会\u{2028}")), .badText),
        ("empty title", op(.set(.title, "")), .badText),
        ("empty township", op(.set(.township, "")), .badText),
        ("title of 201 characters", op(.set(.title, String(repeating: "科", count: 201))), .badText),
        ("date 2023-13-45", op(.set(.date, "2023-13-45")), .badDate),
        ("date 2023-02-30", op(.set(.date, "2023-02-30")), .badDate),
        ("date with spaces", op(.set(.date, " 2023-05-20")), .badDate),
        ("kind bogus-kind", op(.set(.kind, "bogus-kind")), .badCode),
        ("kind in Chinese", op(.set(.kind, "科技下乡")), .badCode),
        ("metric 不存在的指标", op(.add(metric: "不存在的指标", amount: 1)), .badCode),
        ("attendance Int64.max", op(.add(metric: "attendance", amount: .max)), .amountOutOfRange),
        ("attendance Int64.min", op(.add(metric: "attendance", amount: .min)), .amountOutOfRange),
        ("attendance beyond 10^9", op(.add(metric: "attendance", amount: 1_000_000_001)), .amountOutOfRange),
        ("unknown metric beyond 10^11", op(.add(metric: "volunteers", amount: 100_000_000_001)), .amountOutOfRange),
        ("indicator value ninety", op(.indicator("ninety"), target: ActivityID(unchecked: "2023/rural/满意度")), .badIndicatorValue),
        ("indicator without a key", op(.indicator("92"), target: ActivityID(unchecked: "rural")), .badTarget),
        ("indicator key with NUL", op(.indicator("92"), target: ActivityID(unchecked: "2023/rural/满\u{0}意度")), .badTarget),
        ("notes of 2,001 characters", op(.set(.notes, String(repeating: "备", count: 2001))), .badText),
        ("notes with a tab", op(.set(.notes, "王主任\t带队")), .badText),
        ("notes with a carriage return", op(.set(.notes, "王主任\r\n带队")), .badText),
        ("notes on a malformed indicator key", op(.set(.notes, "原因"), target: ActivityID(unchecked: "23/rural/满意度")), .badTarget),
        ("another field on an indicator key", op(.set(.title, "原因"), target: ActivityID(unchecked: "2023/rural/满意度")), .badTarget),
        ("a newer field named in capitals", op(.newerField("Organiser", "王主任")), .badCode),
        ("a newer field with NUL", op(.newerField("organiser", "王\u{0}主任")), .badText),
        ("a newer field on a path", op(.newerField("organiser", "王主任"), target: ActivityID(unchecked: "../../etc")), .badTarget),
    ]

    @Test(arguments: 0..<refused.count)
    func malformedOperationsAreRefusedWithAStableReason(index: Int) {
        let (name, op, reason) = Self.refused[index]
        #expect(AcceptanceRule.standard.check(op) == reason, "\(name)")
    }

    static let accepted: [(String, Op)] = [
        ("a title", op(.set(.title, "果树修剪技术培训"))),
        ("an empty venue (cleared)", op(.set(.venue, ""))),
        ("a known kind", op(.set(.kind, "rural"))),
        ("a newer ktx's kind", op(.set(.kind, "citizen_science"))),
        ("a newer ktx's metric", op(.add(metric: "volunteers", amount: 12))),
        ("a correction", op(.add(metric: "attendance", amount: -5))),
        ("the largest cost", op(.add(metric: "cost", amount: 100_000_000_000))),
        ("a leap day", op(.set(.date, "2024-02-29"))),
        ("a delete", op(.delete)),
        ("an indicator value", op(.indicator("92.5"), target: ActivityID(unchecked: "2023/rural/科技特派员覆盖率"))),
        ("notes of two lines", op(.set(.notes, "王主任带队\n李明记录"))),
        ("notes cleared", op(.set(.notes, ""))),
        ("notes on an indicator", op(.set(.notes, "汛期停办两次"), target: ActivityID(unchecked: "2023/rural/受益人口数"))),
        ("a newer ktx's field", op(.newerField("organiser", "王主任"))),
    ]

    @Test(arguments: 0..<accepted.count)
    func wellFormedOperationsAreAccepted(index: Int) {
        let (name, op) = Self.accepted[index]
        #expect(AcceptanceRule.standard.check(op) == nil, "\(name)")
    }

    @Test func theWireDecoderRefusesKindsItDoesNotDefine() throws {
        let row = WireOp(Self.op(.add(metric: "attendance", amount: 3)))
        var unknown = row
        unknown.kind = 4
        #expect(throws: RefusalReason.malformed) { try unknown.op(replica: Self.replica) }
        var setWithNumber = row
        setWithNumber.kind = 0
        #expect(throws: RefusalReason.malformed) { try setWithNumber.op(replica: Self.replica) }
        #expect(try row.op(replica: Self.replica) == Self.op(.add(metric: "attendance", amount: 3)))
        // A set of a field this version does not know decodes as a newer ktx's field.
        var newerField = WireOp(Self.op(.set(.title, "王主任")))
        newerField.field = "organiser"
        #expect(try newerField.op(replica: Self.replica) == Self.op(.newerField("organiser", "王主任")))
        #expect(WireOp(Self.op(.newerField("organiser", "王主任"))) == newerField)
        // A JSON row with kind 7 does not decode at all.
        let json = #"[1,110338420817297408,"0123456789ab-1",7,"attendance",3]"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode(WireOp.self, from: Data(json.utf8)) }
    }
}

import Foundation
