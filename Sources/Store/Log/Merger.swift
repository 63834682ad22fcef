import Foundation
import GRDB
import SyncCore

/// Operations accepted for merging but not yet written: packed into chunks as they come,
/// with their net effect per activity (`BatchDelta`).
struct PendingMerge {
    /// The most operations one chunk row holds.
    static let chunkLimit = 10_000

    /// The rule every operation must pass before it is taken.
    let rule: AcceptanceRule

    struct Chunk {
        var replica: ReplicaID
        var first: Int64
        var last: Int64
        var bytes: [UInt8]
        /// The HLC of its newest operation (`op_chunk.newest`).
        var newest: Int64
    }

    var chunks: [Chunk] = []
    /// Bytes of the packed chunks.
    var packedBytes = 0
    var batch = BatchDelta()
    var townships: [ReplicaID: String] = [:]
    /// Per replica: the version-vector entry the pending operations follow.
    var base: [ReplicaID: Int64] = [:]
    /// Per replica: the next seq to accept.
    var next: [ReplicaID: Int64] = [:]
    var newest = HLCTimestamp.zero
    /// The newest timestamp taken from a replica other than ``me``.
    var newestOther = HLCTimestamp.zero
    /// This replica, when merging for it (a pull): what others are seen to date their
    /// operations is remembered (`replica_self.seen`).
    var me: ReplicaID?
    var outcome = MergeOutcome()
    /// The latest date (unix milliseconds) an operation may carry to be merged: the
    /// receiver's clock plus the allowed skew. Later ones are held (`ClockPolicy`).
    var latestAllowed: Int64 = .max
    /// Townships known for replicas, for naming a held operation's PC.
    var knownTownship: (ReplicaID) -> String? = { _ in nil }
    /// Whether operations must come in signed runs (`RunSeal`) as their replica's trust
    /// requires: everything from elsewhere; not this replica's own new operations.
    var checksSignatures = true
    /// What the database knows of a replica's signing.
    var trustLookup: (ReplicaID) throws -> ReplicaTrust = { _ in ReplicaTrust() }
    /// The signed run the database holds containing a seq of a replica.
    var runLookup: (ReplicaID, Int64) throws -> RunSeal? = { _, _ in nil }
    /// The operations of a replica the database holds from one seq to another.
    var heldOperations: (ReplicaID, Int64, Int64) throws -> [Op] = { _, _, _ in [] }
    /// Trust per replica, as the database had it plus the runs taken here.
    var trusts: [ReplicaID: ReplicaTrust] = [:]
    /// Runs taken, to store with their operations.
    var seals: [ReplicaID: [RunSeal]] = [:]
    /// Runs packed while verifying them, by replica and first seq: stored as they are.
    var prepacked: [ReplicaID: [Int64: (last: Int64, bytes: [UInt8])]] = [:]
    /// On a governed folder hub, the county's roster: only its members' operations are
    /// merged, each within its signer's rights, and signed with the key it enrols.
    var roster: Roster?

    init(rule: AcceptanceRule) { self.rule = rule }

    var isEmpty: Bool { chunks.isEmpty && townships.isEmpty }

    /// Takes, per replica, the operations that follow what is held without a gap and that
    /// the acceptance rule takes; counts the others as duplicates, refused or held back.
    /// A refused operation stops its replica's run (what follows it would leave a gap).
    ///
    /// - Parameters:
    ///   - source: where the operations came from, named in refusals.
    ///   - maxSeq: the version-vector entry of a replica not seen yet by this batch.
    mutating func accept(_ operations: [Op], townships: [ReplicaID: String], seals: [ReplicaID: [RunSeal]] = [:],
                         source: String, maxSeq: (ReplicaID) throws -> Int64) throws {
        for (replica, township) in townships where AcceptanceRule.isText(township) { self.townships[replica] = township }
        guard let first = operations.first else { return }
        if operations.allSatisfy({ $0.replica == first.replica }) {
            try accept(replica: first.replica, operations, seals: seals[first.replica] ?? [], source: source, maxSeq: maxSeq)
        } else {
            var byReplica: [ReplicaID: [Op]] = [:]
            for op in operations { byReplica[op.replica, default: []].append(op) }
            for (replica, ops) in byReplica.sorted(by: { $0.key < $1.key }) {
                try accept(replica: replica, ops, seals: seals[replica] ?? [], source: source, maxSeq: maxSeq)
            }
        }
    }

    /// Checks the runs sealing `ops` (sorted by seq): each must be signed by the replica's
    /// key over exactly these operations and chain to the run before it. Returns the first
    /// refusal (its seq and reason), if any, which stops the replica there like any other;
    /// and the first seq of a run only part of which is here, which waits.
    private mutating func verify(replica: ReplicaID, _ ops: [Op], seals: [RunSeal], from expected: Int64,
                                 enrolledKey: [UInt8]?) throws -> (refusal: (Int64, RefusalReason)?, waitFrom: Int64?) {
        var trust = try trusts[replica] ?? trustLookup(replica)
        defer { trusts[replica] = trust }
        var covered: [ClosedRange<Int64>] = []
        for seal in seals.sorted(by: { $0.first < $1.first }) {
            guard seal.isWellFormed else { return ((seal.first, .badSignature), nil) }
            guard seal.last >= expected else { continue }
            let run = ops[Self.firstIndex(in: ops, from: seal.first)..<Self.firstIndex(in: ops, from: seal.last + 1)]
            guard Int64(run.count) == seal.last - seal.first + 1 else {
                // The run is not all here (a page cut inside it): it and what follows wait.
                return (nil, seal.first)
            }
            if let reason = signatureRefusal(seal, run, of: replica, trust: trust, enrolledKey: enrolledKey, from: expected) {
                return ((seal.first, reason), nil)
            }
            switch try link(seal, run, of: replica, trust: trust, from: expected) {
            case .refused(let reason): return ((seal.first, reason), nil)
            case .held: covered.append(seal.first...seal.last); continue
            case .new: break
            }
            if trust.key == nil { trust.key = seal.key }
            if trust.signedFrom == nil, seal.prev == RunSeal.origin { trust.signedFrom = seal.first }
            trust.lastRun = (seal.last, RunSigning.hash(seal, replica: replica))
            self.seals[replica, default: []].append(seal)
            covered.append(seal.first...seal.last)
        }
        // Unsigned operations beyond what the runs cover: only from a replica that does not sign.
        // (Index loops: iterating `Op` values would copy and retain every one.)
        if trust.key == nil && trust.signedFrom == nil { return (nil, nil) }
        for i in ops.indices where ops[i].seq >= expected {
            let seq = ops[i].seq
            if !covered.contains(where: { $0.contains(seq) }) && !trust.takesUnsigned(seq) {
                return ((seq, .unsigned), nil)
            }
        }
        return (nil, nil)
    }

    /// Whether a whole run's seal is not good: not signed over exactly these operations, or
    /// by a key other than the one the county enrolled or this receiver already trusts for
    /// the replica, or (first met through a signed run) by a key that does not name it.
    private mutating func signatureRefusal(_ seal: RunSeal, _ run: ArraySlice<Op>, of replica: ReplicaID, trust: ReplicaTrust,
                                           enrolledKey: [UInt8]?, from expected: Int64) -> RefusalReason? {
        let packed = OpChunk.encode(run)
        guard RunSigning.digest(packed: packed) == seal.digest, RunSigning.isSigned(seal, replica: replica) else {
            return .badSignature
        }
        prepacked[replica, default: [:]][seal.first] = (seal.last, packed)
        // The county enrolled this replica with another key.
        if let enrolledKey, seal.key != enrolledKey { return .wrongKey }
        if let key = trust.key { return key == seal.key ? nil : .wrongKey }
        if enrolledKey == nil, expected == 1, RunSigning.replicaID(for: seal.key) != replica {
            // A replica first met through a signed run must be the one its key names
            // (every new replica's id is derived from its key); only a replica whose
            // unsigned operations this receiver already holds (made before ktx signed)
            // may bring a key of its own. Without a roster, such a replica's key cannot
            // be checked: it waits for the county to enrol it.
            return .unverifiedKey
        }
        return nil
    }

    /// How a signed run stands to the replica's history held here.
    private enum Link {
        /// Already held (the same run again, or records held before a copy was made).
        case held
        /// Follows the history: take it.
        case new
        /// A second history (a fork).
        case refused(RefusalReason)
    }

    /// The chain: the same run again is a duplicate; another run for seqs a run held here
    /// covers, or a link to anything but the run before, proves a second history.
    private func link(_ seal: RunSeal, _ run: ArraySlice<Op>, of replica: ReplicaID, trust: ReplicaTrust,
                      from expected: Int64) throws -> Link {
        if let held = try takenSeals(replica).first(where: { $0.last >= seal.first && $0.first <= seal.last })
            ?? runLookup(replica, seal.first) ?? runLookup(replica, seal.last) {
            if held.first == seal.first, held.last == seal.last, held.digest == seal.digest { return .held }
            // Two copies of a database may seal the same records, made before the copy,
            // into runs cut differently: no second history as long as every operation
            // of the run that is held here is the one held.
            guard seal.first < expected, try heldOperations(replica, seal.first, expected - 1) == Array(run.prefix { $0.seq < expected }) else {
                return .refused(.forked)
            }
            // Its link was checked by the history it shares with what is held.
            return seal.last < expected ? .held : .new
        }
        if seal.first == 1 {
            guard seal.prev == RunSeal.origin else { return .refused(.forked) }
        } else if let last = trust.lastRun, last.last == seal.first - 1 {
            guard seal.prev == last.hash else { return .refused(.forked) }
        }
        return .new
    }

    /// The index of the first operation with a seq at or after `seq` (operations sorted by seq).
    static func firstIndex(in ops: [Op], from seq: Int64) -> Int {
        var lo = 0, hi = ops.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if ops[mid].seq < seq { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    private func takenSeals(_ replica: ReplicaID) -> [RunSeal] { seals[replica] ?? [] }

    /// Takes a replica's operations that follow what is held, in seq order, as far as each is
    /// signed, within the rule and the roster's rights, and not from too far ahead: stops the
    /// replica at the first that is not (refused or held), and packs what it took.
    private mutating func accept(replica: ReplicaID, _ operations: [Op], seals: [RunSeal], source: String,
                                 maxSeq: (ReplicaID) throws -> Int64) throws {
        let following: Int64
        if let known = next[replica] {
            following = known
        } else {
            let held = try maxSeq(replica)
            base[replica] = held
            following = held + 1
            next[replica] = following
        }
        var ops = operations
        // Index loops read fields in place; iterating `Op` values would copy (and retain)
        // every one.
        if ops.indices.dropFirst().contains(where: { ops[$0 - 1].seq > ops[$0].seq }) { ops.sort { $0.seq < $1.seq } }
        var expected = following
        let bringsNew = ops.last.map { $0.seq >= expected } == true
        // On a governed folder hub, only the county's members are merged (this replica's
        // own operations, pulled back after a restore, are its own).
        var member: Roster.Member?
        if let roster, replica != me, bringsNew {
            guard let enrolled = roster.member(replica) else {
                holdNotEnrolled(replica, ops, from: expected, source: source)
                return
            }
            member = enrolled
        }
        var signatures: (refusal: (Int64, RefusalReason)?, waitFrom: Int64?) = (nil, nil)
        if checksSignatures, bringsNew {
            signatures = try verify(replica: replica, ops, seals: seals, from: expected, enrolledKey: member?.keyBytes)
        }
        let waitFrom = signatures.waitFrom ?? .max
        var start: Int?
        var end = 0
        for i in ops.indices {
            let seq = ops[i].seq
            if seq < expected { outcome.duplicates += 1; continue }
            if seq > expected || seq >= waitFrom { outcome.heldBack += ops.count - i; break }
            let sameTarget = start != nil && ops[i - 1].activity == ops[i].activity && !ops[i].targetsIndicator && !ops[i - 1].targetsIndicator
            if let stop = stop(at: ops[i], of: replica, signatureRefusal: signatures.refusal, member: member, sameTarget: sameTarget) {
                switch stop {
                case .refused(let reason): outcome.refused.append(Refusal(source: source, replica: replica, seq: seq, reason: reason))
                case .held(let township, let aheadMillis, let cause):
                    outcome.held.append(HeldOperation(source: source, replica: replica, seq: seq, township: township,
                                                      aheadMillis: aheadMillis, cause: cause))
                }
                outcome.heldBack += ops.count - i - 1
                break
            }
            if start == nil { start = i }
            end = i + 1
            if ops[i].timestamp > newest { newest = ops[i].timestamp }
            if ops[i].timestamp > newestOther, let me, replica != me { newestOther = ops[i].timestamp }
            expected += 1
        }
        guard let start else { return }
        take(ops[start..<end], of: replica)
        next[replica] = expected
    }

    /// Why an operation stops its replica's run here, if it does.
    private enum Stop {
        case refused(RefusalReason)
        case held(township: String?, aheadMillis: Int64, cause: HeldOperation.Cause)
    }

    /// The checks of one operation, in order: its run's signature, the acceptance rule, the
    /// roster's rights (a governed hub), and the clock (not too far ahead of this PC's).
    @inline(__always)
    private func stop(at op: Op, of replica: ReplicaID, signatureRefusal: (Int64, RefusalReason)?,
                      member: Roster.Member?, sameTarget: Bool) -> Stop? {
        if let (refusedSeq, reason) = signatureRefusal, op.seq >= refusedSeq { return .refused(reason) }
        if let reason = rule.check(op, targetChecked: sameTarget) { return .refused(reason) }
        if let member, let roster {
            switch roster.rights(of: op, signer: member) {
            case .allowed: break
            case .refused(let reason): return .refused(reason)
            case .waits(let cause): return .held(township: member.township, aheadMillis: 0, cause: cause)
            }
        }
        if op.timestamp.millis > latestAllowed {
            return .held(township: townships[replica] ?? knownTownship(replica),
                         aheadMillis: op.timestamp.millis - (latestAllowed - ClockPolicy.maxSkewMillis), cause: .clock)
        }
        return nil
    }

    /// A replica the governed hub's roster does not enrol: its operations wait, the first of
    /// them reported once.
    private mutating func holdNotEnrolled(_ replica: ReplicaID, _ ops: [Op], from expected: Int64, source: String) {
        let i = Self.firstIndex(in: ops, from: expected)
        outcome.duplicates += i
        if i < ops.count, ops[i].seq == expected {
            outcome.held.append(HeldOperation(source: source, replica: replica, seq: expected,
                                              township: townships[replica] ?? knownTownship(replica),
                                              aheadMillis: 0, cause: .notEnrolled))
        }
        outcome.heldBack += ops.count - i
    }

    /// Adds a run of taken operations to the batch's totals and its packed chunks.
    private mutating func take(_ run: ArraySlice<Op>, of replica: ReplicaID) {
        for i in run.indices { batch.absorb(run[i]) }
        let packed = pack(run, replica: replica)
        packedBytes += packed.reduce(0) { $0 + $1.bytes.count }
        chunks += packed
        outcome.applied += run.count
    }

    private static func newest(_ ops: ArraySlice<Op>) -> Int64 {
        var newest = Int64.min
        for op in ops where op.timestamp.rawValue > newest { newest = op.timestamp.rawValue }
        return newest
    }

    /// Operations of one replica with consecutive seqs, packed in chunks of at most
    /// ``chunkLimit``; a signed run packed while verifying it is one chunk as it is.
    private func pack(_ run: ArraySlice<Op>, replica: ReplicaID) -> [Chunk] {
        var chunks: [Chunk] = []
        var from = run.startIndex
        let ready = prepacked[replica] ?? [:]
        while from < run.endIndex {
            let seq = run[from].seq
            if let (last, bytes) = ready[seq], last <= run[run.endIndex - 1].seq {
                let slice = run[from..<(from + Int(last - seq + 1))]
                chunks.append(Chunk(replica: replica, first: seq, last: last, bytes: bytes, newest: Self.newest(slice)))
                from += Int(last - seq + 1)
                continue
            }
            var to = min(run.endIndex, from + Self.chunkLimit)
            if let next = ready.keys.filter({ $0 > seq }).min() { to = min(to, from + Int(next - seq)) }
            chunks.append(Chunk(replica: replica, first: run[from].seq, last: run[to - 1].seq, bytes: OpChunk.encode(run[from..<to]),
                                newest: Self.newest(run[from..<to])))
            from = to
        }
        return chunks
    }

    /// Writes the chunks, the version vector, the materialized tables and the clock, in
    /// the caller's transaction.
    ///
    /// - Parameter verify: check first that the database still holds, for every replica,
    ///   what the batch was accepted against; false (and nothing written) if not.
    func write(_ db: Database, verify: Bool = false) throws -> Bool {
        var nums: [ReplicaID: Int64] = [:]
        for replica in Set(townships.keys).union(base.keys) {
            let (num, held) = try Store.replicaRow(db, replica, township: townships[replica])
            if verify, let base = base[replica], base != held { return false }
            nums[replica] = num
        }
        let insert = try HotStatement(db, "INSERT INTO op_chunk (replica, first_seq, last_seq, ops, newest, sum) VALUES (?, ?, ?, ?, ?, ?)")
        for chunk in chunks {
            // Every chunk's replica is in `base` (``accept(replica:_:seals:source:maxSeq:)`` sets it first).
            guard let num = nums[chunk.replica] else { preconditionFailure("a chunk of a replica the merge never took") }
            insert.bind(1, num)
            insert.bind(2, chunk.first)
            insert.bind(3, chunk.last)
            insert.bind(4, bytes: chunk.bytes)
            insert.bind(5, chunk.newest)
            insert.bind(6, ChunkSum.of(chunk.bytes))
            try insert.run()
        }
        for (replica, runs) in seals {
            guard let num = nums[replica], let key = runs.first?.key else { continue }
            for seal in runs { try Store.storeRun(db, num: num, seal) }
            let origin = runs.first(where: { $0.prev == RunSeal.origin })?.first
            try db.cachedStatement(sql: """
                UPDATE replica SET public_key = coalesce(public_key, ?), signed_from = coalesce(signed_from, ?) WHERE num = ?
                """).execute(arguments: [Data(key), origin, num])
        }
        for (replica, next) in next where next - 1 > base[replica] ?? 0 {
            guard let num = nums[replica] else { preconditionFailure("a replica the merge advanced but never took") }
            try db.cachedStatement(sql: "UPDATE replica SET max_seq = ? WHERE num = ?").execute(arguments: [next - 1, num])
        }
        try Store.materialize(db, batch, rule: rule, numbers: nums)
        if newest > .zero {
            try db.cachedStatement(sql: "UPDATE replica_self SET clock = max(clock, ?) WHERE id = 1").execute(arguments: [newest.rawValue])
        }
        if newestOther > .zero {
            try db.cachedStatement(sql: "UPDATE replica_self SET seen = max(seen, ?) WHERE id = 1").execute(arguments: [newestOther.rawValue])
        }
        return true
    }

    /// The accepted operations, unpacked again.
    func operations() throws -> [Op] {
        try chunks.flatMap { try OpChunk.read($0.bytes, replica: $0.replica, firstSeq: $0.first) }
    }
}

/// Merges a long stream of operations (a pull) with bounded memory and few transactions.
///
/// Accepted operations are packed and coalesced as they arrive, and written in one
/// transaction whenever the part held reaches ``flushOperations`` operations,
/// ``flushActivities`` activities or ``flushBytes`` bytes of packed operations, and by
/// ``finish()``. Each write is atomic, so a stream
/// cut off early keeps what was written and loses only what was held, which the next
/// sync fetches again; memory depends on those bounds, never on the length of the log.
///
/// ```swift
/// let merger = try store.merger()
/// for page in pages { try merger.add(page.operations, townships: page.townships) }
/// let outcome = try merger.finish()
/// ```
public final class Merger {
    /// The replica it merges into.
    public let store: Store
    // The bounds trade a pull's peak memory against its speed (Benchmarks/README.md, "The
    // province"): 50,000 / 300,000 / 12 MiB keeps a pull of 10,000,000 operations over a
    // million activities at 89 MiB instead of 176, but a log that edits the same activities
    // again and again (1,000,000 operations over 100,000) then rewrites them batch after
    // batch: its merge took 2.1x the raw insert instead of 0.96x. Kept as they were.
    /// The most operations held before they are written.
    public var flushOperations = 1_000_000
    /// The most distinct activities held before they are written.
    public var flushActivities = 150_000
    /// The most bytes of packed operations held before they are written (long texts make
    /// fewer operations reach the bound).
    public var flushBytes = 32 << 20
    /// What the replica holds, counting the operations held here: ask the hub for what follows.
    public private(set) var vector: VersionVector
    private var pending: PendingMerge
    private var total = MergeOutcome()

    private let latestAllowed: Int64
    private let knownTownships: [ReplicaID: String]
    private let me: ReplicaID?

    init(store: Store) throws {
        self.store = store
        self.vector = try store.versionVector()
        self.latestAllowed = store.wallClock.nowMillis() + ClockPolicy.maxSkewMillis
        self.knownTownships = try store.replicaTownships()
        self.me = try? store.identity().replica
        self.pending = PendingMerge(rule: store.rule)
        pending = newPending()
    }

    private func newPending() -> PendingMerge {
        var pending = PendingMerge(rule: store.rule)
        pending.latestAllowed = latestAllowed
        pending.me = me
        let store = self.store
        pending.trustLookup = { replica in try store.read("trust") { try Store.trust($0, replica) } }
        pending.runLookup = { replica, seq in try store.read("trust") { try Store.run($0, replica: replica, containing: seq) } }
        pending.heldOperations = { replica, from, to in try store.operations(of: replica, after: from - 1, limit: Int(to - from + 1)) }
        let known = knownTownships
        pending.knownTownship = { known[$0] }
        return pending
    }

    /// Accepts a batch (operations of any replicas, in any order), writing what is held
    /// if it has reached a bound.
    ///
    /// - Parameters:
    ///   - operations: the batch.
    ///   - townships: the townships its replicas announced.
    ///   - seals: the signed runs its operations come in, by replica.
    ///   - source: where the batch came from (a file, a pulled page), named in refusals.
    ///   - roster: the county's roster, when the batch comes from a governed folder hub.
    public func add(_ operations: [Op], townships: [ReplicaID: String] = [:], seals: [ReplicaID: [RunSeal]] = [:],
                    source: String = "merge", roster: Roster? = nil) throws {
        // A batch never outgrows its room: each operation may touch one more activity, and a
        // grown batch would hold its arrays twice, old and new (a province's pull: 126 MB of
        // field registers instead of 42). What is held is written first.
        if pending.batch.activityCount > 0 && pending.batch.activityCount + operations.count > pending.batch.activityCapacity {
            try flush()
        }
        // Room for the bound, made when operations first come (a no-op sync allocates nothing).
        if !operations.isEmpty && pending.batch.activityCount == 0 && pending.batch.activityCapacity < flushActivities {
            pending.batch = BatchDelta(reservingActivities: flushActivities)
        }
        let vector = self.vector
        pending.roster = roster
        try pending.accept(operations, townships: townships, seals: seals, source: source) { vector[$0] }
        for (replica, next) in pending.next { self.vector[replica] = next - 1 }
        if pending.outcome.applied >= flushOperations || pending.batch.activityCount >= flushActivities
            || pending.packedBytes >= flushBytes {
            try flush()
        }
    }

    /// Writes everything held, in one transaction.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        let held = pending
        var raced = false
        let outcome = try store.write("merge") { db -> MergeOutcome in
            if try held.write(db, verify: true) { return held.outcome }
            raced = true
            // Another writer merged some of these meanwhile (two syncs at once): take them
            // again against what the database holds now.
            var again = newPending()
            again.trustLookup = { try Store.trust(db, $0) }
            again.runLookup = { try Store.run(db, replica: $0, containing: $1) }
            again.heldOperations = { try Store.fetchOperations(db, of: $0, after: $1 - 1, limit: Int($2 - $1 + 1)) }
            again.roster = held.roster
            try again.accept(held.operations(), townships: held.townships, seals: held.seals, source: "merge") { try Store.maxSeq(db, $0) }
            _ = try again.write(db)
            again.outcome.duplicates += held.outcome.duplicates
            again.outcome.heldBack += held.outcome.heldBack
            again.outcome.refused += held.outcome.refused
            again.outcome.held += held.outcome.held
            return again.outcome
        }
        pending = newPending()
        total.add(outcome)
        // Written as held, `vector` already says what the replica holds; after a race,
        // the database says it.
        if raced { vector = try store.versionVector() }
    }

    /// Writes what is held; what the whole stream did.
    public func finish() throws -> MergeOutcome {
        try flush()
        return total
    }

    /// What the stream has done so far, counting operations held but not yet written.
    public var outcome: MergeOutcome {
        var sum = total
        sum.add(pending.outcome)
        return sum
    }
}

extension Store {
    /// A merger of a long stream of operations into this replica (see ``Merger``).
    public func merger() throws -> Merger { try Merger(store: self) }
}
