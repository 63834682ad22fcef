/// The streamed pull: everything a hub holds beyond a version vector, as one response body
/// of frames, asked with `Accept: application/vnd.ktx.pull-stream` on `POST /v1/pull`.
/// Operations travel packed as the log stores them (``OpChunk``), so the hub writes and the
/// replica reads a few bytes per operation, and the replica merges while the hub still reads
/// its log; a hub that does not know it answers the JSON page, which a client takes as well.
///
/// Layout, integers big-endian:
///
///     "KTXPULL1"
///     run frame:  "R" · replica (16 bytes) · township (u16 length, 0xFFFF for none, UTF-8)
///                 · first seq (i64) · count (u32) · chunk (u32 length · OpChunk bytes)
///                 · seals (u16 count; each: first i64 · last i64 · prev, digest, key,
///                   signature, each u16 length · bytes)
///     end frame:  "E" · more (u8: 1 when the hub holds more than it sent)
///
/// A run frame holds operations of one replica with consecutive seqs, and the seals of the
/// signed runs they make up, whole: a frame never cuts a signed run.
public enum PullStream {
    /// The media type of a packed pull, asked for with `Accept` on `POST /v1/pull`.
    public static let contentType = "application/vnd.ktx.pull-stream"
    static let magic = Array("KTXPULL1".utf8)

    /// One frame: a run of one replica's operations, or the end.
    public enum Frame: Sendable {
        case run(replica: ReplicaID, township: String?, operations: [Op], seals: [RunSeal])
        case end(more: Bool)
    }

    /// The bytes every stream starts with (its format's magic and version).
    public static var header: [UInt8] { magic }

    /// Appends a run frame.
    public static func appendRun(replica: ReplicaID, township: String?, operations: [Op], seals: [RunSeal], to out: inout [UInt8]) {
        appendRun(replica: replica, township: township, first: operations.first?.seq ?? 1, count: operations.count,
                  packed: OpChunk.encode(operations), seals: seals, to: &out)
    }

    /// Appends a run frame of `count` operations from seq `first`, already packed
    /// (``OpChunk/encode(_:)``): a hub passes on the chunks its log stores.
    public static func appendRun(replica: ReplicaID, township: String?, first: Int64, count: Int, packed chunk: [UInt8],
                                 seals: [RunSeal], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "R"))
        out += replica.bytes
        if let township, township.utf8.count < 0xFFFF {
            put(UInt64(township.utf8.count), 2, &out)
            out += township.utf8
        } else {
            put(0xFFFF, 2, &out)
        }
        put(UInt64(bitPattern: first), 8, &out)
        put(UInt64(count), 4, &out)
        put(UInt64(chunk.count), 4, &out)
        out += chunk
        put(UInt64(seals.count), 2, &out)
        for seal in seals {
            put(UInt64(bitPattern: seal.first), 8, &out)
            put(UInt64(bitPattern: seal.last), 8, &out)
            for part in [seal.prev, seal.digest, seal.key, seal.signature] {
                put(UInt64(part.count), 2, &out)
                out += part
            }
        }
    }

    /// Appends the end frame.
    public static func appendEnd(more: Bool, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "E"))
        out.append(more ? 1 : 0)
    }

    private static func put(_ value: UInt64, _ width: Int, _ out: inout [UInt8]) {
        for i in stride(from: width - 1, through: 0, by: -1) { out.append(UInt8(truncatingIfNeeded: value >> (UInt64(i) * 8))) }
    }

    /// The content type of a packed push (`POST /v1/ops`): the header, one run frame, the
    /// end frame; a few bytes per operation instead of JSON's hundred or more, and no JSON to
    /// write or parse on either side. A client sends it to a hub that names it in its
    /// version vector's `accepts` (`HubAPI.Vector` (SyncCore)); to others, JSON.
    public static let pushContentType = "application/vnd.ktx.ops"

    /// A packed push of a run of one replica's operations.
    public static func encodePush(_ operations: [Op], township: String?, seals: [RunSeal]) -> [UInt8] {
        var out = header
        if let replica = operations.first?.replica {
            appendRun(replica: replica, township: township, operations: operations, seals: seals, to: &out)
        }
        appendEnd(more: false, to: &out)
        return out
    }

    /// The run of a packed push: exactly one run frame, then the end frame, nothing after,
    /// every text valid UTF-8.
    ///
    /// - Throws: ``Malformed`` for anything else.
    public static func decodePush(_ bytes: [UInt8]) throws(Malformed) -> (replica: ReplicaID, township: String?, operations: [Op], seals: [RunSeal]) {
        var decoder = Decoder()
        decoder.strictText = true
        decoder.append(bytes)
        guard case let .run(replica, township, operations, seals)? = try decoder.next(),
              case .end(more: false)? = try decoder.next(), decoder.pending == 0 else { throw Malformed() }
        return (replica, township, operations, seals)
    }

    /// Reads frames from bytes as they arrive: ``append(_:)`` what came, then ``next()``
    /// until it returns nil (a frame not whole yet).
    public struct Decoder: Sendable {
        private var buffer: [UInt8] = []
        private var start = 0
        private var sawHeader = false
        /// The largest frame accepted (a hub sends runs of at most a page of operations).
        public var maxFrameBytes = 256 << 20
        /// Refuse text that is not valid UTF-8 instead of repairing it (bytes from a client).
        public var strictText = false

        /// An empty decoder, fed bytes as they arrive with ``append(_:)``.
        public init() {}

        /// Adds bytes that arrived; ``next()`` then returns every frame they complete.
        public mutating func append(_ bytes: some Sequence<UInt8>) {
            if start > 0 && start >= buffer.count / 2 {
                buffer.removeFirst(start)
                start = 0
            }
            buffer += bytes
        }

        /// Bytes received and not yet read as a frame.
        public var pending: Int { buffer.count - start }

        /// The next whole frame, or nil until more bytes come.
        ///
        /// - Throws: ``PullStream/Malformed`` for bytes that are not this format.
        public mutating func next() throws(Malformed) -> Frame? {
            if !sawHeader {
                guard pending >= magic.count else { return nil }
                guard Array(buffer[start..<(start + magic.count)]) == magic else { throw Malformed() }
                start += magic.count
                sawHeader = true
            }
            var reader = Reader(bytes: buffer, at: start)
            guard let tag = reader.bytes(1)?.first else { return nil }
            switch tag {
            case UInt8(ascii: "E"):
                guard let more = reader.bytes(1)?.first else { return nil }
                start = reader.at
                return .end(more: more != 0)
            case UInt8(ascii: "R"):
                guard let id = reader.bytes(16) else { return nil }
                guard let replica = ReplicaID(bytes: id) else { throw Malformed() }
                guard let length = reader.int(2) else { return nil }
                var township: String?
                if length != 0xFFFF {
                    guard let text = reader.bytes(Int(length)) else { return nil }
                    township = String(validating: text, as: UTF8.self)
                    guard township != nil else { throw Malformed() }
                }
                guard let first = reader.int(8), let count = reader.int(4), let chunkLength = reader.int(4) else { return nil }
                guard chunkLength <= UInt64(maxFrameBytes), count <= chunkLength else { throw Malformed() }
                guard let chunk = reader.bytes(Int(chunkLength)), let sealCount = reader.int(2) else { return nil }
                var seals: [RunSeal] = []
                for _ in 0..<sealCount {
                    guard let sealFirst = reader.int(8), let sealLast = reader.int(8) else { return nil }
                    var parts: [[UInt8]] = []
                    for _ in 0..<4 {
                        guard let n = reader.int(2) else { return nil }
                        guard let part = reader.bytes(Int(n)) else { return nil }
                        parts.append(part)
                    }
                    seals.append(RunSeal(first: Int64(bitPattern: sealFirst), last: Int64(bitPattern: sealLast),
                                         prev: parts[0], digest: parts[1], key: parts[2], signature: parts[3]))
                }
                let firstSeq = Int64(bitPattern: first)
                let decoded = chunk.withUnsafeBytes { bytes in
                    Result { () throws(OpChunk.Damaged) in
                        try OpChunk.decode(bytes, replica: replica, firstSeq: firstSeq, from: firstSeq, limit: .max, strictText: strictText)
                    }
                }
                guard case .success(let operations) = decoded else { throw Malformed() }
                guard operations.count == Int(count) else { throw Malformed() }
                start = reader.at
                return .run(replica: replica, township: township, operations: operations, seals: seals)
            default:
                throw Malformed()
            }
        }
    }

    /// Bytes that are not a pull stream.
    public struct Malformed: Error, Sendable {}

    private struct Reader {
        let bytes: [UInt8]
        var at: Int

        init(bytes: [UInt8], at: Int) {
            self.bytes = bytes
            self.at = at
        }

        mutating func bytes(_ n: Int) -> [UInt8]? {
            guard n >= 0, bytes.count - at >= n else { return nil }
            defer { at += n }
            return Array(bytes[at..<(at + n)])
        }

        mutating func int(_ width: Int) -> UInt64? {
            guard bytes.count - at >= width else { return nil }
            var value: UInt64 = 0
            for i in 0..<width { value = value << 8 | UInt64(bytes[at + i]) }
            at += width
            return value
        }
    }
}
