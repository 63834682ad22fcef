import Foundation
import SyncCore

/// What a sync did.
public struct SyncReport: Sendable {
    /// The remote's name, if it was a configured remote.
    public var remote: String?
    /// The hub's folder or address.
    public var location: String
    /// Operations the hub lacked and now holds.
    public var pushed = 0
    /// Operations this replica lacked and has now merged.
    public var pulled = 0
    /// Files skipped as damaged or foreign.
    public var warnings: [HubWarning] = []
    /// Operations refused by the acceptance rule (nothing of them was merged).
    public var refused: [Refusal] = []
    /// Operations of other PCs dated too far ahead of this PC's clock: not merged, asked for
    /// again at the next sync.
    public var held: [HeldOperation] = []
    /// What ``Store/repairClock()`` did at the start of this sync, if anything.
    public var clockRepair: ClockRepair?
    /// How far this PC's clock is ahead of the hub's (an HTTP hub tells its time), in
    /// milliseconds, when that is more than the allowed skew: its own operations dated
    /// beyond the hub's time plus the skew were not pushed.
    public var clockAheadOfHub: Int64?
    /// Through a folder: how far this PC's first unpushed operation is dated after the
    /// newest operation seen from any other office, when that is more than
    /// `ClockPolicy.folderLeadMillis`: it and the later ones were not pushed.
    public var clockAheadOfOthers: Int64?
    /// Pushes the hub refused (a rule of the hub's that this replica does not know of); the
    /// pull went on.
    public var pushRefusals: [KtxError] = []
    /// This database learned it is a copy (another PC, or a backup used before syncing) and
    /// continued its own unpublished work under a new replica.
    public var continuation: Continuation?
    /// Where this replica stands with the hub's county (a governed folder hub enrols it).
    public var enrolment: Enrolment = .open
    /// Own operations every receiver refuses, left out at this sync; the later ones continue
    /// under a new replica.
    public var recovery: Recovery?
    /// A county replica's sync with an HTTP hub: the PCs whose pushes the hub refused since
    /// they last pushed successfully.
    public var hubNotFlowing: [HubAPI.Status.NotFlowing] = []
}

/// Progress of a running sync, for a progress line.
public struct SyncProgress: Sendable, Equatable {
    /// Pushing this replica's operations, or pulling the hub's.
    public enum Phase: String, Sendable { case push, pull }
    /// The phase running.
    public var phase: Phase
    /// Operations done so far in this phase.
    public var done: Int
    /// Operations this phase is expected to move.
    public var total: Int

    /// Progress through a phase.
    public init(phase: Phase, done: Int, total: Int) {
        self.phase = phase
        self.done = done
        self.total = total
    }
}

/// One sync between this replica and a hub: push what the hub lacks, then pull what this
/// replica lacks, both in bounded batches.
///
/// Each pushed batch is made visible atomically and pulled pages are merged by a
/// ``Merger``, whose every write is one transaction, so a sync cut off at any point leaves
/// both sides consistent, and the next sync resumes where the last write stopped. When both sides already hold the same
/// operations, a sync costs one exchange of version vectors.
public struct SyncSession: Sendable {
    /// The replica syncing.
    public let store: Store
    /// The hub it syncs with.
    public let hub: any Hub
    /// The configured remote, whose sync state is recorded at the end; nil for none.
    public let remote: String?
    /// The most operations per pushed file or pulled page.
    public var batchSize: Int
    /// Called after each batch.
    public var progress: (@Sendable (SyncProgress) -> Void)?

    /// A sync of `store` with `hub`; `remote` names the configured remote whose state it records.
    public init(store: Store, hub: any Hub, remote: String? = nil, batchSize: Int = 5_000,
                progress: (@Sendable (SyncProgress) -> Void)? = nil) {
        self.store = store
        self.hub = hub
        self.remote = remote
        self.batchSize = batchSize
        self.progress = progress
    }

    /// The first seq in `published + 1 ... upTo` where the hub's operation of `replica`
    /// differs from this replica's; nil when they are the same.
    func firstDifference(from published: Int64, upTo: Int64, of replica: ReplicaID, hubHeld: VersionVector,
                         seals: inout [RunSeal]) async throws -> Int64? {
        var ask = VersionVector()
        for other in hubHeld.replicas where other != replica { ask[other] = Int64.max / 2 }
        var cursor = published
        while cursor < upTo {
            ask[replica] = cursor
            let page = try await hub.pull(after: ask, limit: batchSize)
            seals += page.seals[replica] ?? []
            let theirs = page.operations
                .filter { $0.replica == replica && $0.seq > cursor && $0.seq <= upTo }.sorted { $0.seq < $1.seq }
            guard let first = theirs.first, let last = theirs.last else { return nil }
            let mine = try store.operations(of: replica, after: cursor, limit: Int(last.seq - cursor))
            for (a, b) in zip(theirs, mine) where a != b { return min(a.seq, b.seq) }
            if first.seq != cursor + 1 || mine.count != theirs.count { return cursor + 1 }
            cursor = last.seq
        }
        return nil
    }

    /// How far, from `confirmed`, the hub holds runs of this replica's own operations signed
    /// with its key; each file under its name that is not one is set aside as forged.
    func signedEnd(of me: ReplicaID, from confirmed: Int64, upTo claimed: Int64, hubHeld: VersionVector,
                   warnings: inout [HubWarning]) async throws -> Int64 {
        let myKey = try store.publicKey().key
        var ask = VersionVector()
        for other in hubHeld.replicas where other != me { ask[other] = Int64.max / 2 }
        var cursor = confirmed
        while cursor < claimed {
            ask[me] = cursor
            let page = try await hub.pull(after: ask, limit: batchSize)
            warnings += page.warnings
            let ops = page.operations.filter { $0.replica == me }.sorted { $0.seq < $1.seq }
            guard !ops.isEmpty else { break }
            let next = cursor + 1
            if let seal = page.seals[me]?.first(where: { $0.first <= next && $0.last >= next }), seal.key == myKey,
               RunSigning.isSigned(seal, replica: me),
               case let run = ops.filter({ $0.seq >= seal.first && $0.seq <= seal.last }),
               run.count == Int(seal.last - seal.first + 1), RunSigning.digest(run) == seal.digest {
                cursor = seal.last
            } else {
                await hub.setAside(page.source, reason: .forged, detail: (page.seals[me] == nil ? RefusalReason.unsigned : .wrongKey).rawValue)
            }
        }
        return cursor
    }

    /// Refusals that show a folder's file was not written by the replica it names: set aside.
    /// (Not `unverified-key`: that is how a PC made before 0.3 looks until the county enrols it.)
    static let notWrittenByItsReplica: Set<RefusalReason> = [.unsigned, .badSignature, .wrongKey]

    /// Where the two sides stand as the sync goes: what this replica holds, what the hub
    /// holds, and which replica this one writes as (a copy continues under a new one).
    struct Sides {
        var local: VersionVector
        var hubHeld: VersionVector
        var me: ReplicaID
    }

    /// Runs the sync: check what the hub holds under this replica's name and detect a copied
    /// database → enrol → leave out what every receiver refuses → hold back operations a
    /// wrong clock dated ahead → push → pull pages while merging → record what happened.
    ///
    /// - Throws: `KtxError` `hub-unreadable` or `not-a-hub` if the hub cannot be used;
    ///   what was merged before the failure stays merged, and nothing local is lost.
    @discardableResult
    public func run() async throws -> SyncReport {
        var report = SyncReport(remote: remote, location: hub.location)
        report.clockRepair = try store.repairClock()
        var sides = try await compareVectors(&report)
        try await continueIfCopied(&sides, &report)
        try await enrolAndRecover(&sides, &report)
        let ownLimit = try await ownLimit(sides, &report)
        let pushedUpTo = try await push(sides, ownLimit: ownLimit, &report)
        let beforePull = sides.local
        sides.local = try await pull(sides, &report)
        try await record(sides, beforePull: beforePull, pushedUpTo: pushedUpTo, &report)
        return report
    }

    /// Both version vectors. A folder names files by their seqs: a file someone else put
    /// there under this replica's name would make it look pushed (nothing pushed, ever) or
    /// copied, so only runs signed with this replica's key count; the others are set aside and
    /// reported. A token of another role than this replica's would bind it wrongly for good:
    /// refused before anything is pushed, saying which token it needs.
    func compareVectors(_ report: inout SyncReport) async throws -> Sides {
        let local = try await store.versionVector()
        var hubHeld = try await hub.versionVector()
        let me = try store.identity().replica
        if hub.relaysEveryReplica, case let confirmed = try store.confirmedSeq(), hubHeld[me] > confirmed {
            hubHeld[me] = try await signedEnd(of: me, from: confirmed, upTo: hubHeld[me], hubHeld: hubHeld, warnings: &report.warnings)
        }
        // A run this replica placed (a hub confirmed it), overwritten since by someone else's
        // bytes under its name: the folder's names still count it, every reader skips it and
        // stops there. Written again. (Runs past the confirmed seq are the copy check's: a file
        // there may be another copy's run.)
        let confirmed = try store.confirmedSeq()
        if min(hubHeld[me], confirmed) > 0,
           case let placed = try store.runs(of: me, after: 0).filter({ $0.last <= min(hubHeld[me], confirmed) }), !placed.isEmpty,
           let lost = try await hub.firstLostRun(of: me, among: placed) {
            hubHeld[me] = lost.first - 1
        }
        if let granted = await hub.callerRole() { try store.checkTokenRole(granted) }
        return Sides(local: local, hubHeld: hubHeld, me: me)
    }

    /// The hub holds seqs of this replica it never published, and it has unpublished ones of
    /// its own: another copy of this database wrote them. Its own work goes on under a new
    /// replica, and the other copy's operations are pulled like anyone's. (With nothing
    /// unpublished, they are this replica's own later operations, from before a backup was
    /// restored: pulled back as they are.)
    ///
    /// Compared from what a hub last confirmed: a push cut off after `published` was set may
    /// not have arrived, and another copy may have written those seqs since. A copy continues
    /// under a key derived from where it parts from the other copy, so copies of a copy that
    /// share more history continue as one replica, and may part again there: checked again
    /// for the new replica until nothing differs.
    func continueIfCopied(_ sides: inout Sides, _ report: inout SyncReport) async throws {
        while case let confirmed = try store.confirmedSeq(), sides.hubHeld[sides.me] > confirmed && sides.local[sides.me] > confirmed {
            // Where the two histories part: the first seq the hub holds otherwise than here
            // (what precedes it was recorded before the copy and is the same on both).
            var theirSeals: [RunSeal] = []
            let upTo = min(sides.hubHeld[sides.me], sides.local[sides.me])
            guard let fork = try await firstDifference(from: confirmed, upTo: upTo, of: sides.me, hubHeld: sides.hubHeld, seals: &theirSeals) else {
                try store.adoptRuns(theirSeals, after: confirmed, upTo: upTo)
                try store.markConfirmed(upTo: upTo)
                return
            }
            // The shared operations travel in the runs the other copy published.
            try store.adoptRuns(theirSeals, after: confirmed, upTo: fork - 1)
            let continuation = try store.continueAsNewReplica(after: fork - 1)
            report.continuation = report.continuation.map { Continuation(first: $0, then: continuation) } ?? continuation
            sides.local = try await store.versionVector()
            sides.me = try store.identity().replica
        }
    }

    /// A governed folder hub: a replica the county has not enrolled leaves its request (its
    /// operations still go to the folder; others hold them until it is enrolled), and the
    /// county's roster is the authority on what this replica may do. An own operation every
    /// receiver refuses would stop all that follows it, everywhere: it is left out and the
    /// rest continues under a new replica (which a governed folder's county then enrols like
    /// any new PC).
    func enrolAndRecover(_ sides: inout Sides, _ report: inout SyncReport) async throws {
        report.enrolment = try await hub.enrol(sides.me) { try store.enrolmentRequest(host: ProcessInfo.processInfo.hostName) }
        if case let .enrolled(role) = report.enrolment { try store.learnRole(role) }
        if let recovery = try store.recoverRefusedOperations() {
            report.recovery = recovery
            sides.local = try await store.versionVector()
            sides.me = try store.identity().replica
            report.enrolment = try await hub.enrol(sides.me) { try store.enrolmentRequest(host: ProcessInfo.processInfo.hostName) }
        }
    }

    /// The last own seq to push now. An HTTP hub tells its time: a PC whose clock is ahead of
    /// it by more than the allowed skew keeps its operations dated beyond it (they would be
    /// refused, and others would hold them): they are re-stamped once the clock is right.
    /// Through a folder, the same against the newest of what others dated, the county's time
    /// in the folder's signed roster (the first office in a new folder has nothing else to go
    /// by), and what this PC last published.
    func ownLimit(_ sides: Sides, _ report: inout SyncReport) async throws -> Int64 {
        let (me, local, hubHeld) = (sides.me, sides.local, sides.hubHeld)
        if let hubNow = await hub.clockMillis() {
            let ahead = store.wallClock.nowMillis() - hubNow
            if ahead > ClockPolicy.maxSkewMillis { report.clockAheadOfHub = ahead }
            return try store.lastOwnSeq(datedAtMost: hubNow + ClockPolicy.maxSkewMillis, after: hubHeld[me])
        }
        guard var seen = [try store.seenClock(), await hub.clockFloorMillis().map { HLCTimestamp(millis: $0, counter: 0) }]
            .compactMap({ $0 }).max() else { return local[me] }
        let published = try store.publishedSeq()
        if published > 0, let own = try store.operations(of: me, after: published - 1, limit: 1).first?.timestamp, own > seen {
            seen = own
        }
        let latest = seen.millis + ClockPolicy.folderLeadMillis
        let limit = try store.lastOwnSeq(datedAtMost: latest, after: hubHeld[me])
        if limit < local[me], let first = try store.operations(of: me, after: limit, limit: 1).first {
            report.clockAheadOfOthers = first.timestamp.millis - seen.millis
        }
        return limit
    }

    /// Pushes every operation this replica holds that the hub lacks, its own (up to
    /// `ownLimit`) and relayed (to an HTTP hub, only those of its own township's replicas).
    /// A batch may change an activity whose creation another replica has not pushed yet: such
    /// a replica waits while the others go, and is retried while anything moves. A refused
    /// push never stops the pull.
    ///
    /// - Returns: what the hub holds of each replica after the push.
    func push(_ sides: Sides, ownLimit: Int64, _ report: inout SyncReport) async throws -> VersionVector {
        let (me, hubHeld) = (sides.me, sides.hubHeld)
        let townships = try store.replicaTownships()
        let mine = try store.identity().township
        var pushable = sides.local
        pushable[me] = min(sides.local[me], ownLimit)
        var pending = pushable.replicas.sorted().filter { replica in
            pushable[replica] > hubHeld[replica] && (hub.relaysEveryReplica || townships[replica] == mine)
        }
        let toPush = pending.reduce(0) { $0 + Int(pushable[$1] - hubHeld[$1]) }
        var pushedUpTo = hubHeld
        var deferred: [ReplicaID: HubDependency] = [:]
        while !pending.isEmpty {
            var progressed = false
            deferred = [:]
            for replica in pending {
                let before = pushedUpTo[replica]
                // What a replica pushed before a batch failed stays pushed.
                defer { progressed = progressed || pushedUpTo[replica] > before }
                do {
                    try await pushRuns(of: replica, upTo: pushable[replica], me: me, township: townships[replica],
                                       pushedUpTo: &pushedUpTo[replica]) { done in
                        report.pushed += done
                        progress?(SyncProgress(phase: .push, done: report.pushed, total: toPush))
                    }
                } catch let dependency as HubDependency {
                    deferred[replica] = dependency
                } catch let error as KtxError where error.code == .hubRefused || error.code == .hubForbidden {
                    report.pushRefusals.append(error)
                }
            }
            pending = pending.filter { deferred[$0] != nil }
            if !progressed { break }
        }
        // Never a success for records that did not reach the hub.
        if report.pushRefusals.isEmpty, deferred.isEmpty, pushedUpTo[me] < pushable[me] {
            throw KtxError(.notPlaced(from: pushedUpTo[me] + 1, to: pushable[me], location: hub.location))
        }
        if let (_, dependency) = deferred.first {
            throw KtxError(.hubWaits(dependency.message))
        }
        return pushedUpTo
    }

    /// Pushes one replica's operations after `done` up to `upTo`: signed runs as their
    /// replica sealed them (this replica seals its own now), operations made before ktx signed
    /// unsigned, in batches. Own operations are marked published before each push (from then
    /// on others may hold them: never re-stamped) and confirmed after it. `done` follows each
    /// batch the hub took, so what was pushed before a failure counts; `pushed` is told how
    /// many each batch moved.
    func pushRuns(of replica: ReplicaID, upTo: Int64, me: ReplicaID, township: String?, pushedUpTo done: inout Int64,
                  pushed: (Int) -> Void) async throws {
        if replica == me { try store.sealOwnRuns(upTo: upTo, size: min(batchSize, RunSeal.maxOperations)) }
        let runs = try store.runs(of: replica, after: done)
        while done < upTo {
            let next = done + 1
            let batch: [Op]
            let seal: RunSeal?
            if let run = runs.first(where: { $0.first <= next && $0.last >= next }) {
                guard run.last <= upTo else { break }
                batch = try store.operations(of: replica, after: run.first - 1, limit: Int(run.last - run.first + 1))
                seal = run
            } else {
                let end = runs.first(where: { $0.first > next }).map { $0.first - 1 } ?? upTo
                batch = try store.operations(of: replica, after: done, limit: min(batchSize, Int(end - done)))
                seal = nil
            }
            guard let last = batch.last else { break }
            if replica == me { try store.markPublished(upTo: last.seq) }
            try await hub.push(batch, township: township, seal: seal)
            if replica == me { try store.markConfirmed(upTo: last.seq) }
            pushed(Int(last.seq - done))
            done = last.seq
        }
    }

    /// Pulls page by page into one merger, which writes in large atomic batches. A replica
    /// with a refused operation can go no further in this sync (its next operations would
    /// leave a gap): the hub is asked as if we held all of it. While a page merges, the next
    /// one is read (over HTTP: received and decoded) on another core, asked for after the
    /// operations of this page; it is used if the merge took them all, and otherwise dropped
    /// and asked for again.
    ///
    /// - Returns: what this replica holds after the pull.
    func pull(_ sides: Sides, _ report: inout SyncReport) async throws -> VersionVector {
        let toPull = Int(sides.hubHeld.missing(from: sides.local))
        let merger = try store.merger()
        var stopped: Set<ReplicaID> = []
        let leftOut = Set(try store.leftOutOperations().map { "\($0.replica.hex)/\($0.seq)" })
        func noteRefusals(_ refusals: some Collection<Refusal>, held: some Collection<HeldOperation>) {
            report.refused += refusals.filter { !leftOut.contains("\($0.replica.hex)/\($0.seq)") }
            report.held += held
            for refusal in refusals { stopped.insert(refusal.replica) }
            for operation in held { stopped.insert(operation.replica) }
        }
        var readAhead = ReadAhead(hub: hub, limit: batchSize)
        do {
            while true {
                var ask = merger.vector
                for replica in stopped { ask[replica] = Int64.max / 2 }
                let page = try await readAhead.page(after: ask, &report.warnings)
                report.warnings += page.warnings
                noteRefusals(page.refused, held: [HeldOperation]())
                // (A folder's file under a replica's name that it did not sign is set aside, not
                // a reason to stop taking that replica's genuine files.)
                guard !page.operations.isEmpty else {
                    if page.refused.isEmpty { break } else { continue }
                }
                var following = ask
                for op in page.operations where op.seq > following[op.replica] { following[op.replica] = op.seq }
                readAhead.start(after: following)
                let before = merger.vector
                let refusedBefore = merger.outcome.refused.count
                let heldBefore = merger.outcome.held.count
                try merger.add(page.operations, townships: page.townships, seals: page.seals, source: page.source, roster: page.roster)
                var refused = Array(merger.outcome.refused.dropFirst(refusedBefore))
                if hub.relaysEveryReplica, let forged = refused.first(where: { Self.notWrittenByItsReplica.contains($0.reason) }) {
                    await hub.setAside(page.source, reason: .forged, detail: forged.reason.rawValue)
                    refused.removeAll { $0.source == page.source && Self.notWrittenByItsReplica.contains($0.reason) }
                    await readAhead.drop(&report.warnings)
                }
                noteRefusals(refused, held: merger.outcome.held.dropFirst(heldBefore))
                report.pulled = merger.outcome.applied
                progress?(SyncProgress(phase: .pull, done: report.pulled, total: max(toPull, report.pulled)))
                if merger.vector == before && merger.outcome.refused.count == refusedBefore
                    && merger.outcome.held.count == heldBefore && page.refused.isEmpty { break }
            }
        } catch {
            await readAhead.drop(&report.warnings)
            // Keep what was pulled before the failure.
            try? merger.flush()
            throw error
        }
        await readAhead.drop(&report.warnings)
        report.pulled = try merger.finish().applied
        let local = merger.vector
        // This replica's own operations pulled back (a restored backup): others hold them.
        if local[sides.me] > sides.local[sides.me] { try store.markConfirmed(upTo: local[sides.me]) }
        return local
    }

    /// The next page of a pull, read (over HTTP: received and decoded) while this one merges.
    struct ReadAhead {
        let hub: any Hub
        let limit: Int
        private var pending: (ask: VersionVector, page: Task<PullPage, any Error>)?

        init(hub: any Hub, limit: Int) {
            self.hub = hub
            self.limit = limit
        }

        /// The page after `ask`: the one read ahead if it was asked for the same, otherwise a
        /// new pull (the one read ahead dropped).
        mutating func page(after ask: VersionVector, _ warnings: inout [HubWarning]) async throws -> PullPage {
            if let next = pending, next.ask == ask {
                pending = nil
                return try await next.page.value
            }
            await drop(&warnings)
            return try await hub.pull(after: ask, limit: limit)
        }

        /// Starts reading the page after `ask`.
        mutating func start(after ask: VersionVector) {
            let hub = hub, limit = limit
            pending = (ask, Task { try await hub.pull(after: ask, limit: limit) })
        }

        /// Drops the page read ahead. One pull at a time: a dropped one ends before the next
        /// starts. A folder tells each damaged file once, in the page that met it: the
        /// warnings of a dropped page count.
        mutating func drop(_ warnings: inout [HubWarning]) async {
            guard let next = pending else { return }
            pending = nil
            next.page.cancel()
            if let dropped = try? await next.page.value { warnings += dropped.warnings }
        }
    }

    /// Records what the sync found: for a county replica syncing with an HTTP hub, which
    /// offices' pushes the hub refuses (those records never reach the county's replica, so
    /// only the hub can tell); for a configured remote, the flow problems and what the hub now
    /// holds (what it held, what was pushed, and what was pulled from it).
    func record(_ sides: Sides, beforePull: VersionVector, pushedUpTo: VersionVector, _ report: inout SyncReport) async throws {
        if try store.identity().role == .county, await hub.callerRole() == .county {
            report.hubNotFlowing = (try? await hub.notFlowing()) ?? []
        }
        guard let remote else { return }
        let previous = [report.recovery?.continuation.previous, report.continuation?.previous].compactMap { $0 }
        try store.recordFlowProblems(FlowProblem.found(in: report, remote: remote, me: sides.me, previous: previous,
                                                       fingerprint: report.enrolment == .waiting ? try? store.publicKey().fingerprint : nil,
                                                       now: store.wallClock.nowMillis()), remote: remote)
        var hubHolds = sides.hubHeld.merged(with: pushedUpTo)
        for replica in sides.local.replicas where sides.local[replica] > beforePull[replica] {
            hubHolds[replica] = Swift.max(hubHolds[replica], sides.local[replica])
        }
        try store.recordSync(remote: remote, hubHolds: hubHolds, pushed: report.pushed, pulled: report.pulled)
    }
}
