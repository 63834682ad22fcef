import Foundation
import Store
import SyncCore

/// Where a hub keeps what every node of it must agree on: the operations, which township
/// each replica belongs to, the tokens, the refusals. On SQLite the hub's database is all of
/// it (one node); on PostgreSQL (`HubPostgres`) the shared database is, and each node keeps
/// a copy of the hub (its ``view``) that it brings up to date before it answers.
///
/// Every backend applies the same rule: a push is checked by ``Store/hubAccept(_:replica:announcedTownship:caller:seals:dryRun:)``
/// against the node's view, so signatures, rights and the acceptance rule are one code.
public protocol HubBackend: Sendable {
    /// The node's view of the hub: the pages, pulls, totals and metrics read it.
    var view: Store { get }
    /// Brings ``view`` up to date with the shared database: operations and registrations, and
    /// with `details` the refusal counts the county's pages show. True if operations came.
    @discardableResult func refresh(details: Bool) async throws -> Bool
    /// Checks a pushed run of one replica's operations against the caller's rights and stores it
    /// whole, or refuses it whole (``HubRejection``).
    func accept(_ ops: [Op], replica: ReplicaID, announcedTownship: String?, caller: HubCaller,
                seals: [RunSeal]) async throws -> (accepted: Int, duplicates: Int)
    /// Makes the operations the hub's own replica wrote in ``view`` (the county's indicator
    /// values entered on the dashboard) part of the hub.
    func publishOwn() async throws
    func authenticate(secret: String) async throws -> HubCaller?
    func createToken(role: HubRole, township: String?) async throws -> (id: Int64, secret: String)
    func tokens() async throws -> [HubTokenInfo]
    func revokeToken(id: Int64) async throws
    func noteSyncStarted(replica: ReplicaID, caller: HubCaller) async throws
    func noteRefusal(replica: ReplicaID, township: String?, code: String, operations: Int, message: String) async throws
    /// Reads the shared database (a health check): how many operations it holds.
    func operationTotal() async throws -> Int64
    /// Where the hub is, for logs (never a password).
    var location: String { get }
    /// Lets go of the shared database's connections (nothing for SQLite).
    func close() async
}

/// The shared database did not answer (down, refusing the password, a lost connection):
/// the node answers 503 with a retry hint and logs `detail`.
public struct HubUnavailable: Error, Sendable, CustomStringConvertible {
    /// What failed, for the log.
    public var detail: String
    /// A failure of the shared database.
    public init(_ detail: String) { self.detail = detail }
    /// The failure, for the log.
    public var description: String { detail }
}

/// The SQLite hub: one file, one node; its view is itself.
extension Store: HubBackend {
    /// A SQLite hub's view is the hub's database itself.
    public var view: Store { self }
    /// The database file.
    public var location: String { path }

    /// Nothing to bring up to date: the file is the hub.
    public func refresh(details: Bool) async throws -> Bool { false }

    /// Checks a push and stores it in one transaction.
    public func accept(_ ops: [Op], replica: ReplicaID, announcedTownship: String?, caller: HubCaller,
                       seals: [RunSeal]) async throws -> (accepted: Int, duplicates: Int) {
        try await hubAccept(ops, replica: replica, announcedTownship: announcedTownship, caller: caller, seals: seals)
    }

    /// The hub's own operations are in the file already.
    public func publishOwn() async throws {}

    /// Nothing to close beyond the store.
    public func close() async {}

    /// Operations the hub holds.
    public func operationTotal() async throws -> Int64 { try await operationCounts().total }
}
