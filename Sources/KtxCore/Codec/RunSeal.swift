/// The signature of a run: a contiguous range of one replica's operations, signed by that
/// replica's key (Ed25519) and chained to the run before it.
///
/// A replica seals its own operations into runs when it first publishes them (at most
/// ``maxOperations`` each), and every relay carries the run as it was sealed, so a receiver
/// can check, whoever handed it the operations, that the replica made exactly these:
///
/// - `digest` is the SHA-256 of the run's canonical form: its operations packed as the log
///   stores them (the Store's `OpChunk`, format 1), which a receiver makes anyway;
/// - `prev` is the hash (`RunSigning.hash` in Store) of the replica's run ending at `first - 1` (zeros for the first
///   signed run, whose `first - 1` operations, if any, were made before ktx signed);
/// - `signature` signs ``message(replica:)``.
///
/// Two different runs for the same seqs, both validly signed, prove that one replica's
/// database exists twice (a copied PC, a restored backup).
///
/// The cryptography is the Store's (swift-crypto); this type is only the data, shared by
/// the folder format and the HTTP protocol.
public struct RunSeal: Hashable, Sendable {
    /// The most operations one run holds (a folder file holds at most one run).
    public static let maxOperations = 5_000

    /// The first seq of the run.
    public var first: Int64
    /// The last seq of the run (inclusive).
    public var last: Int64
    /// 32 bytes.
    public var prev: [UInt8]
    /// 32 bytes.
    public var digest: [UInt8]
    /// The signer's Ed25519 public key, 32 bytes.
    public var key: [UInt8]
    /// 64 bytes.
    public var signature: [UInt8]

    /// A seal from its parts; ``signature`` is filled in by the signer.
    public init(first: Int64, last: Int64, prev: [UInt8], digest: [UInt8], key: [UInt8], signature: [UInt8]) {
        self.first = first
        self.last = last
        self.prev = prev
        self.digest = digest
        self.key = key
        self.signature = signature
    }

    /// The `prev` of a replica's first signed run.
    public static let origin = [UInt8](repeating: 0, count: 32)

    /// Whether every field has its length.
    public var isWellFormed: Bool {
        first >= 1 && last >= first && last - first < Int64(Self.maxOperations) * 2
            && prev.count == 32 && digest.count == 32 && key.count == 32 && signature.count == 64
    }

    /// What is signed: the format, the replica, the range, the chain and the content.
    public func message(replica: ReplicaID) -> [UInt8] {
        var out = Array("ktx-run-1\n".utf8)
        out += replica.bytes
        for n in [first, last] { withUnsafeBytes(of: n.bigEndian) { out += $0 } }
        out += prev
        out += digest
        return out
    }
}
