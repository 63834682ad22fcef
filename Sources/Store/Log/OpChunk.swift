import SyncCore

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
            }
        }
        var out: [UInt8] = [version]
        out.reserveCapacity(body.count + table.count * 16 + 16)
        put(UInt64(ops.count), &out)
        put(UInt64(table.count), &out)
        for s in table { putString(s, &out) }
        out += body
        return out
    }

    /// Unpacks a chunk.
    ///
    /// - Throws: ``KtxError`` `storage` if the bytes are not a chunk this version wrote.
    public static func decode(_ bytes: UnsafeRawBufferPointer, replica: ReplicaID, firstSeq: Int64) throws -> [Op] {
        var reader = Reader(bytes: bytes)
        guard reader.byte() == version else { throw damaged }
        let count = Int(try reader.varint())
        let stringCount = Int(try reader.varint())
        guard count <= bytes.count, stringCount <= bytes.count else { throw damaged }
        var table: [String] = []
        table.reserveCapacity(stringCount)
        for _ in 0..<stringCount { table.append(try reader.string()) }
        var ops: [Op] = []
        ops.reserveCapacity(count)
        var hlc: Int64 = 0
        for i in 0..<count {
            hlc = hlc &+ (try reader.signed())
            let target = Int(try reader.varint())
            guard target < table.count, let code = reader.byte(), let kind = OperationKind(rawValue: code) else { throw damaged }
            let change: Change
            switch kind {
            case .set:
                let name = Int(try reader.varint())
                guard name < table.count, let field = Field(rawValue: table[name]) else { throw damaged }
                change = .set(field, try reader.string())
            case .add:
                let name = Int(try reader.varint())
                guard name < table.count else { throw damaged }
                change = .add(metric: table[name], amount: try reader.signed())
            case .delete: change = .delete
            case .indicator: change = .indicator(try reader.string())
            }
            ops.append(Op(replica: replica, seq: firstSeq + Int64(i), timestamp: HLCTimestamp(rawValue: hlc),
                          activity: ActivityID(unchecked: table[target]), change: change))
        }
        guard reader.atEnd else { throw damaged }
        return ops
    }

    /// Unpacks a chunk held in an array.
    public static func decode(_ bytes: [UInt8], replica: ReplicaID, firstSeq: Int64) throws -> [Op] {
        try bytes.withUnsafeBytes { try decode($0, replica: replica, firstSeq: firstSeq) }
    }

    /// The error for a chunk that cannot be read.
    public static var damaged: KtxError {
        KtxError(.storage, zh: "操作日志已损坏（无法解读一段记录）；请从同步服务器重新拉取到新的副本",
                 en: "the operation log is damaged (a chunk cannot be read); pull into a new replica from the hub")
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

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var at = 0

        var atEnd: Bool { at == bytes.count }

        mutating func byte() -> UInt8? {
            guard at < bytes.count else { return nil }
            defer { at += 1 }
            return bytes[at]
        }

        mutating func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard let b = byte(), shift < 64 else { throw OpChunk.damaged }
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
        }

        mutating func signed() throws -> Int64 {
            let v = try varint()
            return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
        }

        mutating func string() throws -> String {
            let n = Int(try varint())
            guard n <= bytes.count - at else { throw OpChunk.damaged }
            defer { at += n }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)]), as: UTF8.self)
        }
    }
}
