import Foundation
import SyncCore

/// A hub seen through, read-only: everything a receiver takes is pulled into a throw-away
/// replica, and what it refuses, holds or sets aside is what the county needs to see about PCs
/// whose records are not flowing. Nothing is written to the hub (no request, no roster).
public enum HubInspection {
    /// Pulls all of `hub` into a new replica in a temporary folder, then removes it.
    ///
    /// - Returns: every PC whose records are not flowing, with the reason, as a receiver
    ///   finds them; how many operations the hub holds; where each township's year stands.
    public static func inspect(_ hub: any Hub, progress: (@Sendable (SyncProgress) -> Void)? = nil) async throws
        -> (problems: [FlowProblem], operations: Int64, years: [Store.YearStanding]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ktx-inspect-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Store.create(at: dir + "/inspect.db", township: "inspect", role: .county)
        let me = try store.identity().replica
        let report = try await SyncSession(store: store, hub: ReadOnly(hub), progress: progress).run()
        let townships = try store.replicaTownships()
        let problems = FlowProblem.found(in: report, remote: "", me: me, previous: [], now: store.wallClock.nowMillis())
            .filter { !$0.own }
            .map { problem in
                var named = problem
                named.township = problem.township ?? townships[problem.replica]
                return named
            }
        let vector = try await store.versionVector()
        // Where each township's year stands, as every receiver folds the steps it holds.
        let years = try store.yearsWithSteps().flatMap { try store.yearStandings($0) }
        return (problems, vector.replicas.reduce(0) { $0 + vector[$1] }, years)
    }

    /// A hub that is only read: the inspecting replica asks for no enrolment and pushes nothing
    /// (it has nothing of its own).
    struct ReadOnly: Hub {
        let hub: any Hub
        init(_ hub: any Hub) { self.hub = hub }
        var location: String { hub.location }
        var relaysEveryReplica: Bool { hub.relaysEveryReplica }
        func versionVector() async throws -> VersionVector { try await hub.versionVector() }
        func push(_ operations: [Op], township: String?, seal: RunSeal?) async throws {}
        func pull(after vector: VersionVector, limit: Int) async throws -> PullPage { try await hub.pull(after: vector, limit: limit) }
        func clockMillis() async -> Int64? { await hub.clockMillis() }
        func enrol(_ replica: ReplicaID, request: @Sendable () throws -> (EnrolmentRequest, SignedDocument)) async throws -> Enrolment { .open }
        func setAside(_ source: String, reason: HubWarning.Reason, detail: String) async { await hub.setAside(source, reason: reason, detail: detail) }
    }
}
