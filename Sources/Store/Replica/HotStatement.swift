import Foundation
import GRDB
import GRDBSQLite
import SyncCore

/// A statement of the merge's inner loop, prepared and cached by GRDB but bound and
/// stepped through SQLite's C API: a merge runs these hundreds of thousands of times, and
/// building `StatementArguments` (an array of existentials) per row cost more than SQLite.
///
/// Only for use inside the GRDB access block that made it.
package struct HotStatement {
    private let statement: Statement
    private let db: Database
    private var handle: OpaquePointer { statement.sqliteStatement }

    package init(_ db: Database, _ sql: String) throws {
        self.db = db
        self.statement = try db.cachedStatement(sql: sql)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    package func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    package func bind(_ index: Int32, _ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            if let base = utf8.baseAddress {
                _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self),
                                      Int32(utf8.count), Self.transient)
            } else {
                _ = sqlite3_bind_text(handle, index, "", 0, Self.transient)
            }
        }
    }

    package func bind(_ index: Int32, _ value: String?) {
        if let value { bind(index, value) } else { sqlite3_bind_null(handle, index) }
    }

    package func bind(_ index: Int32, bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), Self.transient)
        }
    }

    package func bind(_ index: Int32, _ replica: ReplicaID) {
        var big = (replica.high.bigEndian, replica.low.bigEndian)
        withUnsafeBytes(of: &big) { raw in
            _ = sqlite3_bind_blob(handle, index, raw.baseAddress, 16, Self.transient)
        }
    }

    package func bindNull(_ index: Int32) { sqlite3_bind_null(handle, index) }

    /// Steps once: true when a row is ready to read, false when done.
    @discardableResult
    package func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let code:
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// Runs a statement that returns no rows, then makes it ready for the next.
    package func run() throws {
        defer { sqlite3_reset(handle) }
        try step()
    }

    package func reset() { sqlite3_reset(handle) }

    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    package func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    package func text(_ column: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, column) else { return nil }
        let n = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }

    package func replica(_ column: Int32) -> ReplicaID? {
        guard sqlite3_column_bytes(handle, column) == 16, let p = sqlite3_column_blob(handle, column) else { return nil }
        let raw = UnsafeRawBufferPointer(start: p, count: 16)
        return ReplicaID(high: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                         low: UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    }

    /// The bytes of a blob column, valid until the next step or reset.
    package func blob(_ column: Int32) -> UnsafeRawBufferPointer {
        let n = Int(sqlite3_column_bytes(handle, column))
        guard let p = sqlite3_column_blob(handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: p, count: n)
    }
}
