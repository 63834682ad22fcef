import Foundation
import GRDBSQLite
import SyncCore

/// The physical limit: SQLite through its C API, no ktx code in between. The op-log
/// rows are inserted with one prepared statement in one transaction, WAL,
/// synchronous=NORMAL; the other baselines (an aggregate over those rows, the reads a
/// sync cannot avoid, a small insert) run on the same database.
final class RawSQLite {
    private let db: OpaquePointer
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) throws {
        var handle: OpaquePointer?
        guard sqlite3_open(path, &handle) == SQLITE_OK, let handle else { throw BenchError("cannot open \(path)") }
        db = handle
        try exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        try exec("""
            CREATE TABLE IF NOT EXISTS op (replica INTEGER NOT NULL, seq INTEGER NOT NULL, hlc INTEGER NOT NULL,
            activity TEXT NOT NULL, kind INTEGER NOT NULL, field TEXT NOT NULL, value,
            PRIMARY KEY (replica, seq)) WITHOUT ROWID
            """)
    }

    deinit { sqlite3_close(db) }

    func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
    }

    /// Inserts operations of one replica (numbered `replica`), in the caller's transaction.
    func insert(_ ops: some Collection<Op>, replica: Int64) throws {
        var statement: OpaquePointer?
        sqlite3_prepare_v2(db, "INSERT INTO op VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &statement, nil)
        defer { sqlite3_finalize(statement) }
        for op in ops {
            sqlite3_bind_int64(statement, 1, replica)
            sqlite3_bind_int64(statement, 2, op.seq)
            sqlite3_bind_int64(statement, 3, op.timestamp.rawValue)
            sqlite3_bind_text(statement, 4, op.activity.rawValue, -1, Self.transient)
            switch op.change {
            case let .set(field, value):
                sqlite3_bind_int(statement, 5, 0)
                sqlite3_bind_text(statement, 6, field.rawValue, -1, Self.transient)
                sqlite3_bind_text(statement, 7, value, -1, Self.transient)
            case let .add(metric, amount):
                sqlite3_bind_int(statement, 5, 1)
                sqlite3_bind_text(statement, 6, metric, -1, Self.transient)
                sqlite3_bind_int64(statement, 7, amount)
            case .delete:
                sqlite3_bind_int(statement, 5, 2)
                sqlite3_bind_text(statement, 6, "", -1, Self.transient)
                sqlite3_bind_null(statement, 7)
            case let .indicator(value):
                sqlite3_bind_int(statement, 5, 3)
                sqlite3_bind_text(statement, 6, "", -1, Self.transient)
                sqlite3_bind_text(statement, 7, value, -1, Self.transient)
            case let .newerField(name, value):
                sqlite3_bind_int(statement, 5, 0)
                sqlite3_bind_text(statement, 6, name, -1, Self.transient)
                sqlite3_bind_text(statement, 7, value, -1, Self.transient)
            }
            guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
            sqlite3_reset(statement)
        }
    }

    /// Runs a query to its end, binding `argument` (if any) to its one parameter; the rows it gave.
    @discardableResult
    func query(_ sql: String, _ argument: Int64? = nil) throws -> Int {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
        defer { sqlite3_finalize(statement) }
        if let argument { sqlite3_bind_int64(statement, 1, argument) }
        var rows = 0
        while sqlite3_step(statement) == SQLITE_ROW { rows += 1 }
        return rows
    }

    /// The baseline of the table: every operation of the workload, one transaction.
    static func insert(_ workload: Workload, path: String) throws -> Duration {
        let raw = try RawSQLite(path: path)
        let clock = ContinuousClock()
        let start = clock.now
        try raw.exec("BEGIN")
        for (r, ops) in workload.operations.enumerated() { try raw.insert(ops, replica: Int64(r + 1)) }
        try raw.exec("COMMIT")
        return clock.now - start
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
