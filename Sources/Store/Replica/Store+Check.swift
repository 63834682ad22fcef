import Foundation
import GRDB
import SyncCore

/// What `ktx check` found.
public struct CheckReport: Sendable, Equatable {
    /// Problems, each a stable code and its facts; empty when sound.
    public var problems: [Problem] = []
    /// Chunks of the log read and decoded.
    public var chunks = 0
    /// Operations read from them.
    public var operations = 0

    /// One problem found: the facts, with a stable code; the edges word it, with what to do.
    public enum Problem: Sendable, Equatable {
        /// The file at `path`, which holds the signing key, is readable by other users
        /// (`mode`, octal) and this account cannot change it.
        case keyReadable(path: String, mode: String)
        /// SQLite's integrity check failed; its first lines.
        case sqliteIntegrity([String])
        /// A chunk of the log belongs to no known replica.
        case orphanChunk
        /// Operations `first`–`last` of `replica` do not decode.
        case unreadableChunk(ReplicaID, first: Int64, last: Int64)
        /// Operations `first`–`last` of `replica` no longer match the sum they were written with.
        case changedChunk(ReplicaID, first: Int64, last: Int64)
        /// The seqs of `replica` are not contiguous at `first`.
        case chunkGap(ReplicaID, first: Int64)
        /// Operation `seq` of `replica`, written by an older version, breaks the rule.
        case refusedOperation(ReplicaID, seq: Int64, reason: RefusalReason)
        /// `replica` is recorded as held up to `recorded`, but its log reaches `logged`.
        case vectorMismatch(ReplicaID, recorded: Int64, logged: Int64)
        /// The tables differ from a rebuild from the log.
        case tablesDiffer

        /// A stable code (`changed-chunk`, `tables-differ`).
        public var code: String {
            switch self {
            case .keyReadable: "key-readable"
            case .sqliteIntegrity: "sqlite-integrity"
            case .orphanChunk: "orphan-chunk"
            case .unreadableChunk: "unreadable-chunk"
            case .changedChunk: "changed-chunk"
            case .chunkGap: "chunk-gap"
            case .refusedOperation: "refused-operation"
            case .vectorMismatch: "vector-mismatch"
            case .tablesDiffer: "tables-differ"
            }
        }
    }

    /// Whether the replica is sound: no problem found.
    public var isSound: Bool { problems.isEmpty }

    mutating func add(_ problem: Problem) { problems.append(problem) }
}

/// Operations held that need a newer ktx to count: kinds and metrics this catalog lacks.
public struct NewerCodes: Sendable, Equatable {
    /// Activities by kind code this catalog does not know.
    public var kinds: [String: Int] = [:]
    /// Quantities (activity and metric) by metric code this catalog does not know.
    public var metrics: [String: Int] = [:]

    /// Codes found, by kind and by metric.
    public init(kinds: [String: Int] = [:], metrics: [String: Int] = [:]) {
        self.kinds = kinds
        self.metrics = metrics
    }

    /// Whether every code held is known to this catalog.
    public var isEmpty: Bool { kinds.isEmpty && metrics.isEmpty }
}

extension Store {
    /// Verifies the replica: SQLite's integrity check, every chunk of the log decodes and
    /// follows the previous one without a gap, every replica's version-vector entry matches
    /// its chunks, and the materialized tables equal a rebuild from the log (the rebuild is
    /// rolled back: `check` changes nothing).
    public func check() throws -> CheckReport {
        var report = CheckReport()
        checkKeyFile(&report)
        try write("check") { db in
            guard try Self.checkIntegrity(db, &report) else { return }
            let ids = try Self.replicaIDs(db)
            let held = try Self.checkLog(db, ids: ids, rule: rule, &report)
            try Self.checkVector(db, ids: ids, held: held, &report)
            guard report.problems.isEmpty else { return }
            try Self.checkTablesAgainstRebuild(db, rule: rule, &report)
        }
        return report
    }

    /// The file holds this replica's signing key: other users of the PC could sign as it.
    /// (Opening the replica made it private if it could: what is left is a file this
    /// account cannot change, another account's.)
    private func checkKeyFile(_ report: inout CheckReport) {
        guard let mode = PrivateFiles.mode(path), mode & 0o077 != 0 else { return }
        let octal = String(mode, radix: 8)
        report.add(.keyReadable(path: path, mode: octal))
    }

    /// SQLite's own integrity check; false (and nothing more is read) when it fails.
    private static func checkIntegrity(_ db: Database, _ report: inout CheckReport) throws -> Bool {
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        guard integrity != ["ok"] else { return true }
        report.add(.sqliteIntegrity(Array(integrity.prefix(3))))
        return false
    }

    /// Reads every chunk of the log: it belongs to a known replica, decodes, carries the sum it
    /// was written with, follows the previous chunk without a gap, and holds only operations
    /// the rule takes. Returns the last seq each replica's chunks reach (by local number).
    private static func checkLog(_ db: Database, ids: [Int64: ReplicaID], rule: AcceptanceRule,
                                 _ report: inout CheckReport) throws -> [Int64: Int64] {
        var end: [Int64: Int64] = [:]
        let chunks = try Row.fetchCursor(db, sql: "SELECT replica, first_seq, last_seq, ops, sum FROM op_chunk ORDER BY replica, first_seq")
        while let row = try chunks.next() {
            let num: Int64 = row[0]
            let first: Int64 = row[1]
            let last: Int64 = row[2]
            report.chunks += 1
            guard let id = ids[num] else {
                report.add(.orphanChunk)
                continue
            }
            defer { end[num] = last }
            let bytes: Data = row[3]
            guard let ops = try? OpChunk.read([UInt8](bytes), replica: id, firstSeq: first) else {
                report.add(.unreadableChunk(id, first: first, last: last))
                continue
            }
            if let sum = row[4] as Int64?, ChunkSum.of(bytes) != sum {
                report.add(.changedChunk(id, first: first, last: last))
                continue
            }
            report.operations += ops.count
            if ops.count != Int(last - first + 1) || first != (end[num] ?? 0) + 1 {
                report.add(.chunkGap(id, first: first))
            }
            if let bad = ops.first(where: { rule.check($0) != nil }), let reason = rule.check(bad) {
                report.add(.refusedOperation(id, seq: bad.seq, reason: reason))
            }
        }
        return end
    }

    /// Each replica's version-vector entry against the last seq its chunks reach.
    private static func checkVector(_ db: Database, ids: [Int64: ReplicaID], held end: [Int64: Int64],
                                    _ report: inout CheckReport) throws {
        for row in try Row.fetchAll(db, sql: "SELECT num, max_seq FROM replica") {
            let num: Int64 = row[0]
            let maxSeq: Int64 = row[1]
            if maxSeq != (end[num] ?? 0), let id = ids[num] {
                report.add(.vectorMismatch(id, recorded: maxSeq, logged: end[num] ?? 0))
            }
        }
    }

    /// The tables against a rebuild from the log, inside a savepoint that is rolled back.
    private static func checkTablesAgainstRebuild(_ db: Database, rule: AcceptanceRule, _ report: inout CheckReport) throws {
        let before = try fetchStateDigest(db)
        let cellsBefore = try fetchCells(db)
        try db.execute(sql: "SAVEPOINT ktx_check")
        defer { try? db.execute(sql: "ROLLBACK TO ktx_check; RELEASE ktx_check") }
        try rebuildLocked(db, rule: rule)
        if try before != fetchStateDigest(db) || cellsBefore != fetchCells(db) {
            report.add(.tablesDiffer)
        }
    }

    /// The kept totals, per township and cell and summed up from them, as rows to compare.
    private static func fetchCells(_ db: Database) throws -> [Row] {
        try Row.fetchAll(db, sql: """
            SELECT 't', township, kind, project, month, metric, value FROM total_cell WHERE value != 0
            UNION ALL
            SELECT 'c', NULL, kind, project, month, metric, value FROM county_cell WHERE value != 0
            UNION ALL
            SELECT 'y', township, kind, NULL, year, metric, value FROM township_cell WHERE value != 0
            ORDER BY 1, 2, 3, 4, 5, 6
            """)
    }

    /// Kinds and metrics held that this catalog does not know (a newer ktx's operations):
    /// they are kept and relayed, and count once a ktx whose catalog knows them opens the replica.
    public func newerCodes() throws -> NewerCodes {
        let kinds = catalog.kinds.map { "'\($0.code)'" }.joined(separator: ", ")
        let metrics = catalog.metrics.map { "'\($0.code)'" }.joined(separator: ", ")
        return try read("status") { db in
            var out = NewerCodes()
            for row in try Row.fetchAll(db, sql: "SELECT kind, COUNT(*) FROM activity WHERE kind NOT IN (\(kinds)) GROUP BY kind") {
                out.kinds[row[0]] = row[1]
            }
            for row in try Row.fetchAll(db, sql: "SELECT metric, COUNT(*) FROM quantity WHERE metric NOT IN (\(metrics)) GROUP BY metric") {
                out.metrics[row[0]] = row[1]
            }
            return out
        }
    }

    /// Why the log cannot be trusted as it is: a replica's operations missing, or a chunk
    /// whose bytes changed after they were written. Reads the chunks' bounds and bytes,
    /// unpacks nothing: cheap enough for every command that shows figures. Nil when whole.
    public func logDamage() throws -> KtxError? {
        try read("log") { db in
            do {
                try Self.requireContiguousLog(db)
            } catch let error as KtxError where error.code == .logGap {
                return error
            }
            return try Self.damagedChunk(db)
        }
    }

    /// Throws if the last chunk of this replica's own log cannot be read: a local write
    /// never goes on top of a chunk it cannot read.
    static func requireReadableTail(_ db: Database, _ me: SelfRow) throws {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT first_seq, last_seq, ops, sum FROM op_chunk WHERE replica = ? ORDER BY last_seq DESC LIMIT 1
            """), arguments: [me.num]) else {
            if me.maxSeq != 0 { throw KtxError.damagedLog("no chunk holds this replica's operations 1–\(me.maxSeq)") }
            return
        }
        let first: Int64 = row[0]
        let last: Int64 = row[1]
        guard last == me.maxSeq else {
            throw KtxError.damagedLog("this replica's log ends at \(last), its record says \(me.maxSeq)")
        }
        let bytes: Data = row[2]
        let ops = try? bytes.withUnsafeBytes { try OpChunk.read($0, replica: me.replica, firstSeq: first) }
        guard let ops, ops.count == Int(last - first + 1) else {
            throw KtxError.damagedLog("operations \(first)–\(last) cannot be read")
        }
        if let sum = row[3] as Int64?, ChunkSum.of(bytes) != sum {
            throw KtxError.damagedLog("operations \(first)–\(last) changed after they were written")
        }
    }
}
