import Foundation
import GRDB
import SyncCore

/// What `ktx check` found.
public struct CheckReport: Sendable, Equatable {
    /// Problems, each a stable code and a message that says what to do; empty when sound.
    public var problems: [Problem] = []
    /// Chunks of the log read and decoded.
    public var chunks = 0
    /// Operations read from them.
    public var operations = 0

    /// One problem found, with what to do about it.
    public struct Problem: Sendable, Equatable {
        /// A stable code (`damaged-chunk`, `tables-differ`).
        public var code: String
        /// The message in Chinese.
        public var zh: String
        /// The message in English.
        public var en: String

        /// The message in a language.
        public func message(_ language: Language) -> String { language.pick(zh: zh, en: en) }
    }

    /// Whether the replica is sound: no problem found.
    public var isSound: Bool { problems.isEmpty }

    mutating func add(_ code: String, zh: String, en: String) {
        problems.append(Problem(code: code, zh: zh, en: en))
    }
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
        report.add("key-readable",
                   zh: "\(path) 含本机的签名密钥，其他用户也能读取（权限 \(octal)），本账户无法更改：请由文件的所有者运行 chmod 600 \(path)。若这台电脑有别人的账户，他们可能已复制密钥：请县科协停用本机（ktx hub revoke）后新建副本",
                   en: "\(path) holds this PC's signing key and is readable by other users (mode \(octal)), and this account cannot change it: its owner must run chmod 600 \(path). If others have accounts on this PC they may have copied the key: ask the county to revoke this replica (ktx hub revoke) and make a new one")
    }

    /// SQLite's own integrity check; false (and nothing more is read) when it fails.
    private static func checkIntegrity(_ db: Database, _ report: inout CheckReport) throws -> Bool {
        let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
        guard integrity != ["ok"] else { return true }
        report.add("sqlite-integrity",
                   zh: "SQLite 完整性检查未通过（\(integrity.prefix(3).joined(separator: "；"))）：请从备份恢复，或新建副本后从同步服务器拉取",
                   en: "SQLite's integrity check failed (\(integrity.prefix(3).joined(separator: "; "))): restore a backup, or make a new replica and pull from the hub")
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
                report.add("orphan-chunk", zh: "操作日志中有一段记录不属于任何已知副本", en: "a chunk of the log belongs to no known replica")
                continue
            }
            defer { end[num] = last }
            let bytes: Data = row[3]
            guard let ops = try? OpChunk.decode([UInt8](bytes), replica: id, firstSeq: first) else {
                report.add("unreadable-chunk",
                           zh: "副本 \(id.short) 第 \(first)–\(last) 条操作无法解读：请新建副本并从同步服务器拉取",
                           en: "operations \(first)–\(last) of replica \(id.short) cannot be read: make a new replica and pull from the hub")
                continue
            }
            if let sum = row[4] as Int64?, ChunkSum.of(bytes) != sum {
                report.add("changed-chunk",
                           zh: "副本 \(id.short) 第 \(first)–\(last) 条操作写入后被改动，不能再信任：请用最近的备份替换本数据库，或新建副本并从同步服务器拉取",
                           en: "operations \(first)–\(last) of replica \(id.short) changed after they were written and cannot be trusted: put the newest backup in place of this database, or make a new replica and pull from the hub")
                continue
            }
            report.operations += ops.count
            if ops.count != Int(last - first + 1) || first != (end[num] ?? 0) + 1 {
                report.add("chunk-gap",
                           zh: "副本 \(id.short) 的操作序号在 \(first) 处不连续",
                           en: "the seqs of replica \(id.short) are not contiguous at \(first)")
            }
            if let bad = ops.first(where: { rule.check($0) != nil }), let reason = rule.check(bad) {
                report.add("refused-operation",
                           zh: "副本 \(id.short) 第 \(bad.seq) 条操作不符合操作规则（\(reason.message(.zh))），由旧版本写入",
                           en: "operation \(bad.seq) of replica \(id.short) breaks the operation rule (\(reason.message(.en))); written by an older version")
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
                report.add("vector-mismatch",
                           zh: "副本 \(id.short) 记为持有到第 \(maxSeq) 条，日志中却到第 \(end[num] ?? 0) 条",
                           en: "replica \(id.short) is recorded as held up to \(maxSeq), but the log holds up to \(end[num] ?? 0)")
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
            report.add("tables-differ",
                       zh: "汇总表与操作日志重建的结果不一致：请运行 ktx rebuild 修正",
                       en: "the tables differ from a rebuild from the log: run `ktx rebuild` to correct them")
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
        let ops = try? bytes.withUnsafeBytes { try OpChunk.decode($0, replica: me.replica, firstSeq: first) }
        guard let ops, ops.count == Int(last - first + 1) else {
            throw KtxError.damagedLog("operations \(first)–\(last) cannot be read")
        }
        if let sum = row[3] as Int64?, ChunkSum.of(bytes) != sum {
            throw KtxError.damagedLog("operations \(first)–\(last) changed after they were written")
        }
    }
}
