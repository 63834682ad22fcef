import Foundation
import Store
import FolderHub
import SyncCore

/// Opens replicas and folder hubs in one temporary folder.
public struct ReplicaLab: Sendable {
    public let dir: TemporaryDirectory
    public let clock: ManualClock

    public init(_ label: String = "lab") {
        dir = TemporaryDirectory(label)
        clock = ManualClock()
    }

    /// The name the county office's replicas record under (`ktx init --county`).
    public static let countyOffice = "县科协"

    /// A new replica in the lab, optionally with a chosen key (its id is derived from it).
    /// Without a role, a replica of ``countyOffice`` is the county's and any other a township's.
    public func replica(_ name: String, township: String, role: Roster.Role? = nil, key: [UInt8]? = nil) throws -> Store {
        try Store.create(at: dir.file("\(name).db"), township: township,
                         role: role ?? (township == Self.countyOffice ? .county : .township), wallClock: clock, key: key)
    }

    /// Raw signing keys whose replicas' ids come in the order given: `ordered(2)[0]`'s id is
    /// the smaller (for tests of tie-breaks and of which replica goes first).
    public static func orderedKeys(_ count: Int) -> [[UInt8]] {
        var rng = SystemRandomNumberGenerator()
        let keys = (0..<count).map { _ in (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        return keys.sorted { try! Store.replicaID(forKey: $0) < Store.replicaID(forKey: $1) }
    }

    /// A folder hub in the lab (made on first use, as `ktx hub init` does), written by `store`'s replica.
    public func hub(_ name: String = "hub", for store: Store, durable: Bool = true) throws -> FileHub {
        if !FileManager.default.fileExists(atPath: dir.file(name)) { _ = try FileHub.create(at: dir.file(name)) }
        return FileHub(path: dir.file(name), writer: try store.identity().replica, durable: durable)
    }

    /// Syncs a replica with a folder hub.
    @discardableResult
    public func sync(_ store: Store, hub name: String = "hub", batchSize: Int = 5_000, durable: Bool = true) async throws -> SyncReport {
        try await SyncSession(store: store, hub: try hub(name, for: store, durable: durable), batchSize: batchSize).run()
    }

    public func remove() { dir.remove() }
}

/// A hub that forwards to another until a budget of calls runs out, then fails like a
/// cut connection or a pulled USB stick.
public actor InterruptingHub: Hub {
    public nonisolated let location: String
    private let inner: any Hub
    private var budget: Int

    public struct Cut: Error {}

    public nonisolated var relaysEveryReplica: Bool { inner.relaysEveryReplica }

    public init(_ inner: any Hub, calls: Int) {
        self.inner = inner
        self.location = inner.location
        self.budget = calls
    }

    private func spend() throws {
        guard budget > 0 else { throw Cut() }
        budget -= 1
    }

    public func versionVector() async throws -> VersionVector {
        try spend()
        return try await inner.versionVector()
    }

    public func push(_ operations: [Op], township: String?, seal: RunSeal?) async throws {
        try spend()
        try await inner.push(operations, township: township, seal: seal)
    }

    public func clockMillis() async -> Int64? { await inner.clockMillis() }

    public func pull(after vector: VersionVector, limit: Int) async throws -> PullPage {
        try spend()
        return try await inner.pull(after: vector, limit: limit)
    }
}
