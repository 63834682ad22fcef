import Crypto
import Foundation
import GRDB
import SyncCore

extension Store {
    /// One activity, deleted or not; nil if this replica has never heard of it.
    public func activity(_ id: ActivityID) throws -> ActivityRecord? {
        try read("show") { db in
            try Self.fetchActivities(db, where: "a.id = ?", arguments: [id.rawValue]).first
        }
    }

    /// Live (not deleted) activities matching a filter, by date then id.
    public func activities(_ filter: ActivityFilter = ActivityFilter()) throws -> [ActivityRecord] {
        try read("list") { db in
            let (clause, arguments) = Self.whereClause(filter)
            return try Self.fetchActivities(db, where: clause, arguments: arguments)
        }
    }

    /// The SQL condition selecting live activities matching a filter.
    static func whereClause(_ filter: ActivityFilter) -> (String, StatementArguments) {
        var clauses = ["a.deleted = 0"]
        var arguments: StatementArguments = []
        if let kind = filter.kind { clauses.append("a.kind = ?"); arguments += [kind] }
        if let township = filter.township { clauses.append("a.township = ?"); arguments += [township] }
        if let year = filter.year { clauses.append("substr(a.date, 1, 4) = ?"); arguments += [String(year)] }
        return (clauses.joined(separator: " AND "), arguments)
    }

    private static func fetchActivities(_ db: Database, where clause: String, arguments: StatementArguments) throws -> [ActivityRecord] {
        var records: [ActivityRecord] = []
        var index: [String: Int] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT a.id, a.township, a.kind, a.date, a.title, a.venue, a.project, a.deleted, a.notes
            FROM activity a WHERE \(clause) ORDER BY a.date, a.id
            """, arguments: arguments) {
            let id: String = row[0]
            index[id] = records.count
            records.append(ActivityRecord(id: ActivityID(unchecked: id), township: row[1], kind: row[2], date: row[3],
                                          title: row[4], venue: row[5], project: row[6], notes: row[8], deleted: row[7]))
        }
        guard !records.isEmpty else { return records }
        for row in try Row.fetchAll(db, sql: """
            SELECT q.activity, q.metric, q.value FROM quantity q JOIN activity a ON a.id = q.activity
            WHERE \(clause) AND q.value != 0
            """, arguments: arguments) {
            if let i = index[row[0]] { records[i].quantities[row[1]] = row[2] }
        }
        return records
    }

    /// A digest of the replica's whole merged state (every activity, deleted or not,
    /// its field values and its quantities); equal digests mean equal states.
    public func stateDigest() throws -> String {
        try read("digest") { db in try Self.fetchStateDigest(db) }
    }

    static func fetchStateDigest(_ db: Database) throws -> String {
        var hasher = SHA256()
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT id, township, kind, date, title, venue, project, deleted, notes FROM activity ORDER BY id
            """)
        while let row = try cursor.next() {
            var line = ""
            for i in 0..<8 { line += (row[i] as String?).map { "\($0)\u{1F}" } ?? "\u{0}\u{1F}" }
            // Notes (0.3) count only where written, so a state without any digests as before.
            if let notes: String = row[8] { line += "\u{1C}\(notes)\u{1F}" }
            hasher.update(data: Array(line.utf8) + [0x1E])
        }
        let quantities = try Row.fetchCursor(db, sql: """
            SELECT activity, metric, value FROM quantity WHERE value != 0 ORDER BY activity, metric
            """)
        while let row = try quantities.next() {
            let value: DatabaseValue = row[2]
            let line = "\(row[0] as String)\u{1F}\(row[1] as String)\u{1F}\(Int64.fromDatabaseValue(value).map(String.init) ?? "\(value)")"
            hasher.update(data: Array(line.utf8) + [0x1E])
        }
        let indicators = try Row.fetchCursor(db, sql: "SELECT key, value FROM indicator_value ORDER BY key")
        while let row = try indicators.next() {
            let line = "\u{1D}\(row[0] as String)\u{1F}\(row[1] as String)"
            hasher.update(data: Array(line.utf8) + [0x1E])
        }
        let notes = try Row.fetchCursor(db, sql: "SELECT key, value FROM indicator_note ORDER BY key")
        while let row = try notes.next() {
            let line = "\u{1C}\(row[0] as String)\u{1F}\(row[1] as String)"
            hasher.update(data: Array(line.utf8) + [0x1E])
        }
        // The year's close (0.4): its steps, where any are held, so a state without any
        // digests as before.
        let steps = try Row.fetchCursor(db, sql: """
            SELECT hex(r.id), y.seq, y.action, y.year, coalesce(y.township, ''), y.frontier, coalesce(y.reason, '')
            FROM year_close y JOIN replica r ON r.num = y.replica ORDER BY hex(r.id), y.seq
            """)
        while let row = try steps.next() {
            let line = "\u{1B}" + (0..<7).map { (row[$0] as DatabaseValue).description }.joined(separator: "\u{1F}")
            hasher.update(data: Array(line.utf8) + [0x1E])
        }
        return Hex.string(hasher.finalize())
    }

    /// The operation log, newest first, optionally for one activity.
    public func log(activity: ActivityID? = nil, limit: Int? = nil) throws -> [LogEntry] {
        try read("log") { db in
            let townships = try Self.fetchTownships(db)
            var entries: [LogEntry] = []
            try Self.forEachChunk(db) { ops in
                for op in ops where activity == nil || op.activity == activity {
                    entries.append(LogEntry(operation: op, township: townships[op.replica]))
                }
            }
            entries.sort { ($0.operation.timestamp, $0.operation.replica, $0.operation.seq) > ($1.operation.timestamp, $1.operation.replica, $1.operation.seq) }
            if let limit, entries.count > limit { entries.removeSubrange(limit...) }
            return entries
        }
    }

    /// How many operations the log holds, and how many of them this replica made.
    public func operationCounts() throws -> (total: Int64, own: Int64) {
        try read("status") { db in try Self.fetchOperationCounts(db) }
    }

    /// ``operationCounts()`` without blocking Swift's cooperative thread pool (the hub's).
    public func operationCounts() async throws -> (total: Int64, own: Int64) {
        try await readAsync("status") { db in try Self.fetchOperationCounts(db) }
    }

    private static func fetchOperationCounts(_ db: Database) throws -> (total: Int64, own: Int64) {
        let total = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(max_seq), 0) FROM replica") ?? 0
        let own = try SelfRow.fetch(db)?.maxSeq ?? 0
        return (total, own)
    }
}

/// One operation of the log, with the township of the replica that made it.
public struct LogEntry: Hashable, Sendable {
    /// The operation.
    public var operation: Op
    /// The township its replica announced, if known.
    public var township: String?
}

extension Store {
    /// The SQLite settings of this store's connections: journal mode and synchronous level
    /// (0 OFF, 1 NORMAL, 2 FULL), for diagnostics.
    public func durabilitySettings() throws -> (journalMode: String, synchronous: Int) {
        try read("settings") { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
             try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1)
        }
    }
}
