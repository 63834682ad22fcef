import Foundation
import HubPostgres
import HubServer
import HubStorage
import Hummingbird
import Logging
import Store
import SyncCore
import TestSupport
import Testing

/// The hub's stores the suite runs on: SQLite always; PostgreSQL when `KTX_TEST_POSTGRES`
/// names a server (`postgres://USER@HOST:PORT/DB`, password in `PGPASSWORD`), as `.ci/run` does
/// with a throw-away cluster (scripts/pg-test-cluster.sh). Each PostgreSQL fixture makes a
/// database of its own on that server.
enum HubBackendKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A hub database with one token of each kind, and township replicas to make real operations.
struct HubFixture {
    static let postgresURL = ProcessInfo.processInfo.environment["KTX_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    static let backends: [HubBackendKind] = [.sqlite] + (postgresURL == nil ? [] : [.postgres])

    let lab = ReplicaLab("hub")
    /// The hub's store: the SQLite hub, or a node of the PostgreSQL hub.
    let backend: any HubBackend
    /// What the hub holds: the SQLite hub itself, or the node's view.
    var hub: Store { backend.view }
    let admin: String
    let county: String
    /// Township tokens by township.
    var township: [String: String] = [:]
    let configuration: HubConfiguration
    /// The shared database, on PostgreSQL.
    let postgres: PostgresLocation?

    init(_ kind: HubBackendKind = .sqlite, maxBodyBytes: Int = 1 << 20) async throws {
        var logger = Logger(label: "test.hub")
        logger.logLevel = .warning
        let configuration = HubConfiguration(databasePath: lab.dir.file("hub.db"), port: 0, maxBodyBytes: maxBodyBytes,
                                             maxClockSkewMillis: 24 * 3_600_000, maxPullLimit: 50, logger: logger)
        switch kind {
        case .sqlite:
            postgres = nil
            backend = try Store.openHub(at: lab.dir.file("hub.db"), wallClock: lab.clock)
        case .postgres:
            let location = try await Self.newPostgresDatabase()
            postgres = location
            backend = try await PostgresHub.open(location, viewPath: lab.dir.file("hub.db"), wallClock: lab.clock, logger: logger)
        }
        self.configuration = configuration
        admin = try await backend.createToken(role: .admin, township: nil).secret
        county = try await backend.createToken(role: .county, township: nil).secret
        for name in ["河西镇", "东街镇", "尖冢镇"] {
            township[name] = try await backend.createToken(role: .township, township: name).secret
        }
    }

    /// A new, empty database on the test server.
    static func newPostgresDatabase() async throws -> PostgresLocation {
        let base = try PostgresLocation(url: postgresURL!, password: ProcessInfo.processInfo.environment["PGPASSWORD"])
        let name = "ktx_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await PostgresAdmin.createDatabase(name, on: base)
        return base.with(database: name)
    }

    /// Another node of the same hub (PostgreSQL only): its own view, the same database.
    func secondNode(_ name: String = "node2.db") async throws -> (any HubBackend, HubConfiguration) {
        guard let location = postgres else { return (backend, configuration) }
        var configuration = configuration
        configuration.databasePath = lab.dir.file(name)
        let node = try await PostgresHub.open(location, viewPath: configuration.databasePath, wallClock: lab.clock, logger: configuration.logger)
        return (node, configuration)
    }

    /// The application exactly as `ktx hub serve` builds it, on a free port, on the fixture's database and clock.
    var application: some ApplicationProtocol {
        buildApplication(configuration, hub: backend, wallClock: lab.clock)
    }

    func remove() {
        Task { [backend] in await backend.close() }
        lab.remove()
    }

    /// A push body of all of a replica's operations.
    func batch(_ store: Store, after: Int64 = 0) throws -> HubAPI.Batch {
        let me = try store.identity()
        return HubAPI.Batch(try store.operations(of: me.replica, after: after, limit: 10_000), township: me.township)
    }
}

func json(_ value: some Encodable) -> ByteBuffer {
    ByteBuffer(data: try! JSONEncoder().encode(value))
}

func bearer(_ token: String) -> HTTPFields {
    [.authorization: "Bearer \(token)", .contentType: "application/json"]
}

extension ByteBuffer {
    var text: String { String(buffer: self) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(readableBytesView))
    }
}
