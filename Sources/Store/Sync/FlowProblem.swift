import Foundation
import GRDB
import SyncCore

/// A PC whose records are not reaching the county, as a sync found it: this PC's own (the
/// clerk's to act on) or another PC's (the county's to act on), with the reason and the next
/// step in the user's language.
public struct FlowProblem: Sendable, Equatable {
    /// Why records are not flowing.
    public enum Cause: String, Sendable, CaseIterable {
        /// An operation every receiver refuses; the replica's later ones wait behind it (another
        /// PC), or were left out and continued under a new replica (this PC).
        case refused
        /// A governed folder's county has not enrolled the replica: everyone holds its records.
        case notEnrolled = "not-enrolled"
        /// The county revoked the replica: its later records are held everywhere.
        case revoked
        /// Dated ahead of the receiver's clock (another PC), or of the hub's (this PC): held.
        case clockAhead = "clock-ahead"
        /// The hub refused a push of this PC's.
        case pushRefused = "push-refused"
        /// This PC's operations that every receiver refuses were left out.
        case leftOut = "left-out"
        /// The database was copied (or restored) and continued under a new replica.
        case continued
        /// A file under the replica's name that it did not write is in the hub folder.
        case forged
    }

    /// The remote whose last sync found it.
    public var remote: String
    /// The PC (replica) whose records do not flow.
    public var replica: ReplicaID
    /// Why.
    public var cause: Cause
    /// This PC's own replica (or one it was before a continuation).
    public var own: Bool
    /// Its township, if known.
    public var township: String?
    /// Where it stops, when known.
    public var seq: Int64?
    /// A refusal's reason code, a push refusal's message, a file's name, the new replica.
    public var code: String?
    /// When the sync found it, unix milliseconds.
    public var seenAtMillis: Int64

    /// A problem as a sync found it.
    public init(remote: String, replica: ReplicaID, cause: Cause, own: Bool, township: String?, seq: Int64?, code: String?,
                seenAtMillis: Int64) {
        (self.remote, self.replica, self.cause, self.own, self.township, self.seq, self.code, self.seenAtMillis) =
            (remote, replica, cause, own, township, seq, code, seenAtMillis)
    }

    /// What a push refusal is kept as: the hub's own words when it gave some (English, for
    /// logs), else its code.
    static func pushRefusalCode(_ refusal: KtxError) -> String {
        switch refusal.detail {
        case .hubForbidden(_, let code, let message), .hubRefusedRequest(_, _, let code, let message):
            message ?? code ?? refusal.code.rawValue
        default:
            refusal.code.rawValue
        }
    }

    /// One line: whose records, why they are not flowing, and what to do.
    public func message(_ language: Language) -> String {
        let pc = own ? language.pick(zh: "本机", en: "this PC")
            : language.pick(zh: "\(township.map { "“\($0)”的" } ?? "")电脑 \(replica.short)", en: "\(township.map { "\($0)'s " } ?? "")PC \(replica.short)")
        let from = seq.map { language.pick(zh: "第 \($0) 条起", en: " from seq \($0)") } ?? ""
        // (In Chinese, a space between a PC's id and what follows it.)
        let pcFrom = pc + (own || from.isEmpty || language == .en ? "" : " ") + from
        let reason = code.flatMap { HubCode.words($0, language) }.map { "（\($0)）" }
        let words = code.flatMap { HubCode.words($0, .en) } ?? code ?? ""
        switch (cause, language) {
        case (.refused, .zh):
            return "\(pcFrom)的记录各处都拒收\(reason ?? "")，其后的记录停在这里：该电脑用 ktx 0.4 及以后版本同步时会略去这条、改用新副本继续送达（新副本出现即是）；否则请该电脑升级 ktx 后同步"
        case (.refused, .en):
            return "\(pc)'s records\(from) are refused everywhere (\(words)) and what follows stops there: ktx 0.4 or later on that PC leaves the refused one out at its next sync and continues under a new replica (a new PC of the township appears); otherwise upgrade ktx on that PC and sync"
        case (.notEnrolled, .zh):
            return "\(pc)尚未获县科协批准，其记录各处暂不合并：县科协用 ktx hub requests 核对密钥指纹后用 ktx hub approve 批准"
        case (.notEnrolled, .en):
            return "\(pc) is not enrolled by the county: its records are held everywhere. The county checks its key fingerprint with `ktx hub requests` and enrols it with `ktx hub approve`"
        case (.revoked, .zh):
            return "县科协已停用\(pcFrom)：其后的记录不会合并；如属误停，县科协重新批准即可"
        case (.revoked, .en):
            return "the county revoked \(pc)\(from): its later records are not merged; if by mistake, the county approves it again"
        case (.clockAhead, .zh):
            return "\(pc)的时钟不准（比别处快）\(from)，其记录暂不合并：请把该电脑的日期和时间改正确后再同步，记录不会丢失"
        case (.clockAhead, .en):
            return "\(pc)'s clock is ahead\(from): its records are held. Set that PC's date and time right and sync again; nothing is lost"
        case (.pushRefused, .zh):
            return "同步服务器拒收了\(pc)的推送（\(code ?? "")）：请升级 ktx 后再同步；仍不行请把这句话告诉县科协"
        case (.pushRefused, .en):
            return "the hub refused a push of \(pc) (\(code ?? "")): upgrade ktx and sync again; if it persists, tell the county this line"
        case (.leftOut, .zh):
            return "\(pc)\(from)有记录各处都拒收\(reason ?? "")，已略去；其余记录改用新副本照常送达"
        case (.leftOut, .en):
            return "\(pc) had a record\(from) that every receiver refuses (\(words)); it was left out, the rest goes on under a new replica"
        case (.continued, .zh):
            return "\(pc)的数据库是复制或恢复来的，此后的记录改记在新副本 \(code ?? "") 下：在县科协管理的同步文件夹里，县科协须批准新副本（ktx hub approve）"
        case (.continued, .en):
            return "\(pc)'s database was copied or restored; its later records continue under the new replica \(code ?? ""): on a governed hub folder the county enrols the new replica (`ktx hub approve`)"
        case (.forged, .zh):
            return "同步文件夹里有不是\(pc) 写的文件冒用其名（\(code ?? "")）：已忽略，不影响同步；有人能写入同步文件夹，请县科协检查谁能访问它"
        case (.forged, .en):
            return "the hub folder holds a file under \(pc)'s name that it did not write (\(code ?? "")): ignored, syncing goes on; someone can write to the folder: the county should check who has access"
        }
    }

    /// The clerk's line: how many of this PC's records the county does not have through
    /// `remote`, why, and what to do; nil when it has them all.
    public static func notReachedLine(_ count: Int64, remote: String, problems: [FlowProblem], _ language: Language) -> String? {
        let why = problems.filter { $0.own && $0.remote == remote }
        guard count > 0 || !why.isEmpty else { return nil }
        let reasons = why.isEmpty
            ? [language.pick(zh: "尚未同步：请运行 ktx sync \(remote)", en: "not synced yet: run `ktx sync \(remote)`")]
            : why.map { $0.message(language) }
        return language.pick(zh: "本机有 \(count) 条记录尚未送达县科协（经 \(remote)）：", en: "\(count) of this PC's records have not reached the county (through \(remote)): ")
            + reasons.joined(separator: language.pick(zh: "；", en: "; "))
    }

    /// What an HTTP hub says of the PCs whose pushes it refuses (`HubAPI.Status`).
    public static func fromHub(_ pcs: [HubAPI.Status.NotFlowing], remote: String, now: Int64) -> [FlowProblem] {
        pcs.compactMap { pc in
            ReplicaID(hex: pc.replica).map {
                FlowProblem(remote: remote, replica: $0, cause: pc.code == HubErrorCode.futureTimestamp.rawValue ? .clockAhead : .refused, own: false,
                            township: pc.township, seq: nil, code: pc.code, seenAtMillis: now)
            }
        }
    }

    /// What one sync found, for this PC and for others.
    static func found(in report: SyncReport, remote: String, me: ReplicaID, previous: [ReplicaID], now: Int64) -> [FlowProblem] {
        var out: [FlowProblem] = []
        func add(_ replica: ReplicaID, _ cause: Cause, township: String? = nil, seq: Int64? = nil, code: String? = nil) {
            let own = replica == me || previous.contains(replica)
            guard !out.contains(where: { $0.replica == replica && $0.cause == cause }) else { return }
            out.append(FlowProblem(remote: remote, replica: replica, cause: cause, own: own, township: township, seq: seq,
                                   code: code, seenAtMillis: now))
        }
        switch report.enrolment {
        case .waiting: add(me, .notEnrolled)
        case .revoked(let after): add(me, .revoked, seq: after + 1)
        case .open, .enrolled: break
        }
        if report.clockAheadOfHub != nil || report.clockAheadOfOthers != nil { add(me, .clockAhead) }
        for refusal in report.pushRefusals { add(me, .pushRefused, code: Self.pushRefusalCode(refusal)) }
        if let recovery = report.recovery {
            for left in recovery.leftOut { add(left.replica, .leftOut, seq: left.seq, code: left.reason.rawValue) }
        }
        if let continuation = report.continuation {
            add(continuation.previous, .continued, code: continuation.replica.short)
        }
        for refusal in report.refused { add(refusal.replica, .refused, seq: refusal.seq, code: refusal.reason.rawValue) }
        for held in report.held {
            let cause: Cause = switch held.cause {
            case .clock: .clockAhead
            case .notEnrolled: .notEnrolled
            case .revoked: .revoked
            }
            add(held.replica, cause, township: held.township, seq: held.seq)
        }
        for p in fromHub(report.hubNotFlowing, remote: remote, now: now) { add(p.replica, p.cause, township: p.township, code: p.code) }
        for warning in report.warnings where [.forged, .foreign, .damaged].contains(warning.reason) {
            // ops/<replica>/<file>: a file in a replica's place; tampered/<replica>/<file>: one
            // the office found there and set aside (named by its path, to look at and remove).
            let parts = warning.file.split(separator: "/")
            guard parts.count == 3, parts[0] == "ops" || parts[0] == "tampered", let replica = ReplicaID(hex: String(parts[1])) else { continue }
            add(replica, .forged, code: parts[0] == "ops" ? String(parts[2]) : warning.file)
        }
        return out
    }
}

extension Store {
    /// Keeps what a sync with `remote` found, in place of what the last one found.
    func recordFlowProblems(_ problems: [FlowProblem], remote: String) throws {
        try write("flow") { db in
            try db.execute(sql: "DELETE FROM flow_problem WHERE remote = ?", arguments: [remote])
            for p in problems {
                try db.execute(sql: """
                    INSERT OR REPLACE INTO flow_problem (remote, replica, cause, own, township, seq, code, seen_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [remote, Data(p.replica.bytes), p.cause.rawValue, p.own, p.township ?? Self.township(db, p.replica),
                                     p.seq, p.code, p.seenAtMillis])
            }
        }
    }

    private static func township(_ db: Database, _ replica: ReplicaID) -> String? {
        try? String.fetchOne(db, sql: "SELECT township FROM replica WHERE id = ?", arguments: [Data(replica.bytes)])
    }

    /// What the last sync with each remote found about PCs whose records are not flowing.
    public func flowProblems() throws -> [FlowProblem] {
        try read("flow") { db in
            try Row.fetchAll(db, sql: "SELECT remote, replica, cause, own, township, seq, code, seen_at FROM flow_problem ORDER BY own DESC, township, cause")
                .compactMap { row in
                    guard let replica = ReplicaID(bytes: row[1] as Data), let cause = FlowProblem.Cause(rawValue: row[2]) else { return nil }
                    return FlowProblem(remote: row[0], replica: replica, cause: cause, own: row[3], township: row[4], seq: row[5],
                                       code: row[6], seenAtMillis: row[7])
                }
        }
    }

    /// This PC's own operations that have not reached the county's readers through `remote`,
    /// given what the last sync found: all it holds when the county has not enrolled it, those
    /// the hub does not hold otherwise.
    public func unreachedOwnOperations(remote: Remote, problems: [FlowProblem]) throws -> Int64 {
        let own = problems.filter { $0.remote == remote.name && $0.own }
        let me = try identity().replica
        let held = try ownOperationCount()
        if own.contains(where: { $0.cause == .notEnrolled && $0.replica == me }) { return held }
        if let revoked = own.first(where: { $0.cause == .revoked })?.seq { return max(0, held - revoked + 1) }
        return remote.unsyncedOwn
    }

    func ownOperationCount() throws -> Int64 {
        try read("count") { db in try Int64.fetchOne(db, sql: "SELECT r.max_seq FROM replica_self s JOIN replica r ON r.num = s.replica") ?? 0 }
    }
}
