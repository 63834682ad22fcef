import Crypto
import Foundation
import GRDB
import SyncCore

/// What a receiver knows of a replica's signing, to check the runs it receives.
struct ReplicaTrust {
    /// The replica's public key, once known.
    var key: [UInt8]?
    /// The first seq of its first signed run: operations before it arrive unsigned.
    var signedFrom: Int64?
    /// The last signed run held, to chain the next one to.
    var lastRun: (last: Int64, hash: [UInt8])?

    /// Whether an unsigned operation with this seq may be taken: only from a replica never
    /// seen signing, or from before its first signed run (made before ktx signed).
    func takesUnsigned(_ seq: Int64) -> Bool {
        guard let signedFrom else { return key == nil }
        return seq < signedFrom
    }
}

extension Store {
    /// Makes this replica's signing key if it has none (a replica made by an earlier
    /// version gets one when this version first opens it).
    func ensureSigningKey() throws {
        let has = try read("open") { db in
            try Bool.fetchOne(db, sql: "SELECT signing_key IS NOT NULL FROM replica_self WHERE id = 1") ?? true
        }
        guard !has else { return }
        try write("key") { db in
            guard try Bool.fetchOne(db, sql: "SELECT signing_key IS NULL FROM replica_self WHERE id = 1") == true else { return }
            let key = Curve25519.Signing.PrivateKey()
            try db.execute(sql: "UPDATE replica_self SET signing_key = ? WHERE id = 1", arguments: [key.rawRepresentation])
            try db.execute(sql: "UPDATE replica SET public_key = ? WHERE num = (SELECT replica FROM replica_self WHERE id = 1)",
                           arguments: [key.publicKey.rawRepresentation])
        }
    }

    /// This replica's public key, and a short fingerprint of it to read out on the phone.
    public func publicKey() throws -> (key: [UInt8], fingerprint: String) {
        let key = try read("key") { db in
            try Data.fetchOne(db, sql: "SELECT public_key FROM replica WHERE num = (SELECT replica FROM replica_self WHERE id = 1)")
        }
        guard let key else { throw KtxError(.noSigningKey) }
        return ([UInt8](key), Self.fingerprint(of: [UInt8](key)))
    }

    /// The id of the replica a raw 32-byte private key makes (``create(at:township:role:catalog:wallClock:replicaID:key:)``).
    public static func replicaID(forKey rawKey: [UInt8]) throws -> ReplicaID {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
        return RunSigning.replicaID(for: [UInt8](key.publicKey.rawRepresentation))
    }

    /// Seals a replica's whole log (operations from seq 1, in order) into chained runs of at
    /// most `size`, as the replica with this raw private key would on publishing them: for
    /// tools that make logs (the benchmark), not for replicas (they seal their own).
    public static func sealRuns(_ operations: [Op], key rawKey: [UInt8], size: Int = RunSeal.maxOperations) throws -> [RunSeal] {
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
        var seals: [RunSeal] = []
        var prev = RunSeal.origin
        var from = 0
        while from < operations.count {
            let run = operations[from..<min(operations.count, from + size)]
            let replica = operations[from].replica
            let seal = try RunSigning.seal(run, replica: replica, prev: prev, key: key)
            prev = RunSigning.hash(seal, replica: replica)
            seals.append(seal)
            from += size
        }
        return seals
    }

    /// A key's fingerprint: the first 8 bytes of its SHA-256, in four groups of four hex digits.
    public static func fingerprint(of key: [UInt8]) -> String { KeyFingerprint.format(sha256: SHA256.hash(data: key)) }

    /// Seals this replica's own operations up to `seq` into signed runs of at most `size`
    /// operations, chained to the runs before; what is sealed already stays as it was.
    package func sealOwnRuns(upTo seq: Int64, size: Int) throws {
        try write("seal") { db in try Self.sealOwnRunsLocked(db, upTo: seq, size: size) }
    }

    /// ``sealOwnRuns(upTo:size:)`` inside a transaction the caller holds.
    static func sealOwnRunsLocked(_ db: Database, upTo seq: Int64, size: Int) throws {
        guard let me = try SelfRow.fetch(db),
              let raw = try Data.fetchOne(db, sql: "SELECT signing_key FROM replica_self WHERE id = 1")
        else { return }
        let key = try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
        var (sealed, prev) = try Self.lastRun(db, num: me.num, replica: me.replica) ?? (0, RunSeal.origin)
        let upTo = min(seq, me.maxSeq)
        while sealed < upTo {
            var ops: [Op] = []
            try Self.forEachChunk(db, replica: (me.num, me.replica, sealed), limit: size) { chunk in
                ops += chunk.prefix(size - ops.count)
                return ops.count < size
            }
            ops = ops.filter { $0.seq <= upTo }
            guard !ops.isEmpty else { break }
            let seal = try RunSigning.seal(ops, replica: me.replica, prev: prev, key: key)
            try Self.storeRun(db, num: me.num, seal)
            if sealed == 0 {
                try db.execute(sql: "UPDATE replica SET signed_from = 1 WHERE num = ? AND signed_from IS NULL", arguments: [me.num])
            }
            sealed = seal.last
            prev = RunSigning.hash(seal, replica: me.replica)
        }
    }

    /// The signed runs of a replica that end after `seq`, in order.
    package func runs(of replica: ReplicaID, after seq: Int64) throws -> [RunSeal] {
        try read("runs") { db in try Self.runs(db, replica: replica, from: seq + 1) }
    }

    /// The columns a run is read from, in the order ``seal(_:key:)`` takes them.
    private static let runColumns = "r.first_seq, r.last_seq, r.prev, r.digest, r.signature"

    /// A run read from `runColumns`, with its replica's key (the key is not part of the hash).
    private static func seal(_ row: Row, key: Data?) -> RunSeal {
        RunSeal(first: row[0], last: row[1], prev: [UInt8](row[2] as Data), digest: [UInt8](row[3] as Data),
                key: [UInt8](key ?? Data()), signature: [UInt8](row[4] as Data))
    }

    /// The last signed run of a replica this database holds: its last seq and hash.
    static func lastRun(_ db: Database, num: Int64, replica: ReplicaID) throws -> (Int64, [UInt8])? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT \(runColumns) FROM op_run r WHERE r.replica = ? ORDER BY r.last_seq DESC LIMIT 1
            """), arguments: [num]) else { return nil }
        let seal = seal(row, key: nil)
        return (seal.last, RunSigning.hash(seal, replica: replica))
    }

    /// The signed run of a replica holding `seq`, if this database holds one.
    package static func run(_ db: Database, replica: ReplicaID, containing seq: Int64) throws -> RunSeal? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT \(runColumns), p.public_key FROM op_run r JOIN replica p ON p.num = r.replica
            WHERE p.id = ? AND r.last_seq >= ? AND r.first_seq <= ? ORDER BY r.last_seq LIMIT 1
            """), arguments: [Data(replica.bytes), seq, seq]) else { return nil }
        return seal(row, key: row[5])
    }

    /// The signed runs of a replica that end at or after `from`, in order.
    package static func runs(_ db: Database, replica: ReplicaID, from: Int64) throws -> [RunSeal] {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT num, public_key FROM replica WHERE id = ?"),
                                         arguments: [Data(replica.bytes)]),
              let key = row[1] as Data? else { return [] }
        return try Row.fetchAll(db.cachedStatement(sql: """
            SELECT \(runColumns) FROM op_run r WHERE r.replica = ? AND r.last_seq >= ? ORDER BY r.last_seq
            """), arguments: [row[0] as Int64, from]).map { seal($0, key: key) }
    }

    package static func storeRun(_ db: Database, num: Int64, _ seal: RunSeal) throws {
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO op_run (replica, first_seq, last_seq, prev, digest, signature) VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [num, seal.first, seal.last, Data(seal.prev), Data(seal.digest), Data(seal.signature)])
    }

    /// What this database knows of a replica's signing.
    static func trust(_ db: Database, _ replica: ReplicaID) throws -> ReplicaTrust {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT num, public_key, signed_from FROM replica WHERE id = ?"),
                                         arguments: [Data(replica.bytes)]) else { return ReplicaTrust() }
        let key = (row[1] as Data?).map { [UInt8]($0) }
        var trust = ReplicaTrust(key: key, signedFrom: row[2])
        if let (last, hash) = try lastRun(db, num: row[0], replica: replica) { trust.lastRun = (last, hash) }
        return trust
    }
}
