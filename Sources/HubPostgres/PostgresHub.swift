import Foundation
import HubStorage
import Logging
import PostgresNIO
import Store
import SyncCore
import Synchronization

/// A hub whose shared state is a PostgreSQL database, so any number of `ktx hub serve`
/// processes (nodes) on it serve one hub.
///
/// The database is the authority: operations, the township of each replica, activity
/// ownership, seals, tokens and refusals. Each node keeps a SQLite copy of the hub (its
/// ``view``, a file it may lose: it is rebuilt from the database) and answers pulls, totals
/// and pages from it after bringing it up to date. A push is taken under a lock on its
/// replica held in the database (`pg_advisory_xact_lock`): the node brings its view up to
/// date, checks the push against it with the SQLite hub's own code (signatures, rights, the
/// acceptance rule; nothing stored), claims the activities it touches (one township owns an
/// activity, whichever node saw it first) and stores the new operations, all in one
/// transaction. Two nodes taking batches of one replica at once therefore store them one
/// after the other: no gap, no duplicate.
public final class PostgresHub: HubBackend {
    /// This node's copy of the hub in SQLite, which answers pulls and pages.
    public let view: Store
    /// The database's address, without its password.
    public let location: String
    let client: PostgresClient
    let logger: Logger
    let wallClock: any WallClock
    private let runner: Task<Void, Never>
    /// The replicas as last mirrored: only changed rows are written into the view.
    private let mirrored = Mutex<[ReplicaID: HubReplicaState]>([:])
    /// A copy made for one command, removed by ``close()``.
    private let throwAway: String?
    /// Pages of operations read from the database at a time when a view catches up.
    let pageSize = 20_000

    private init(view: Store, location: PostgresLocation, client: PostgresClient, runner: Task<Void, Never>,
                 wallClock: any WallClock, logger: Logger, throwAway: String?) {
        self.view = view
        self.throwAway = throwAway
        self.location = location.display
        self.client = client
        self.runner = runner
        self.wallClock = wallClock
        self.logger = logger
    }

    /// Connects, brings the database's tables to this version (once, under a lock, whichever
    /// node starts first), and opens or builds this node's view at `viewPath`.
    ///
    /// - Throws: ``KtxError`` `database-unavailable` with what the operator can do when the
    ///   server cannot be reached, refuses the password, or the database does not exist.
    ///
    /// - Parameter viewPath: nil for a command that needs no copy (tokens): a throw-away one
    ///   is made and removed by ``close()``.
    public static func open(_ location: PostgresLocation, viewPath: String?, wallClock: any WallClock = SystemWallClock(),
                            logger: Logger) async throws -> PostgresHub {
        // One connection first: a wrong password or a server that is not there is told at
        // once, in words (the pool would keep retrying for a minute).
        try await probe(location, logger: logger)
        // The pool's own chatter (a lease asked before its run loop started) is not the operator's.
        var poolLogger = logger
        poolLogger.logLevel = .error
        let client = PostgresClient(configuration: location.configuration, backgroundLogger: poolLogger)
        let runner = Task { await client.run() }
        do {
            let hubID = try await PostgresSchema.migrate(client, logger: logger)
            let path = viewPath ?? FileManager.default.temporaryDirectory
                .appendingPathComponent("ktx-hub-view-\(UUID().uuidString).db").path
            let view = try openView(at: path, hubID: hubID, wallClock: wallClock, logger: logger)
            let hub = PostgresHub(view: view, location: location, client: client, runner: runner, wallClock: wallClock,
                                  logger: logger, throwAway: viewPath == nil ? path : nil)
            if viewPath != nil {
                try await hub.checkView(at: path)
                try await hub.refresh(details: true)
            }
            return hub
        } catch {
            runner.cancel()
            throw describe(error, location)
        }
    }

    /// Connects once and disconnects.
    static func probe(_ location: PostgresLocation, logger: Logger) async throws {
        var quiet = logger
        quiet.logLevel = .critical
        do {
            let connection = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 1, logger: quiet)
            try await connection.close()
        } catch {
            throw describe(error, location)
        }
    }

    /// Stops the connections (and removes a throw-away copy).
    public func close() async {
        runner.cancel()
        _ = await runner.value
        if let path = throwAway { Self.removeView(at: path) }
    }

    // MARK: View

    /// The view belongs to one hub database (its id is in a file beside it); a view of another
    /// database, or none, is made anew.
    private static func openView(at path: String, hubID: String, wallClock: any WallClock, logger: Logger) throws -> Store {
        let marker = path + ".hub-id"
        let recorded = (try? String(contentsOfFile: marker, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
        if recorded == nil, FileManager.default.fileExists(atPath: path) {
            // Never removed: it may be a SQLite hub's database, or a replica, named by mistake.
            throw KtxError(.notANodeCopy(path: path, marker: marker))
        }
        if let recorded, recorded != hubID, FileManager.default.fileExists(atPath: path) {
            logger.notice("this node's copy of the hub belongs to another hub database: building it anew", metadata: ["view": "\(path)"])
            removeView(at: path)
        }
        let store = try Store.openHub(at: path, wallClock: wallClock)
        try hubID.write(toFile: marker, atomically: true, encoding: .utf8)
        return store
    }

    private static func removeView(at path: String) {
        for suffix in ["", "-wal", "-shm", ".hub-id"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// A view holding operations the database lacks (the database restored from an older
    /// backup) would serve them: it is refused with what to do.
    private func checkView(at path: String) async throws {
        let states = try await replicaStates()
        let held = try await view.versionVector()
        let own = try view.identity().replica
        for (replica, seq) in held where replica != own && seq > (states[replica]?.maxSeq ?? 0) {
            throw KtxError(.viewAhead(path: path, replica: replica.short, seq: seq, database: states[replica]?.maxSeq ?? 0))
        }
        try await publishOwn()
    }

    /// Brings the view up to date: new operations of every replica, changed registrations,
    /// and with `details` the refusal counts (the county's pages show them).
    @discardableResult
    public func refresh(details: Bool) async throws -> Bool {
        try await withLease { connection in try await self.catchUp(connection, details: details) }
    }

    /// Brings the view up to date with the database.
    ///
    /// - Parameter scope: the replicas to bring (a push brings its own: a few queries however
    ///   many replicas the hub has).
    private func catchUp(_ connection: PostgresConnection, details: Bool, _ scope: ReplicaScope = .all) async throws -> Bool {
        let states = try await replicaStates(connection, scope)
        // A push's catch-up reads its replicas' entries alone, not the whole vector.
        var held = VersionVector()
        if case .all = scope {
            held = try await view.versionVector()
        } else {
            for replica in states.keys { held[replica] = try await view.maxSeq(of: replica) }
        }
        var changed = false
        for state in states.values.sorted(by: { $0.id < $1.id }) where state.maxSeq > held[state.id] {
            var after = held[state.id]
            while after < state.maxSeq {
                let run = try await run(connection, state, after: after)
                guard let last = run.operations.last?.seq else { break }
                try await view.mirror([run], replicas: [state])
                after = last
                changed = true
            }
        }
        let before = mirrored.withLock { $0 }
        // A push's catch-up mirrors its own replica's row; a full one, every row that changed.
        let moved = states.values.filter { before[$0.id] != $0 }
        if !moved.isEmpty {
            try await view.mirror([], replicas: moved)
            mirrored.withLock { current in for state in moved { current[state.id] = state } }
        }
        if details {
            try await view.mirrorRefusals(try await refusals(connection))
        }
        return changed
    }

    /// One replica's operations after `after` with their seals: a page, ended at the end of a
    /// signed run so the view takes the run whole.
    private func run(_ connection: PostgresConnection, _ state: HubReplicaState, after: Int64) async throws -> HubPullPage.Run {
        let num = try await number(connection, state.id) ?? 0
        var seals: [RunSeal] = []
        for try await (first, last, prev, digest, key, signature) in try await connection.query("""
            SELECT first_seq, last_seq, prev, digest, key, signature FROM hub_seal
            WHERE replica = \(num) AND last_seq > \(after) ORDER BY first_seq LIMIT 1000
            """, logger: self.logger).decode((Int64, Int64, Data, Data, Data, Data).self) {
            seals.append(RunSeal(first: first, last: last, prev: [UInt8](prev), digest: [UInt8](digest),
                                 key: [UInt8](key), signature: [UInt8](signature)))
        }
        var upTo = after + Int64(pageSize)
        if let covering = seals.first(where: { $0.first <= upTo && $0.last > upTo }) { upTo = covering.last }
        seals = seals.filter { $0.last <= upTo || $0.first <= after + 1 }
        var ops: [Op] = []
        for try await (seq, hlc, activity, kind, field, text, number) in try await connection.query("""
            SELECT seq, hlc, activity, kind, field, text, number FROM hub_op
            WHERE replica = \(num) AND seq > \(after) AND seq <= \(upTo) ORDER BY seq
            """, logger: self.logger).decode((Int64, Int64, String, Int16, String, String, Int64).self) {
            ops.append(try PostgresRow.op(state.id, seq: seq, hlc: hlc, activity: activity, kind: kind, field: field, text: text, number: number))
        }
        return HubPullPage.Run(replica: state.id, township: state.announced, operations: ops, seals: seals)
    }

    private func number(_ connection: PostgresConnection, _ replica: ReplicaID) async throws -> Int64? {
        for try await num in try await connection.query("SELECT num FROM hub_replica WHERE id = \(Data(replica.bytes))",
                                                        logger: self.logger).decode(Int64.self) {
            return num
        }
        return nil
    }

    private func replicaStates() async throws -> [ReplicaID: HubReplicaState] {
        try await withLease { try await self.replicaStates($0) }
    }

    /// Which replicas a catch-up brings: all (a read), or one (a push brings its own).
    enum ReplicaScope {
        case all
        case one(ReplicaID)
    }

    private func replicaStates(_ connection: PostgresConnection, _ scope: ReplicaScope = .all) async throws -> [ReplicaID: HubReplicaState] {
        var states: [ReplicaID: HubReplicaState] = [:]
        let columns = "SELECT id, township, role, announced, max_seq, registered_at, last_push_at, last_seen_at FROM hub_replica"
        let query: PostgresQuery = switch scope {
        case .all: "\(unescaped: columns)"
        case let .one(replica): "\(unescaped: columns) WHERE id = \(ByteBuffer(bytes: replica.bytes))"
        }
        for try await (id, township, role, announced, maxSeq, registered, push, seen) in try await connection.query(query, logger: self.logger).decode((Data, String, String, String?, Int64, Int64, Int64?, Int64?).self) {
            guard let replica = ReplicaID(bytes: id) else { continue }
            states[replica] = HubReplicaState(id: replica, township: township, role: role, announced: announced, maxSeq: maxSeq,
                                              registeredAt: registered, lastPushAt: push, lastSeenAt: seen)
        }
        return states
    }

    private func refusals(_ connection: PostgresConnection) async throws -> [HubRefusalState] {
        var rows: [HubRefusalState] = []
        for try await (replica, code, township, pushes, operations, lastAt, message) in try await connection.query("""
            SELECT replica, code, township, pushes, operations, last_at, message FROM hub_refusal
            """, logger: self.logger).decode((Data, String, String?, Int64, Int64, Int64, String).self) {
            rows.append(HubRefusalState(replica: [UInt8](replica), code: code, township: township, pushes: pushes,
                                        operations: operations, lastAt: lastAt, message: message))
        }
        return rows
    }

    // MARK: Push

    /// Checks a push with the view's rules, then stores it in one transaction holding its replica's lock.
    public func accept(_ ops: [Op], replica: ReplicaID, announcedTownship: String?, caller: HubCaller,
                       seals: [RunSeal]) async throws -> (accepted: Int, duplicates: Int) {
        guard !ops.isEmpty else { return (0, 0) }
        let stored = try await transaction(locking: replica) { connection -> (counts: (accepted: Int, duplicates: Int), run: HubPullPage.Run?, state: HubReplicaState) in
            // This replica's operations are brought under its lock; the others' at the view's
            // next catch-up (a read), not inside the push.
            _ = try await self.catchUp(connection, details: false, .one(replica))
            let check = { (claimed: [ActivityID: String]) in
                try await self.view.hubAccept(ops, replica: replica, announcedTownship: announcedTownship,
                                              caller: caller, seals: seals, dryRun: true, claimed: claimed)
            }
            let counts: (accepted: Int, duplicates: Int)
            do {
                counts = try await check([:])
            } catch let rejection as HubRejection where rejection.code == .unknownActivity {
                // Another node took the activities' creation. The database's claims say whose
                // they are: every stored push claims its activities in its own transaction, and
                // an activity is first claimed by its creator's push (the check lets no other
                // replica change an activity the hub has not received). The creators' operations
                // are not copied into this node's view inside the push: the view takes them at
                // its next catch-up. An activity without a claim is not on the hub (or in a push
                // another node has not committed yet): refused, and the office tries again.
                // (An activity named after the pushing replica needs no claim: it is its own.)
                let activities = Set(ops.filter { !$0.targetsIndicator && $0.activity.creatorShort != replica.short }.map(\.activity))
                counts = try await check(try await self.claims(connection, activities))
            }
            let held = try await self.view.maxSeq(of: replica)
            let new = ops.filter { $0.seq > held }
            var (num, state) = try await self.register(connection, replica, caller: caller, announced: announcedTownship)
            guard let last = new.last?.seq else { return (counts, nil, state) }
            let newSeals = seals.filter { $0.last > held }
            try await self.claim(connection, new, township: state.township)
            try await self.store(connection, num: num, new, seals: newSeals)
            state.maxSeq = last
            return (counts, HubPullPage.Run(replica: replica, township: state.announced, operations: new, seals: newSeals), state)
        }
        // Committed: the view takes the same operations (checked once more as it merges them).
        do {
            try await view.mirror(stored.run.map { [$0] } ?? [], replicas: [stored.state])
            mirrored.withLock { $0[replica] = stored.state }
        } catch {
            // Stored in the database: the view catches up at the next request.
            logger.warning("stored a push; this node's copy will catch up later: \(error)")
        }
        let counts = stored.counts
        return counts
    }

    /// Registers the replica for the caller's township (or the county) if new, notes the push,
    /// and returns its row (the dry run checked its township is the caller's).
    private func register(_ connection: PostgresConnection, _ replica: ReplicaID, caller: HubCaller,
                          announced: String?) async throws -> (num: Int64, state: HubReplicaState) {
        let role = caller.role == .county ? "county" : "township"
        let township = (caller.role == .county ? announced : caller.township) ?? ""
        let now = wallClock.nowMillis()
        for try await (num, township, role, announced, maxSeq, registered, push, seen) in try await connection.query("""
            INSERT INTO hub_replica (id, township, role, announced, registered_at, last_push_at)
            VALUES (\(Data(replica.bytes)), \(township), \(role), \(announced), \(now), \(now))
            ON CONFLICT (id) DO UPDATE SET last_push_at = excluded.last_push_at,
                announced = COALESCE(excluded.announced, hub_replica.announced)
            RETURNING num, township, role, announced, max_seq, registered_at, last_push_at, last_seen_at
            """, logger: self.logger).decode((Int64, String, String, String?, Int64, Int64, Int64?, Int64?).self) {
            return (num, HubReplicaState(id: replica, township: township, role: role, announced: announced, maxSeq: maxSeq,
                                         registeredAt: registered, lastPushAt: push, lastSeenAt: seen))
        }
        throw HubUnavailable("the database did not return the replica's row")
    }

    /// Claims every activity the operations change for `township`: an activity belongs to the
    /// township that first wrote it, whichever node took that push (the view's check cannot
    /// see a push another node is storing at this moment; the unique key can).
    private func claim(_ connection: PostgresConnection, _ ops: [Op], township: String) async throws {
        let ids = Array(Set(ops.filter { !$0.targetsIndicator }.map(\.activity.rawValue))).sorted()
        guard !ids.isEmpty else { return }
        try await connection.query("""
            INSERT INTO hub_activity (id, township) SELECT unnest(\(ids)::text[]), \(township) ON CONFLICT (id) DO NOTHING
            """, logger: self.logger)
        for try await (id, owner) in try await connection.query("""
            SELECT id, township FROM hub_activity WHERE id = ANY(\(ids)::text[]) AND township <> \(township) ORDER BY id LIMIT 1
            """, logger: self.logger).decode((String, String).self) {
            throw HubRejection.otherActivity(ActivityID(unchecked: id), owner: owner, own: township, byCreator: false)
        }
    }

    /// The townships that claimed these activities, for those claimed.
    private func claims(_ connection: PostgresConnection, _ activities: Set<ActivityID>) async throws -> [ActivityID: String] {
        var owners: [ActivityID: String] = [:]
        guard !activities.isEmpty else { return owners }
        let ids = activities.map(\.rawValue).sorted()
        // One primary-key lookup an id, whatever the planner knows of the table (the LIMIT keeps
        // it from making a join of it): `id = ANY(…)` had a new hub's table, not yet analysed,
        // scanned whole, 2 ms a push under load.
        for try await (id, township) in try await connection.query("""
            SELECT u.id, c.township FROM unnest(\(ids)::text[]) AS u(id)
            CROSS JOIN LATERAL (SELECT township FROM hub_activity WHERE hub_activity.id = u.id LIMIT 1) AS c
            """, logger: self.logger).decode((String, String).self) {
            owners[ActivityID(unchecked: id)] = township
        }
        return owners
    }

    /// Appends a contiguous run of new operations and its seals, and moves the replica's seq.
    private func store(_ connection: PostgresConnection, num: Int64, _ ops: [Op], seals: [RunSeal]) async throws {
        guard let last = ops.last?.seq else { return }
        var columns = PostgresRow.Columns()
        for op in ops { columns.append(op) }
        try await connection.query("""
            INSERT INTO hub_op (replica, seq, hlc, activity, kind, field, text, number)
            SELECT \(num), unnest(\(columns.seq)::int8[]), unnest(\(columns.hlc)::int8[]), unnest(\(columns.activity)::text[]),
                   unnest(\(columns.kind)::int2[]), unnest(\(columns.field)::text[]), unnest(\(columns.text)::text[]),
                   unnest(\(columns.number)::int8[])
            """, logger: self.logger)
        for seal in seals {
            try await connection.query("""
                INSERT INTO hub_seal (replica, first_seq, last_seq, prev, digest, key, signature)
                VALUES (\(num), \(seal.first), \(seal.last), \(Data(seal.prev)), \(Data(seal.digest)), \(Data(seal.key)), \(Data(seal.signature)))
                ON CONFLICT DO NOTHING
                """, logger: self.logger)
        }
        try await connection.query("UPDATE hub_replica SET max_seq = \(last) WHERE num = \(num)", logger: self.logger)
    }

    /// Stores what the node's own replica wrote in its view (indicator values from the
    /// dashboard) as one of the county's replicas.
    public func publishOwn() async throws {
        let me = try view.identity()
        try await transaction(locking: me.replica) { connection in
            var stored: Int64 = 0
            if let num = try await self.number(connection, me.replica) {
                for try await seq in try await connection.query("SELECT max_seq FROM hub_replica WHERE num = \(num)",
                                                              logger: self.logger).decode(Int64.self) { stored = seq }
            }
            guard let run = try self.view.ownRun(after: stored) else { return }
            let caller = HubCaller(tokenID: 0, role: .county, township: nil)
            let (num, _) = try await self.register(connection, me.replica, caller: caller, announced: me.township)
            try await self.store(connection, num: num, run.operations, seals: run.seals)
        }
    }

    // MARK: Tokens, notes

    /// The caller a token's secret names, nil for none or a revoked one.
    public func authenticate(secret: String) async throws -> HubCaller? {
        let hash = Store.tokenHash(secret)
        return try await withLease { connection in
            for try await (id, role, township) in try await connection.query("""
                SELECT id, role, township FROM hub_token WHERE hash = \(hash) AND revoked_at IS NULL
                """, logger: self.logger).decode((Int64, String, String?).self) {
                // A role this ktx does not know authenticates no one.
                return HubRole(rawValue: role).map { HubCaller(tokenID: id, role: $0, township: township) }
            }
            return nil
        }
    }

    /// Creates a token in the database; its secret is shown once.
    public func createToken(role: HubRole, township: String?) async throws -> (id: Int64, secret: String) {
        let township = try Store.checkTokenTownship(role: role, township: township)
        let (secret, hash) = Store.newTokenSecret()
        let now = wallClock.nowMillis()
        return try await withLease { connection in
            for try await id in try await connection.query("""
                INSERT INTO hub_token (role, township, hash, created_at) VALUES (\(role.rawValue), \(township), \(hash), \(now)) RETURNING id
                """, logger: self.logger).decode(Int64.self) {
                return (id, secret)
            }
            throw HubUnavailable("the database did not return the new token's id")
        }
    }

    /// Every token, without secrets.
    public func tokens() async throws -> [HubTokenInfo] {
        try await withLease { connection in
            var tokens: [HubTokenInfo] = []
            for try await (id, role, township, created, revoked) in try await connection.query("""
                SELECT id, role, township, created_at, revoked_at FROM hub_token ORDER BY id
                """, logger: self.logger).decode((Int64, String, String?, Int64, Int64?).self) {
                tokens.append(HubTokenInfo(id: id, role: try HubRole.stored(role, token: id), township: township,
                                           createdAtMillis: created, revokedAtMillis: revoked))
            }
            return tokens
        }
    }

    /// Revokes a token; its sessions end.
    public func revokeToken(id: Int64) async throws {
        let now = wallClock.nowMillis()
        let revoked = try await withLease { connection in
            var any = false
            for try await _ in try await connection.query("""
                UPDATE hub_token SET revoked_at = \(now) WHERE id = \(id) AND revoked_at IS NULL RETURNING id
                """, logger: self.logger).decode(Int64.self) { any = true }
            return any
        }
        guard revoked else {
            throw KtxError(.unknownToken(id))
        }
    }

    /// Notes that a replica started a sync, for the dashboard.
    public func noteSyncStarted(replica: ReplicaID, caller: HubCaller) async throws {
        let now = wallClock.nowMillis()
        let township = caller.role == .township ? caller.township : nil
        _ = try await withLease { connection in
            try await connection.query("""
                UPDATE hub_replica SET last_seen_at = \(now)
                WHERE id = \(Data(replica.bytes)) AND ((role = 'county' AND \(caller.role == .county)) OR (role = 'township' AND township = \(township)))
                """, logger: self.logger)
        }
    }

    /// Counts a refused push in the database.
    public func noteRefusal(replica: ReplicaID, township: String?, code: String, operations: Int, message: String) async throws {
        let now = wallClock.nowMillis()
        let message = String(message.prefix(500))
        _ = try await withLease { connection in
            try await connection.query("""
                INSERT INTO hub_refusal (replica, code, township, pushes, operations, last_at, message)
                VALUES (\(Data(replica.bytes)), \(code), \(township), 1, \(Int64(operations)), \(now), \(message))
                ON CONFLICT (replica, code) DO UPDATE SET pushes = hub_refusal.pushes + 1,
                    operations = hub_refusal.operations + excluded.operations, last_at = excluded.last_at,
                    message = excluded.message, township = COALESCE(excluded.township, hub_refusal.township)
                """, logger: self.logger)
        }
    }

    /// Operations the database holds.
    public func operationTotal() async throws -> Int64 {
        try await withLease { connection in
            for try await total in try await connection.query("SELECT COALESCE(SUM(max_seq), 0)::int8 FROM hub_replica",
                                                          logger: self.logger).decode(Int64.self) {
                return total
            }
            return 0
        }
    }

    // MARK: Plumbing

    /// One transaction holding the lock of `replica` (released at its end, also when the node
    /// dies: the server ends the session). Errors of `body` pass unchanged; the database's
    /// become ``HubUnavailable``.
    private func transaction<T: Sendable>(locking replica: ReplicaID,
                                          _ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        let key = PostgresRow.lockKey(replica)
        return try await withLease { connection in
            try await connection.query("BEGIN", logger: self.logger)
            do {
                try await connection.query("SELECT pg_advisory_xact_lock(\(key))", logger: self.logger)
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: self.logger)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: self.logger)
                throw error
            }
        }
    }

    /// How long a request waits for a connection before the node answers 503: the pool itself
    /// keeps trying for a minute when the server is down, longer than a client waits.
    let leaseTimeout: Duration = .seconds(5)

    /// Runs `body` on a pooled connection. No connection within ``leaseTimeout`` and the
    /// database's own errors become ``HubUnavailable``; errors of `body` pass unchanged.
    private func withLease<T: Sendable>(_ body: @Sendable @escaping (PostgresConnection) async throws -> T) async throws -> T {
        let leased = LeaseFlag()
        let (client, timeout, location) = (client, leaseTimeout, location)
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        leased.set()
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    if leased.isSet { return nil }
                    throw HubUnavailable("no connection to PostgreSQL at \(location) within \(timeout): is the server running and reachable?")
                }
                while let next = try await group.next() {
                    if let value = next {
                        group.cancelAll()
                        return value
                    }
                }
                throw CancellationError()
            }
        } catch let error as PSQLError {
            throw HubUnavailable(Self.explain(error, location))
        } catch where String(describing: type(of: error)).contains("ConnectionPoolError") {
            throw HubUnavailable("no connection to PostgreSQL at \(location): \(error)")
        }
    }

    /// What went wrong with the database, in words an operator can act on (PSQLError's own
    /// description hides everything).
    static func explain(_ error: PSQLError, _ location: String) -> String {
        if let state = error.serverInfo?[.sqlState] {
            let message = error.serverInfo?[.message] ?? ""
            switch state {
            case "28P01", "28000": return "PostgreSQL at \(location) refused the login (\(message)): check the user and PGPASSWORD or --password-file"
            case "3D000": return "PostgreSQL at \(location): \(message) (create it, or check the address)"
            case "53300": return "PostgreSQL at \(location) has no free connection (\(message))"
            case "57P01", "57P02", "57P03": return "PostgreSQL at \(location) is shutting down or starting (\(message))"
            default: return "PostgreSQL at \(location) answered \(state): \(message)"
            }
        }
        switch error.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed:
            return "cannot reach PostgreSQL at \(location) (\(plainReason(error.underlying)))"
        default:
            return "PostgreSQL at \(location): \(error.code)"
        }
    }

    /// Why a connection failed, in plain words: never the network library's text.
    static func plainReason(_ error: (any Error)?) -> String {
        let text = error.map { String(describing: $0).lowercased() } ?? ""
        if text.contains("refused") { return "connection refused: is PostgreSQL running there and listening on that port?" }
        if text.contains("timeout") || text.contains("timed out") { return "timed out: check the address and the network" }
        if text.contains("resolve") || text.contains("dns") || text.contains("nodename") { return "host name not found" }
        if text.contains("unreachable") { return "network unreachable" }
        if text.contains("ssl") || text.contains("tls") || text.contains("certificate") { return "the secure connection failed (sslmode)" }
        if text.contains("reset") || text.contains("closed") || text.contains("eof") { return "the connection was lost" }
        return "no connection"
    }

    static func describe(_ error: any Error, _ location: PostgresLocation) -> any Error {
        let detail: String
        switch error {
        case let error as PSQLError: detail = explain(error, location.display)
        case let error as HubUnavailable: detail = error.detail
        default: return error
        }
        return KtxError(.databaseUnusable(detail))
    }
}

/// Set once a pooled connection is handed over (see `withLease`).
private final class LeaseFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
