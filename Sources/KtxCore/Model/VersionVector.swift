/// What a replica or hub holds: for each replica, the highest sequence number such that
/// every operation from 1 up to it is held.
public struct VersionVector: Hashable, Sendable, Sequence {
    private(set) var entries: [ReplicaID: Int64]

    /// An empty vector: holds nothing.
    public init() { entries = [:] }

    /// A vector from explicit entries; zero entries are dropped.
    public init(_ entries: [ReplicaID: Int64]) {
        self.entries = entries.filter { $0.value > 0 }
    }

    /// The highest contiguous seq held from `replica`, 0 if none.
    public subscript(replica: ReplicaID) -> Int64 {
        get { entries[replica] ?? 0 }
        set { entries[replica] = newValue > 0 ? newValue : nil }
    }

    /// Replicas with at least one operation held.
    public var replicas: Dictionary<ReplicaID, Int64>.Keys { entries.keys }

    /// The total number of operations the vector covers.
    public var operationCount: Int64 { entries.values.reduce(0, +) }

    /// Whether this vector holds the operation `(replica, seq)`.
    public func contains(replica: ReplicaID, seq: Int64) -> Bool { self[replica] >= seq }

    /// How many operations `self` holds that `other` lacks.
    public func missing(from other: VersionVector) -> Int64 {
        entries.reduce(0) { $0 + Swift.max(0, $1.value - other[$1.key]) }
    }

    /// The entrywise maximum of two vectors.
    public func merged(with other: VersionVector) -> VersionVector {
        var out = self
        for (r, s) in other.entries where s > out[r] { out[r] = s }
        return out
    }

    /// Every replica with the last seq held of it.
    public func makeIterator() -> Dictionary<ReplicaID, Int64>.Iterator { entries.makeIterator() }
}
