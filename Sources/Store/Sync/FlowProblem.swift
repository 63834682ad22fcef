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
    ///
    /// - Parameter fingerprint: this PC's key fingerprint, kept with its own "not enrolled"
    ///   so that the line can say what to read out to the county.
    static func found(in report: SyncReport, remote: String, me: ReplicaID, previous: [ReplicaID], fingerprint: String? = nil,
                      now: Int64) -> [FlowProblem] {
        var out: [FlowProblem] = []
        func add(_ replica: ReplicaID, _ cause: Cause, township: String? = nil, seq: Int64? = nil, code: String? = nil) {
            let own = replica == me || previous.contains(replica)
            guard !out.contains(where: { $0.replica == replica && $0.cause == cause }) else { return }
            out.append(FlowProblem(remote: remote, replica: replica, cause: cause, own: own, township: township, seq: seq,
                                   code: code, seenAtMillis: now))
        }
        switch report.enrolment {
        case .waiting: add(me, .notEnrolled, code: fingerprint)
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
