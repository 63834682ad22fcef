import Foundation
import GRDB
import Store
import SyncCore

/// One PC (replica) as the county's dashboard shows it.
public struct ReplicaSummary: Hashable, Sendable {
    /// The replica.
    public var replica: ReplicaID
    /// The township it belongs to (the hub's binding), else the one it announced.
    public var township: String
    /// `township` or `county` on an HTTP hub; nil in a replica.
    public var role: String?
    /// Operations of it held here.
    public var operations: Int64
    /// When its newest operation held here was made (its clock).
    public var newestOperation: Int64?
    /// On an HTTP hub: when it first and last pushed, and when it last started a sync.
    public var registeredAt: Int64?
    /// When it last pushed, unix milliseconds.
    public var lastPush: Int64?
    /// When it last started a sync, unix milliseconds.
    public var lastSyncStart: Int64?
    /// On an HTTP hub: operations refused from it, by reason.
    public var refusals: [RefusalCount]

    /// On an HTTP hub, when it last synced (started a sync or pushed).
    public var lastSync: Int64? {
        switch (lastPush, lastSyncStart) {
        case let (a?, b?): max(a, b)
        case let (a, b): a ?? b
        }
    }

    /// When it was last heard of: its last sync, else its newest operation.
    public var lastSeen: Int64? { lastSync ?? newestOperation }

    /// How many days without a sync make a PC stale, unless asked otherwise, and the most one
    /// may ask for (`ktx hub status --days`, the dashboard's `days`).
    public static let staleDays = 30
    /// The days a caller may ask for: a day to ten years.
    public static let staleDaysRange = 1...3650

    /// Whether it has not been heard of for `days` days before `now` (unix milliseconds).
    public func isStale(days: Int, now: Int64) -> Bool { (lastSeen ?? 0) < now - Int64(days) * 86_400_000 }

    /// A number of days as typed; nil if outside ``staleDaysRange``.
    public static func staleDays(_ text: String) -> Int? { Int(text).flatMap { staleDaysRange.contains($0) ? $0 : nil } }
}

/// Operations an HTTP hub refused from one replica for one reason.
public struct RefusalCount: Hashable, Sendable {
    /// The reason's code.
    public var code: String
    /// A refusal for a clock ahead of the hub's (operations dated beyond the allowed skew).
    public var isClock: Bool { code == HubErrorCode.futureTimestamp.rawValue }
    /// Pushes refused for it.
    public var pushes: Int64
    /// Operations those pushes carried.
    public var operations: Int64
    /// When the last was refused, unix milliseconds.
    public var lastAt: Int64
    /// The words the client was given.
    public var message: String
}

extension Store {
    /// Every replica whose operations are held here, with what the hub knows of its pushes
    /// and refusals: one read.
    public func replicaSummaries() throws -> [ReplicaSummary] {
        try read("replicas") { db in
            var refusals: [Data: [RefusalCount]] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT replica, code, pushes, operations, last_at, message FROM hub_refusal ORDER BY code") {
                refusals[row[0], default: []].append(RefusalCount(code: row[1], pushes: row[2], operations: row[3], lastAt: row[4], message: row[5]))
            }
            var hub: [Int64: Row] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT replica, township, role, registered_at, last_push_at, last_seen_at FROM hub_replica") {
                hub[row[0]] = row
            }
            var seen: Set<Data> = []
            var result: [ReplicaSummary] = []
            for r in try Self.newestOperations(db) where r.maxSeq > 0 || hub[r.num] != nil {
                let raw = Data(r.replica.bytes)
                let h = hub[r.num]
                seen.insert(raw)
                result.append(ReplicaSummary(replica: r.replica, township: h?[1] ?? r.township, role: h?[2], operations: r.maxSeq,
                                             newestOperation: r.newest, registeredAt: h?[3], lastPush: h?[4], lastSyncStart: h?[5],
                                             refusals: refusals[raw] ?? []))
            }
            // A replica refused before the hub held anything of it.
            for (raw, counts) in refusals where !seen.contains(raw) {
                guard let id = ReplicaID(bytes: raw) else { continue }
                let township = try String.fetchOne(db, sql: "SELECT township FROM hub_refusal WHERE replica = ? AND township IS NOT NULL LIMIT 1",
                                                   arguments: [raw]) ?? ""
                result.append(ReplicaSummary(replica: id, township: township, role: nil, operations: 0, newestOperation: nil,
                                             registeredAt: nil, lastPush: nil, lastSyncStart: nil, refusals: counts))
            }
            return result.sorted { ($0.township, $0.replica.hex) < ($1.township, $1.replica.hex) }
        }
    }

    /// Notes that a replica started a sync, if the caller's token speaks for it (its
    /// township's token, or a county token for a county replica).
    public func noteSyncStarted(replica: ReplicaID, caller: HubCaller) async throws {
        let now = wallClock.nowMillis()
        try await writeAsync("sync start") { db in
            try db.execute(sql: """
                UPDATE hub_replica SET last_seen_at = ?
                WHERE replica = (SELECT num FROM replica WHERE id = ?) AND ((role = 'county' AND ?) OR (role = 'township' AND township = ?))
                """, arguments: [now, Data(replica.bytes), caller.role == .county, caller.role == .township ? caller.township : nil])
        }
    }

    /// Counts a push the HTTP hub refused: its replica, the reason's code, how many operations
    /// it carried, and the message the client was given.
    public func noteRefusal(replica: ReplicaID, township: String?, code: String, operations: Int, message: String) async throws {
        let now = wallClock.nowMillis()
        try await writeAsync("refusal") { db in
            try db.execute(sql: """
                INSERT INTO hub_refusal (replica, code, township, pushes, operations, last_at, message) VALUES (?, ?, ?, 1, ?, ?, ?)
                ON CONFLICT (replica, code) DO UPDATE SET pushes = pushes + 1, operations = operations + excluded.operations,
                    last_at = excluded.last_at, message = excluded.message, township = COALESCE(excluded.township, township)
                """, arguments: [Data(replica.bytes), code, township, operations, now, String(message.prefix(500))])
        }
    }
}

extension Store {
    /// On an HTTP hub: the hub's own replica becomes one of the county's (it writes the
    /// manual indicator values and 偏差原因 entered on the county's dashboard), so it is
    /// listed with the county's PCs. Nothing is changed if it is registered already.
    public func registerHubAsCounty() throws {
        let now = wallClock.nowMillis()
        try write("hub replica") { db in
            try db.execute(sql: """
                INSERT OR IGNORE INTO hub_replica (replica, township, registered_at, role)
                SELECT s.replica, COALESCE(r.township, ?), ?, 'county' FROM replica_self s JOIN replica r ON r.num = s.replica
                """, arguments: [Self.countyOffice, now])
        }
    }
}
