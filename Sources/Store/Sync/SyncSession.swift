import SyncCore

/// What a sync did.
public struct SyncReport: Sendable, Equatable {
    /// The remote's name, if it was a configured remote.
    public var remote: String?
    public var location: String
    /// Operations the hub lacked and now holds.
    public var pushed = 0
    /// Operations this replica lacked and has now merged.
    public var pulled = 0
    /// Files skipped as damaged or foreign.
    public var warnings: [HubWarning] = []
    /// Operations refused by the acceptance rule (nothing of them was merged).
    public var refused: [Refusal] = []
}

/// Progress of a running sync, for a progress line.
public struct SyncProgress: Sendable, Equatable {
    public enum Phase: String, Sendable { case push, pull }
    public var phase: Phase
    /// Operations done so far in this phase.
    public var done: Int
    /// Operations this phase is expected to move.
    public var total: Int
}

/// One sync between this replica and a hub: push what the hub lacks, then pull what this
/// replica lacks, both in bounded batches.
///
/// Each pushed batch is made visible atomically and pulled pages are merged by a
/// ``Merger``, whose every write is one transaction, so a sync cut off at any point leaves
/// both sides consistent, and the next sync resumes where the last write stopped. When both sides already hold the same
/// operations, a sync costs one exchange of version vectors.
public struct SyncSession: Sendable {
    public let store: Store
    public let hub: any Hub
    /// The configured remote, whose sync state is recorded at the end; nil for none.
    public let remote: String?
    /// The most operations per pushed file or pulled page.
    public var batchSize: Int
    /// Called after each batch.
    public var progress: (@Sendable (SyncProgress) -> Void)?

    public init(store: Store, hub: any Hub, remote: String? = nil, batchSize: Int = 5_000,
                progress: (@Sendable (SyncProgress) -> Void)? = nil) {
        self.store = store
        self.hub = hub
        self.remote = remote
        self.batchSize = batchSize
        self.progress = progress
    }

    /// Runs the sync.
    ///
    /// - Throws: ``KtxError`` `hub-unreadable` or `not-a-hub` if the hub cannot be used;
    ///   what was merged before the failure stays merged, and nothing local is lost.
    public func run() async throws -> SyncReport {
        var report = SyncReport(remote: remote, location: hub.location)
        var local = try await store.versionVector()
        let hubHeld = try await hub.versionVector()

        // Push: every operation this replica holds that the hub lacks, its own and relayed
        // (to an HTTP hub, only those of its own township's replicas).
        let townships = try store.replicaTownships()
        let mine = try store.identity().township
        var pending = local.replicas.sorted().filter { replica in
            local[replica] > hubHeld[replica] && (hub.relaysEveryReplica || townships[replica] == mine)
        }
        let toPush = pending.reduce(0) { $0 + Int(local[$1] - hubHeld[$1]) }
        var pushedUpTo = hubHeld
        var deferred: [ReplicaID: HubDependency] = [:]
        // A batch may change an activity whose creation another replica has not pushed yet;
        // such a replica waits while the others go, and is retried while anything moves.
        while !pending.isEmpty {
            var progressed = false
            deferred = [:]
            for replica in pending {
                do {
                    while pushedUpTo[replica] < local[replica] {
                        let batch = try store.operations(of: replica, after: pushedUpTo[replica], limit: batchSize)
                        guard let last = batch.last else { break }
                        try await hub.push(batch, township: townships[replica])
                        pushedUpTo[replica] = last.seq
                        report.pushed += batch.count
                        progressed = true
                        progress?(SyncProgress(phase: .push, done: report.pushed, total: toPush))
                    }
                } catch let dependency as HubDependency {
                    deferred[replica] = dependency
                }
            }
            pending = pending.filter { deferred[$0] != nil }
            if !progressed { break }
        }
        if let (_, dependency) = deferred.first {
            throw KtxError(.hubRefused,
                           zh: "同步服务器暂不能接收部分操作（\(dependency.message)）；请稍后再同步",
                           en: "the hub cannot take some operations yet (\(dependency.message)); sync again later")
        }

        // Pull: page by page into one merger, which writes in large atomic batches.
        let beforePull = local
        let toPull = Int(hubHeld.missing(from: local))
        let merger = try store.merger()
        // A replica with a refused operation can go no further in this sync (its next
        // operations would leave a gap): the hub is asked as if we held all of it.
        var stopped: Set<ReplicaID> = []
        func noteRefusals(_ refusals: some Collection<Refusal>) {
            report.refused += refusals
            for refusal in refusals { stopped.insert(refusal.replica) }
        }
        do {
            while true {
                var ask = merger.vector
                for replica in stopped { ask[replica] = Int64.max / 2 }
                let page = try await hub.pull(after: ask, limit: batchSize)
                report.warnings += page.warnings
                noteRefusals(page.refused)
                guard !page.operations.isEmpty else {
                    if page.refused.isEmpty { break } else { continue }
                }
                let before = merger.vector
                let refusedBefore = merger.outcome.refused.count
                try merger.add(page.operations, townships: page.townships, source: page.source)
                noteRefusals(merger.outcome.refused.dropFirst(refusedBefore))
                report.pulled = merger.outcome.applied
                progress?(SyncProgress(phase: .pull, done: report.pulled, total: max(toPull, report.pulled)))
                if merger.vector == before && merger.outcome.refused.count == refusedBefore && page.refused.isEmpty { break }
            }
        } catch {
            // Keep what was pulled before the failure.
            try? merger.flush()
            throw error
        }
        report.pulled = try merger.finish().applied
        local = merger.vector

        if let remote {
            // The hub now holds what it held, what was pushed, and what was pulled from it.
            var hubHolds = hubHeld.merged(with: pushedUpTo)
            for replica in local.replicas where local[replica] > beforePull[replica] {
                hubHolds[replica] = Swift.max(hubHolds[replica], local[replica])
            }
            try store.recordSync(remote: remote, hubHolds: hubHolds,
                                 pushed: report.pushed, pulled: report.pulled)
        }
        return report
    }
}
