/// A replica's identity: 128 random bits, written as 32 lowercase hex digits.
///
/// Replica ids are compared byte by byte (big-endian), which is also the order of their
/// hex strings; the larger id wins a last-writer-wins tie (see ``MergeRules``).
public struct ReplicaID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The first 8 bytes, big-endian.
    public let high: UInt64
    /// The last 8 bytes, big-endian.
    public let low: UInt64

    /// Makes an id from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A new random id, from the system's cryptographically secure generator.
    public static func random() -> ReplicaID {
        var rng = SystemRandomNumberGenerator()
        return ReplicaID(high: rng.next(), low: rng.next())
    }

    /// Parses 32 hex digits (either case); nil for anything else.
    public init?(hex: some StringProtocol) {
        // Read in place: this runs for every folder and file name of a folder hub's listing.
        let parsed = hex.utf8.withContiguousStorageIfAvailable { Self.parse(hex: UnsafeRawBufferPointer($0)) }
            ?? Array(hex.utf8).withUnsafeBytes { Self.parse(hex: $0) }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Parses 32 hex digits given as UTF-8 bytes (either case); nil for anything else.
    public static func parse(hex utf8: UnsafeRawBufferPointer) -> ReplicaID? {
        guard utf8.count == 32 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<32 {
            guard let nibble = Hex.value(of: utf8[i]) else { return nil }
            if i < 16 { high = high << 4 | UInt64(nibble) } else { low = low << 4 | UInt64(nibble) }
        }
        return ReplicaID(high: high, low: low)
    }

    /// Makes an id from exactly 16 bytes, big-endian; nil for any other length.
    public init?(bytes: some Collection<UInt8>) {
        // Contiguous bytes (Data from a database row, [UInt8]) are read in place: this runs
        // once per replica on every version-vector read, thousands of times on a big hub.
        if let id = bytes.withContiguousStorageIfAvailable({ Self.read(UnsafeRawBufferPointer($0)) }) {
            guard let id else { return nil }
            self = id
            return
        }
        guard let id = Array(bytes).withUnsafeBytes({ Self.read($0) }) else { return nil }
        self = id
    }

    private static func read(_ raw: UnsafeRawBufferPointer) -> ReplicaID? {
        guard raw.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<8 { high = high << 8 | UInt64(raw[i]) }
        for i in 8..<16 { low = low << 8 | UInt64(raw[i]) }
        return ReplicaID(high: high, low: low)
    }

    /// The 16 bytes, big-endian.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> (56 - 8 * $0)) }
    }

    /// 32 lowercase hex digits.
    public var hex: String { Hex.string(high, digits: 16) + Hex.string(low, digits: 16) }

    /// The first 12 hex digits: enough to tell replicas apart in messages and activity ids.
    public var short: String { String(hex.prefix(12)) }

    /// The id as 32 hex digits.
    public var description: String { hex }

    /// Orders by the id's bytes: the larger id wins a tie of timestamps.
    public static func < (lhs: ReplicaID, rhs: ReplicaID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }
}

/// Hex digits.
/// A public key's fingerprint, to read out on the phone: the first 8 bytes of its SHA-256,
/// in four groups of four hex digits (`3fa9-c2d1-b0e4-17aa`). The hash is the caller's (SyncCore
/// has no cryptography); `ktx status`, `remote add` and the hub commands all show this form.
public enum KeyFingerprint {
    /// The fingerprint of a key, given the SHA-256 of its bytes.
    public static func format(sha256 digest: some Sequence<UInt8>) -> String {
        let hex = Hex.string(Array(digest.prefix(8)))
        return stride(from: 0, to: 16, by: 4).map { i in
            String(hex[hex.index(hex.startIndex, offsetBy: i)..<hex.index(hex.startIndex, offsetBy: i + 4)])
        }.joined(separator: "-")
    }
}

extension ReplicaID {
    /// What a new replica's id is the SHA-256 of (its first 16 bytes): the format's tag and the
    /// replica's Ed25519 public key, so nobody without the key can sign operations for it.
    public static func derivationMessage(publicKey: [UInt8]) -> [UInt8] {
        Array("ktx-replica-1\n".utf8) + publicKey
    }
}

/// Lower-case hex, as ids, keys and hashes are written.
public enum Hex {
    /// The value of one hex digit (either case), nil for any other byte.
    public static func value(of c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Bytes (a digest, say) in lowercase hex, two digits each.
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for b in bytes { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes an even number of hex digits spell; nil for anything else.
    public static func bytes(_ text: some StringProtocol) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = 0
        while i < digits.count {
            guard let hi = value(of: digits[i]), let lo = value(of: digits[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    /// `value` in lowercase hex, left-padded with zeros to `digits`.
    public static func string(_ value: UInt64, digits: Int) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }
}
