import Foundation
import FolderHub
import SyncCore
import Testing

@Suite struct OperationFileTests {
    let replica = ReplicaID(high: 0xAB, low: 0xCD)
    let writer = ReplicaID(high: 0x12, low: 0x34)

    func sample() -> [Op] {
        let id = ActivityID(replica: replica, seq: 1)
        let t = HLCTimestamp(millis: 1_684_540_800_000, counter: 0)
        return [
            Op(replica: replica, seq: 1, timestamp: t, activity: id, change: .set(.title, "果树\"修剪\"\n培训\\")),
            Op(replica: replica, seq: 2, timestamp: HLCTimestamp(rawValue: t.rawValue + 1), activity: id, change: .add(metric: "attendance", amount: -5)),
            Op(replica: replica, seq: 3, timestamp: HLCTimestamp(rawValue: t.rawValue + 2), activity: id, change: .delete),
        ]
    }

    @Test func operationsRoundTripThroughAFile() throws {
        let bytes = OperationFile.encode(sample(), township: "河西镇", writer: writer)
        let (header, ops) = try OperationFile.decode(bytes, replica: replica, first: 1, last: 3)
        #expect(ops == sample())
        #expect(header.township == "河西镇")
        #expect(header.writer == writer.hex)
        let name = OperationFile.name(first: 1, last: 3, writer: writer)
        #expect(name == "000000000001-000000000003-\(writer.hex).ktxops")
        #expect(OperationFile.parseName(name)?.last == 3)
    }

    /// A folder hub's listing reads every file name on every sync: what ktx names is read
    /// back, and nothing else passes for an operation file.
    @Test func fileNamesAreReadBackAndNothingElsePasses() throws {
        let other = ReplicaID.random()
        for (first, last) in [(1, 1), (1, 5_000), (5_001, 10_000), (999_999_999_999, 999_999_999_999)] as [(Int64, Int64)] {
            let parsed = try #require(OperationFile.parseName(OperationFile.name(first: first, last: last, writer: other)))
            #expect(parsed.first == first && parsed.last == last && parsed.writer == other)
        }
        let good = OperationFile.name(first: 7, last: 9, writer: writer)
        let hex = writer.hex
        for bad in [
            "000000000009-000000000007-\(hex).ktxops",   // last before first
            "000000000000-000000000007-\(hex).ktxops",   // seqs start at 1
            "+00000000001-000000000007-\(hex).ktxops",   // a sign
            "00000000000a-000000000007-\(hex).ktxops",   // not a digit
            "0000000000001-000000000007-\(hex).ktxops",  // 13 digits
            "000000000001_000000000007-\(hex).ktxops",   // another separator
            "000000000001-000000000007-\(hex.dropLast()).ktxops",
            "000000000001-000000000007-\(hex.dropLast())g.ktxops",
            "000000000001-000000000007-\(hex).ktxopz",
            good + ".tmp", String(good.dropLast()), "", "顺序-000000000007-\(hex).ktxops",
        ] {
            #expect(OperationFile.parseName(bad) == nil, "\(bad)")
        }
        #expect(OperationFile.parseName(good)?.writer == writer)
    }

    /// Ids read from bytes (a database row's Data, an array, any other collection) and from
    /// hex digits (a string or a part of one) are the same id.
    @Test func replicaIDsReadFromBytesAndDigitsAgree() throws {
        let id = ReplicaID.random()
        #expect(ReplicaID(bytes: Data(id.bytes)) == id)
        #expect(ReplicaID(bytes: id.bytes) == id)
        #expect(ReplicaID(bytes: id.bytes.lazy.map { $0 }) == id)
        #expect(ReplicaID(bytes: Data(id.bytes).dropFirst(0)) == id)
        #expect(ReplicaID(bytes: Data(id.bytes + [0])) == nil)
        #expect(ReplicaID(bytes: Array(id.bytes.dropLast())) == nil)
        #expect(ReplicaID(hex: "x" + id.hex) == nil)
        #expect(ReplicaID(hex: ("x" + id.hex).dropFirst()) == id)
        #expect(ReplicaID(hex: id.hex.uppercased()) == id)
        #expect(ReplicaID(hex: String(id.hex.dropLast()) + "g") == nil)
    }

    /// The fast row parser gives what JSONDecoder gives for everything the writer writes
    /// (escapes, control characters, CJK, negative numbers, every kind), and declines
    /// (nil, so the caller falls back to JSONDecoder) anything else.
    @Test func theFastRowParserAgreesWithJSONDecoder() throws {
        let id = ActivityID(replica: replica, seq: 1)
        let t = HLCTimestamp(millis: 1_684_540_800_000, counter: 0)
        var ops = sample()
        ops.append(Op(replica: replica, seq: 4, timestamp: t, activity: id, change: .set(.venue, "村\u{1}\t\r/é")))
        ops.append(Op(replica: replica, seq: 5, timestamp: t, activity: IndicatorKey(year: 2023, project: "rural", indicator: "满意度").target,
                      change: .indicator("92.5")))
        ops.append(Op(replica: replica, seq: 6, timestamp: t, activity: id, change: .add(metric: "cost", amount: Int64.max)))
        var body: [UInt8] = [UInt8(ascii: "[")]
        for (i, op) in ops.enumerated() {
            if i > 0 { body.append(UInt8(ascii: ",")) }
            OperationRow.append(op, to: &body)
        }
        body.append(UInt8(ascii: "]"))
        let fast = body.withUnsafeBytes { WireOp.parseRows($0) }
        let slow = try JSONDecoder().decode([WireOp].self, from: Data(body))
        #expect(fast == slow)
        #expect(fast?.compactMap { try? $0.op(replica: replica) } == ops)
        #expect(Array("[]".utf8).withUnsafeBytes { WireOp.parseRows($0) } == [])
        for other in ["[ [1,2,\"a\",2,\"\",null]]", "[[1,2,\"a\",2,\"\",null],]", "[[01,2,\"a\",2,\"\",null]]",
                      "[[1,2,\"a\",1,\"x\",99999999999999999999]]", "[[1,2,\"\\ud83d\\ude00\",0,\"title\",\"x\"]]",
                      "[[1,2,\"a\",2,\"\",null]", "[[1,2,\"a\",7,\"\",null]]"] {
            #expect(Array(other.utf8).withUnsafeBytes { WireOp.parseRows($0) } == nil, "\(other)")
        }
    }

    @Test func everyFlippedByteOrTruncationIsDetected() {
        let bytes = OperationFile.encode(sample(), township: nil, writer: writer)
        let headerEnd = bytes.indices.filter { bytes[$0] == 0x0A }[1]
        for i in stride(from: headerEnd + 1, to: bytes.count, by: 3) {
            var damaged = bytes
            damaged[i] ^= 0x20
            #expect(throws: OperationFile.Problem.self) { try OperationFile.decode(damaged, replica: replica, first: 1, last: 3) }
        }
        #expect(throws: OperationFile.Problem.self) { try OperationFile.decode(Array(bytes.dropLast(4)), replica: replica, first: 1, last: 3) }
    }

    @Test func aFileUnderTheWrongNameOrFolderIsForeign() {
        let bytes = OperationFile.encode(sample(), township: nil, writer: writer)
        #expect(throws: OperationFile.Problem(reason: .foreign, detail: "header does not match the file's name and folder")) {
            try OperationFile.decode(bytes, replica: writer, first: 1, last: 3)
        }
        #expect(throws: OperationFile.Problem(reason: .foreign, detail: "header does not match the file's name and folder")) {
            try OperationFile.decode(bytes, replica: replica, first: 1, last: 4)
        }
        #expect(throws: OperationFile.Problem(reason: .foreign, detail: "not a ktx operation file")) {
            try OperationFile.decode(Array("PK\u{3}\u{4} zip".utf8), replica: replica, first: 1, last: 3)
        }
    }
}
