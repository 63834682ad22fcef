/// Operations of one replica with consecutive seqs, packed into one byte string: how the
/// log stores them (one row per chunk, not per operation).
///
/// Layout (every integer a LEB128 varint, signed ones zigzag-encoded):
///
///     version (1 byte, 1) · count · string count · strings (length · UTF-8)
///     then per operation: Δhlc (signed, from the previous one; the first from 0) ·
///     target (string index) · kind (1 byte) · payload
///
/// Payloads: set: field name (string index) · value (length · UTF-8); add: metric
/// (string index) · amount (signed); delete: nothing; indicator: value (length · UTF-8).
/// Activity ids, field names and metric codes are written once per chunk, so a chunk of
/// additions costs a few bytes per operation. The seq of the i-th operation is the
/// chunk's first seq + i; the replica is the chunk row's.
public enum OpChunk {
    static let version: UInt8 = 1

    /// Packs operations of one replica whose seqs follow each other without gaps.
    public static func encode(_ ops: some Collection<Op>) -> [UInt8] {
        var strings: [String: Int] = [:]
        var table: [String] = []
        strings.reserveCapacity(ops.count + 8)
        table.reserveCapacity(ops.count + 8)
        var body: [UInt8] = []
        body.reserveCapacity(ops.count * 8)
        func index(_ s: String) -> Int {
            if let i = strings[s] { return i }
            strings[s] = table.count
            table.append(s)
            return table.count - 1
        }
        // Field names and metric codes are few and repeat on nearly every operation:
        // looked up without hashing.
        var fieldIndex = [Int](repeating: -1, count: Field.allCases.count)
        var metrics: [(name: String, index: Int)] = []
        var previous: Int64 = 0
        for op in ops {
            let hlc = op.timestamp.rawValue
            putSigned(hlc &- previous, &body)
            previous = hlc
            put(UInt64(index(op.activity.rawValue)), &body)
            body.append(op.change.kind.rawValue)
            switch op.change {
            case let .set(field, value):
                if fieldIndex[field.index] < 0 { fieldIndex[field.index] = index(field.rawValue) }
                put(UInt64(fieldIndex[field.index]), &body)
                putString(value, &body)
            case let .add(metric, amount):
                let i: Int
                if let known = metrics.first(where: { $0.name == metric }) {
                    i = known.index
                } else {
                    i = index(metric)
                    if metrics.count < 16 { metrics.append((metric, i)) }
                }
                put(UInt64(i), &body)
                putSigned(amount, &body)
            case .delete:
                break
            case let .indicator(value):
                putString(value, &body)
            case let .newerField(name, value):
                put(UInt64(index(name)), &body)
                putString(value, &body)
            }
        }
        var out: [UInt8] = [version]
        // Room for all of it (a length takes at most 10 bytes): a chunk held for writing
        // keeps no spare capacity from growing.
        out.reserveCapacity(body.count + table.reduce(0) { $0 + $1.utf8.count + 10 } + 21)
        put(UInt64(ops.count), &out)
        put(UInt64(table.count), &out)
        for s in table { putString(s, &out) }
        out += body
        return out
    }

    /// Unpacks a chunk.
    ///
    /// - Throws: ``Damaged`` if the bytes are not a chunk this version wrote.
    public static func decode(_ bytes: UnsafeRawBufferPointer, replica: ReplicaID, firstSeq: Int64) throws(OpChunk.Damaged) -> [Op] {
        try decode(bytes, replica: replica, firstSeq: firstSeq, from: firstSeq, limit: .max)
    }

    /// Unpacks the operations of a chunk from seq `from`, at most `limit` of them: a pull
    /// page needs a part of a chunk, and strings (ids, texts) are made only for what it returns.
    /// The whole chunk is checked only when all of it is read.
    ///
    /// - Parameters:
    ///   - bytes: the chunk as the log stores it.
    ///   - replica: the replica whose operations it holds.
    ///   - firstSeq: the seq of its first operation.
    ///   - from: the first seq wanted.
    ///   - limit: at most this many operations.
    ///   - strictText: refuse a string that is not valid UTF-8 instead of repairing it
    ///     (bytes from a client, not from a log this replica or its hub wrote).
    public static func decode(_ bytes: UnsafeRawBufferPointer, replica: ReplicaID, firstSeq: Int64,
                              from: Int64, limit: Int, strictText: Bool = false) throws(OpChunk.Damaged) -> [Op] {
        var reader = Reader(bytes: bytes)
        guard reader.byte() == version else { throw OpChunk.Damaged() }
        let count = try reader.length()
        let stringCount = try reader.length()
        guard count <= bytes.count, stringCount <= bytes.count, !firstSeq.addingReportingOverflow(Int64(count)).overflow else { throw OpChunk.Damaged() }
        var table = try StringTable(&reader, count: stringCount, strict: strictText)
        let skip = Int(max(0, min(Int64(count), from - firstSeq)))
        let end = limit >= count - skip ? count : skip + limit
        var ops: [Op] = []
        ops.reserveCapacity(end - skip)
        var hlc: Int64 = 0
        for i in 0..<end {
            hlc = hlc &+ (try reader.signed())
            let target = try reader.length()
            guard target < stringCount, let code = reader.byte(), let kind = OperationKind(rawValue: code) else { throw OpChunk.Damaged() }
            // Operations before `from` are read past: no string is made for them.
            guard let change = try change(kind, &reader, &table, wanted: i >= skip) else { continue }
            ops.append(Op(replica: replica, seq: firstSeq + Int64(i), timestamp: HLCTimestamp(rawValue: hlc),
                          activity: ActivityID(unchecked: try table.string(target)), change: change))
        }
        if end == count { guard reader.atEnd else { throw OpChunk.Damaged() } }
        return ops
    }

    /// Unpacks a chunk held in an array.
    public static func decode(_ bytes: [UInt8], replica: ReplicaID, firstSeq: Int64) throws(OpChunk.Damaged) -> [Op] {
        let decoded = bytes.withUnsafeBytes { buffer in Result { () throws(OpChunk.Damaged) in try decode(buffer, replica: replica, firstSeq: firstSeq) } }
        return try decoded.get()
    }

    /// Bytes that are not a chunk this version wrote.
    public struct Damaged: Error, Sendable, Equatable {
        /// The error for a chunk that cannot be read.
        public init() {}
    }

    private static func put(_ value: UInt64, _ out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    private static func putSigned(_ value: Int64, _ out: inout [UInt8]) {
        put(UInt64(bitPattern: (value << 1) ^ (value >> 63)), &out)
    }

    private static func putString(_ s: String, _ out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            put(UInt64(utf8.count), &out)
            out.append(contentsOf: utf8)
        }
    }

    /// The chunk's string table as places in the bytes; each string is made once, when
    /// first used.
    private struct StringTable {
        let bytes: UnsafeRawBufferPointer
        let strict: Bool
        var places: [(start: Int, count: Int)] = []
        var made: [String?]

        init(_ reader: inout Reader, count: Int, strict: Bool) throws(OpChunk.Damaged) {
            bytes = reader.bytes
            self.strict = strict
            places.reserveCapacity(count)
            for _ in 0..<count { places.append(try reader.skipString()) }
            made = [String?](repeating: nil, count: count)
        }

        var count: Int { places.count }

        /// The text at a place: repaired if it is not valid UTF-8, or with `strict` refused.
        func text(_ p: (start: Int, count: Int)) throws(OpChunk.Damaged) -> String {
            let utf8 = UnsafeRawBufferPointer(rebasing: bytes[p.start..<(p.start + p.count)])
            guard strict else { return String(decoding: utf8, as: UTF8.self) }
            guard let s = String(validating: utf8, as: UTF8.self) else { throw OpChunk.Damaged() }
            return s
        }

        mutating func string(_ i: Int) throws(OpChunk.Damaged) -> String {
            if let s = made[i] { return s }
            let s = try text(places[i])
            made[i] = s
            return s
        }
    }

    /// Reads one operation's change after its kind byte; nil (its bytes read past) when it
    /// is not `wanted`.
    @inline(__always)
    private static func change(_ kind: OperationKind, _ reader: inout Reader, _ table: inout StringTable,
                               wanted: Bool) throws(OpChunk.Damaged) -> Change? {
        switch kind {
        case .set:
            let name = try reader.length()
            guard name < table.count else { throw OpChunk.Damaged() }
            let value = try reader.skipString()
            guard wanted else { return nil }
            let text = try table.text(value)
            guard let field = Field(rawValue: try table.string(name)) else { return .newerField(try table.string(name), text) }
            return .set(field, text)
        case .add:
            let name = try reader.length()
            guard name < table.count else { throw OpChunk.Damaged() }
            let amount = try reader.signed()
            guard wanted else { return nil }
            return .add(metric: try table.string(name), amount: amount)
        case .delete:
            return wanted ? .delete : nil
        case .indicator:
            let value = try reader.skipString()
            guard wanted else { return nil }
            return .indicator(try table.text(value))
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        var atEnd: Bool { at == bytes.count }

        mutating func byte() -> UInt8? {
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func varint() throws(OpChunk.Damaged) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard let b = byte(), shift < 64 else { throw OpChunk.Damaged() }
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
        }

        mutating func signed() throws(OpChunk.Damaged) -> Int64 {
            let v = try varint()
            return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
        }

        /// A count, length or index: a varint no larger than `Int.max` (a larger one is not
        /// from a chunk, and must not trap).
        mutating func length() throws(OpChunk.Damaged) -> Int {
            let v = try varint()
            guard v <= UInt64(Int.max) else { throw OpChunk.Damaged() }
            return Int(v)
        }

        /// Steps over a string, returning where its bytes are.
        mutating func skipString() throws(OpChunk.Damaged) -> (start: Int, count: Int) {
            let n = try length()
            guard n <= bytes.count - at else { throw OpChunk.Damaged() }
            defer { at += n }
            return (at, n)
        }

        mutating func string() throws(OpChunk.Damaged) -> String {
            let n = try length()
            guard n <= bytes.count - at else { throw OpChunk.Damaged() }
            defer { at += n }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)]), as: UTF8.self)
        }
    }
}
