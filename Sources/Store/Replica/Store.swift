import Crypto
import Foundation
import GRDB
import KtxSchema
import SyncCore

/// A township's replica: one SQLite file holding the operation log (the truth) and the
/// materialized activity and quantity tables (a cache of it).
///
/// Every change appends its operations and updates the materialized tables in one
/// transaction, so nothing is ever half-written. The store owns its connection pool; a
/// connection never escapes it.
///
/// ```swift
/// let store = try Store.create(at: path, township: "河西镇")
/// let id = try store.record(ActivityDraft(kind: "科技下乡", date: "2023-05-20", title: "果树修剪培训",
///                                         quantities: ["attendance": 120]))
/// try store.add(to: id, metric: "attendance", amount: 15)
/// ```
public struct Store: Sendable {
    package let pool: DatabasePool
    /// The database file.
    public let path: String
    /// The activity catalog used to validate kinds and metrics.
    public let catalog: Catalog
    /// The rule every operation passes before it is stored, however it arrives.
    public let rule: AcceptanceRule
    package let wallClock: any WallClock
    /// When the database file was readable or writable by other users (it holds this
    /// replica's signing key) and opening it made it private: the mode it had.
    public let tightenedFrom: mode_t?

    private init(pool: DatabasePool, path: String, catalog: Catalog, wallClock: any WallClock, tightenedFrom: mode_t? = nil) {
        self.pool = pool
        self.path = path
        self.catalog = catalog
        self.rule = AcceptanceRule(catalog: catalog)
        self.wallClock = wallClock
        self.tightenedFrom = tightenedFrom
    }

    /// The SQL function that adds two integers and fails on overflow, where SQLite's `+`
    /// would turn the sum into an inexact real. Every sum the store keeps goes through it.
    static let checkedAdd = "ktx_checked_add"

    private static let checkedAddFunction = DatabaseFunction(checkedAdd, argumentCount: 2, pure: true) { values in
        guard let a = Int64.fromDatabaseValue(values[0]), let b = Int64.fromDatabaseValue(values[1]) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "ktx_checked_add takes two integers")
        }
        let (sum, overflow) = a.addingReportingOverflow(b)
        if overflow { throw DatabaseError(resultCode: .SQLITE_TOOBIG, message: "integer overflow") }
        return sum
    }

    /// The name the county office's replicas record under unless told otherwise: a county
    /// PC made with `ktx init --county`, and a hub's own replica, which writes the steps
    /// and indicator values the county enters on the dashboard.
    public static let countyOffice = "县科协"

    // MARK: Opening

    /// Creates a new replica bound to a township, with its own signing key.
    ///
    /// - Parameters:
    ///   - path: the database file to create.
    ///   - township: the township (or county office) it records for.
    ///   - role: what it may do: a township's PC, or one of the county's.
    ///   - catalog: the activity catalog its input is checked against.
    ///   - wallClock: where its clock reads the time.
    ///   - replicaID: nil (the default) derives the id from the key, so that nobody
    ///     without the key can sign operations for it (receivers check); an id chosen here
    ///     is trusted only as an id made before ktx signed is (tests of that case).
    ///   - rawKey: the raw 32-byte Ed25519 private key; nil (the default) makes a new one.
    ///
    /// - Throws: `KtxError` `already-initialized` if the file already holds a replica
    ///   (nothing is changed), `bad-text` for an empty or malformed township name.
    public static func create(at path: String, township: String, role: Roster.Role = .township, catalog: Catalog = .standard,
                              wallClock: any WallClock = SystemWallClock(),
                              replicaID: ReplicaID? = nil, key rawKey: [UInt8]? = nil) throws -> Store {
        let name = township.trimmingSpaces()
        try Validate.text(name, field: .township)
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            do {
                try PrivateFiles.makeFolder(dir)
            } catch {
                throw KtxError.cannotCreate(path)
            }
        }
        PrivateFiles.precreate(path)
        let store = try openPool(path, catalog: catalog, wallClock: wallClock)
        try store.guarded("init") {
            try store.pool.write { db in
                if let existing = try SelfRow.fetch(db) {
                    throw KtxError.alreadyInitialized(path, replica: existing.replica.hex, township: existing.township ?? "")
                }
                let key = try rawKey.map { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) } ?? Curve25519.Signing.PrivateKey()
                let publicKey = [UInt8](key.publicKey.rawRepresentation)
                let id = replicaID ?? RunSigning.replicaID(for: publicKey)
                try db.execute(sql: "INSERT INTO replica (id, township, max_seq, public_key) VALUES (?, ?, 0, ?)",
                               arguments: [Data(id.bytes), name, Data(publicKey)])
                try db.execute(sql: "INSERT INTO replica_self (id, replica, created_at, clock, signing_key, role) VALUES (1, ?, ?, 0, ?, ?)",
                               arguments: [db.lastInsertedRowID, wallClock.nowMillis(), key.rawRepresentation, role.rawValue])
                try db.execute(sql: "INSERT OR REPLACE INTO catalog_state (id, version) VALUES (1, ?)", arguments: [catalog.version])
            }
        }
        return store
    }

    /// Opens an existing replica.
    ///
    /// - Parameters:
    ///   - path: the database file.
    ///   - catalog: the activity catalog its input is checked against.
    ///   - wallClock: where its clock reads the time.
    ///   - upgrading: called before a database written by an earlier version is
    ///     upgraded to this version's schema (once; it takes a while on a large log), so the
    ///     caller can tell the user.
    /// - Throws: `KtxError` `not-initialized` if the file does not exist or holds no
    ///   replica, `not-a-database` if it is not a ktx database.
    public static func open(at path: String, catalog: Catalog = .standard,
                            wallClock: any WallClock = SystemWallClock(), upgrading: (() -> Void)? = nil) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else { throw KtxError.notInitialized(path) }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue == 0 {
            throw KtxError.emptyDatabase(path)
        }
        let store = try openPool(path, catalog: catalog, wallClock: wallClock, upgrading: upgrading)
        let initialised = try store.guarded("open") { try store.pool.read { try SelfRow.fetch($0) != nil } }
        guard initialised else { throw KtxError.notInitialized(path) }
        try store.matchCatalog(upgrading: upgrading)
        // A read-only replica opens all the same; it signs nothing until it can be written.
        try? store.ensureSigningKey()
        return store
    }

    private static func openPool(_ path: String, catalog: Catalog, wallClock: any WallClock,
                                 upgrading: (() -> Void)? = nil) throws -> Store {
        let tightened = PrivateFiles.tighten(path)
        var config = Configuration()
        config.busyMode = .timeout(15)
        config.prepareDatabase { db in
            // Debian's SQLite defaults to FULL in WAL mode; NORMAL keeps every commit
            // atomic and consistent and loses at most the last commits on power loss.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            db.add(function: checkedAddFunction)
        }
        let pool: DatabasePool
        do {
            // Another program's SQLite file named by mistake: nothing of ktx's is added to it
            // (looked at read-only: opening the pool would switch it to WAL already).
            if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.intValue > 0 {
                var readOnly = Configuration()
                readOnly.readonly = true
                let peek = try DatabaseQueue(path: path, configuration: readOnly)
                defer { try? peek.close() }
                if try peek.read(Self.isForeign) { throw KtxError.foreignDatabase(path) }
            }
            pool = try DatabasePool(path: path, configuration: config)
            let migrator = Self.migrator
            let (superseded, current) = try pool.read { (try migrator.hasBeenSuperseded($0), try migrator.hasCompletedMigrations($0)) }
            if superseded { throw KtxError.newerDatabase(path) }
            if !current { upgrading?() }
            try migrator.migrate(pool)
        } catch let error as KtxError {
            throw error
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            throw KtxError.notADatabase(path, underlying: error)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY {
            throw KtxError.readOnly(path, underlying: error)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL {
            throw KtxError.diskFull(path, underlying: error)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
            // An existing file that cannot be opened for writing: a read-only file, folder or
            // medium (a write-protected USB stick, a CD), not a missing folder.
            let fm = FileManager.default
            let dir = (path as NSString).deletingLastPathComponent
            if fm.fileExists(atPath: path), !fm.isWritableFile(atPath: path) || !fm.isWritableFile(atPath: dir.isEmpty ? "." : dir) {
                throw KtxError.readOnly(path, underlying: error)
            }
            throw KtxError.cannotCreate(path, underlying: error)
        } catch {
            throw KtxError.notADatabase(path, underlying: error as? DatabaseError)
        }
        return Store(pool: pool, path: path, catalog: catalog, wallClock: wallClock, tightenedFrom: tightened)
    }

    /// Whether the database holds tables but was never a ktx database (no migration of
    /// ktx's ever ran in it): another program's file.
    private static func isForeign(_ db: Database) throws -> Bool {
        let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'") ?? 0
        guard tables > 0 else { return false }
        guard try db.tableExists("grdb_migrations") else { return true }
        let ours = try String.fetchOne(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY identifier LIMIT 1")
        return ours != KtxSchema.migrations.first?.identifier
    }

    /// Rebuilds the tables when they were built with another version of the catalog: a
    /// newer ktx's kinds and metrics, kept out of the totals until now, then count (and an
    /// older ktx opening a newer replica's file counts only what it knows).
    private func matchCatalog(upgrading: (() -> Void)?) throws {
        let built = try read("open") { try Int.fetchOne($0, sql: "SELECT version FROM catalog_state WHERE id = 1") }
        guard built != catalog.version else { return }
        upgrading?()
        try write("rebuild") { db in
            try Self.rebuildLocked(db, rule: rule)
            try db.execute(sql: "INSERT OR REPLACE INTO catalog_state (id, version) VALUES (1, ?)", arguments: [catalog.version])
        }
    }

    /// Migrations whose SQL alone cannot carry the data over: what runs after it, in the
    /// same transaction. A migration of plain SQL (most) needs nothing here: its file in
    /// `Schema/migrations/` and its line in `KtxSchema.migrations` are all.
    static let dataSteps: [String: @Sendable (Database) throws -> Void] = [
        "0004_chunks_and_totals": packLegacyOperations,
        "0019_chunk_sum": sumChunks,
        "0020_year_close": collectYearClose,
        "0021_year_close_accept": collectYearClose,
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in KtxSchema.migrations {
            let sql = migration.sql
            let step = dataSteps[migration.identifier]
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: sql)
                try step?(db)
            }
        }
        return migrator
    }

    // MARK: Access

    /// Runs a read-only block on a pooled connection.
    /// Copies the write-ahead log into the database file and syncs it to disk: after this,
    /// everything committed survives a power cut (commits alone, with synchronous=NORMAL,
    /// survive a crash of the program but may lose the last ones on a power cut).
    public func checkpoint() throws {
        do {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        } catch {
            throw KtxError(.storage(what: "checkpoint: \(error)"), underlying: error)
        }
    }

    package func read<T>(_ what: String, _ block: (Database) throws -> T) throws -> T {
        try guarded(what) { try pool.read(block) }
    }

    /// Runs a block in one write transaction: all of it is committed, or none.
    package func write<T>(_ what: String, _ block: (Database) throws -> T) throws -> T {
        try guarded(what) { try pool.write(block) }
    }

    /// Runs a read-only block on a pooled connection without blocking Swift's cooperative
    /// thread pool (GRDB's async access): what the hub's handlers use.
    package func readAsync<T: Sendable>(_ what: String, _ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(block)
        } catch let error as DatabaseError {
            throw Self.describe(error, path: path, what: what)
        }
    }

    /// Runs a block in one write transaction without blocking Swift's cooperative thread pool.
    package func writeAsync<T: Sendable>(_ what: String, _ block: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(block)
        } catch let error as DatabaseError {
            throw Self.describe(error, path: path, what: what)
        }
    }

    /// Turns SQLite's errors into a `KtxError` that keeps the SQL for logs but never
    /// shows bound values or a Swift type name to a clerk.
    private func guarded<T>(_ what: String, _ block: () throws -> T) throws -> T {
        do {
            return try block()
        } catch let error as KtxError {
            throw error
        } catch let error as DatabaseError {
            throw Self.describe(error, path: path, what: what)
        }
    }

    /// A SQLite error as a person can act on it: a full disk, a read-only file, a damaged one.
    static func describe(_ error: DatabaseError, path: String, what: String) -> KtxError {
        if error.message == "integer overflow" { return KtxError.overflow() }
        return switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: KtxError.notADatabase(path, underlying: error)
        case .SQLITE_FULL: KtxError.diskFull(path, underlying: error)
        case .SQLITE_READONLY: KtxError.readOnly(path, underlying: error)
        default: KtxError.storage(what, underlying: error)
        }
    }

    /// This replica's identity.
    public func identity() throws -> ReplicaIdentity {
        try read("identity") { db in
            guard let row = try SelfRow.fetch(db) else { throw KtxError.notInitialized(path) }
            return ReplicaIdentity(replica: row.replica, township: row.township ?? "", createdAtMillis: row.createdAt, role: row.role)
        }
    }
}

/// Who a replica is.
public struct ReplicaIdentity: Hashable, Sendable {
    /// The replica's id.
    public var replica: ReplicaID
    /// The township it records for.
    public var township: String
    /// When it was created, unix milliseconds.
    public var createdAtMillis: Int64
    /// What this replica may do; nil for a replica made before ktx kept it, until it learns it
    /// (``Store/learnRole(_:)``).
    public var role: Roster.Role?
}

/// The `replica_self` row joined with its replica.
struct SelfRow {
    var replica: ReplicaID
    var num: Int64
    var township: String?
    var maxSeq: Int64
    var clock: HLCTimestamp
    var createdAt: Int64
    var role: Roster.Role?

    static func fetch(_ db: Database) throws -> SelfRow? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT r.id, r.num, r.township, r.max_seq, s.clock, s.created_at, s.role
            FROM replica_self s JOIN replica r ON r.num = s.replica WHERE s.id = 1
            """)) else { return nil }
        let bytes: Data = row[0]
        guard let replica = ReplicaID(bytes: bytes) else { throw KtxError.damagedLog("this replica's own id is not 16 bytes") }
        return SelfRow(replica: replica, num: row[1], township: row[2], maxSeq: row[3],
                       clock: HLCTimestamp(rawValue: row[4]), createdAt: row[5], role: (row[6] as String?).flatMap(Roster.Role.init(rawValue:)))
    }
}
