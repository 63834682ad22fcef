import Foundation
import GRDBSQLite
import SyncCore

/// The physical limit: the same op-log rows inserted with the raw C API, one prepared
/// statement, one transaction, WAL, synchronous=NORMAL.
enum RawSQLite {
    static func insert(_ workload: Workload, path: String) throws -> Duration {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK else { throw BenchError("cannot open \(path)") }
        defer { sqlite3_close(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw BenchError(String(cString: sqlite3_errmsg(db)))
            }
        }
        try exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
        try exec("""
            CREATE TABLE op (replica INTEGER NOT NULL, seq INTEGER NOT NULL, hlc INTEGER NOT NULL,
            activity TEXT NOT NULL, kind INTEGER NOT NULL, field TEXT NOT NULL, value,
            PRIMARY KEY (replica, seq)) WITHOUT ROWID
            """)
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        let clock = ContinuousClock()
        let start = clock.now
        try exec("BEGIN")
        var statement: OpaquePointer?
        sqlite3_prepare_v2(db, "INSERT INTO op VALUES (?, ?, ?, ?, ?, ?, ?)", -1, &statement, nil)
        for (r, ops) in workload.operations.enumerated() {
            for op in ops {
                sqlite3_bind_int64(statement, 1, Int64(r + 1))
                sqlite3_bind_int64(statement, 2, op.seq)
                sqlite3_bind_int64(statement, 3, op.timestamp.rawValue)
                sqlite3_bind_text(statement, 4, op.activity.rawValue, -1, transient)
                switch op.change {
                case let .set(field, value):
                    sqlite3_bind_int(statement, 5, 0)
                    sqlite3_bind_text(statement, 6, field.rawValue, -1, transient)
                    sqlite3_bind_text(statement, 7, value, -1, transient)
                case let .add(metric, amount):
                    sqlite3_bind_int(statement, 5, 1)
                    sqlite3_bind_text(statement, 6, metric, -1, transient)
                    sqlite3_bind_int64(statement, 7, amount)
                case .delete:
                    sqlite3_bind_int(statement, 5, 2)
                    sqlite3_bind_text(statement, 6, "", -1, transient)
                    sqlite3_bind_null(statement, 7)
                case let .indicator(value):
                    sqlite3_bind_int(statement, 5, 3)
                    sqlite3_bind_text(statement, 6, "", -1, transient)
                    sqlite3_bind_text(statement, 7, value, -1, transient)
                }
                guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchError(String(cString: sqlite3_errmsg(db))) }
                sqlite3_reset(statement)
            }
        }
        sqlite3_finalize(statement)
        try exec("COMMIT")
        return clock.now - start
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
