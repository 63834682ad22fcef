import Foundation
import Hummingbird
import HubServer
import Logging
import Store
import SyncCore
import TestSupport

/// A hub database with one token of each kind, and township replicas to make real operations.
struct HubFixture {
    let lab = ReplicaLab("hub")
    let hub: Store
    let admin: String
    let county: String
    /// Township tokens by township.
    var township: [String: String] = [:]
    let configuration: HubConfiguration

    init(maxBodyBytes: Int = 1 << 20) throws {
        hub = try Store.openHub(at: lab.dir.file("hub.db"), wallClock: lab.clock)
        admin = try hub.createToken(role: .admin, township: nil).secret
        county = try hub.createToken(role: .county, township: nil).secret
        for name in ["河西镇", "东街镇", "尖冢镇"] {
            township[name] = try hub.createToken(role: .township, township: name).secret
        }
        var logger = Logger(label: "test.hub")
        logger.logLevel = .warning
        configuration = HubConfiguration(databasePath: lab.dir.file("hub.db"), port: 0, maxBodyBytes: maxBodyBytes,
                                         maxClockSkewMillis: 24 * 3_600_000, maxPullLimit: 50, logger: logger)
    }

    /// The application exactly as `ktx hub serve` builds it, on a free port, on the fixture's database and clock.
    var application: some ApplicationProtocol {
        try! buildApplication(configuration, wallClock: lab.clock)
    }

    func remove() { lab.remove() }

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
