/// Something noticed in a hub that did not stop the sync: a damaged or foreign file,
/// reported by name and skipped.
public struct HubWarning: Hashable, Sendable, Codable {
    /// Why the file was skipped.
    public enum Reason: String, Sendable, Codable {
        /// The file's checksum, length or content does not match its header.
        case damaged
        /// The file is not a ktx operation file, or sits where no such file belongs.
        case foreign
        /// A governed folder's roster is missing, not signed by the county's key, or older
        /// than the one this replica kept: the kept one is used, and written back.
        case roster
        /// A file under an office's name that the office did not write: not signed, or not
        /// validly signed with its key. Someone with access to the folder put it there; it is
        /// ignored (never a reason to stop, never evidence of a copy), and the county is told.
        case forged
        /// The folder's marker (`ktx-hub.json`) was deleted: written back from the county key
        /// this replica pinned.
        case marker
    }

    /// The file, relative to the hub's root.
    public var file: String
    /// Why it was skipped or set aside.
    public var reason: Reason
    /// What exactly is wrong, in English, for logs.
    public var detail: String

    /// A warning about one file of a hub.
    public init(file: String, reason: Reason, detail: String) {
        self.file = file
        self.reason = reason
        self.detail = detail
    }

}

/// A page of operations pulled from a hub: contiguous runs per replica, beyond the
/// version vector the puller gave.
public struct PullPage: Sendable {
    /// The operations, in (replica, seq) order within each replica.
    public var operations: [Op]
    /// Townships announced by the replicas whose operations are in the page.
    public var townships: [ReplicaID: String]
    /// Files skipped while reading this page.
    public var warnings: [HubWarning]
    /// Where the operations came from (a file of a folder hub, a page of an HTTP hub),
    /// named when one of them is refused.
    public var source: String
    /// Operations the decoder refused (a kind this format does not define, a value of the
    /// wrong type); their replica's later operations in the page were left out.
    public var refused: [Refusal] = []
    /// The signed runs the operations come in, by replica (the receiver verifies them).
    public var seals: [ReplicaID: [RunSeal]] = [:]
    /// On a governed folder hub: the county's roster, verified against the county key this
    /// replica pinned. Operations of replicas it does not enrol are held, and every
    /// operation is checked against its signer's rights.
    public var roster: Roster?

    /// A page of operations, with the townships their replicas announced.
    public init(operations: [Op] = [], townships: [ReplicaID: String] = [:], warnings: [HubWarning] = [], source: String = "") {
        self.operations = operations
        self.townships = townships
        self.warnings = warnings
        self.source = source
    }
}

/// A place replicas exchange operations through: a folder (`FileHub`) or, later, an
/// HTTP server. A hub only stores and hands out operations; merging is the replica's.
public protocol Hub: Sendable {
    /// Where the hub is, for messages.
    var location: String { get }

    /// Whether the hub takes operations of any replica (a folder relays everything), or
    /// only of replicas of the pushing replica's own township (the HTTP hub).
    var relaysEveryReplica: Bool { get }

    /// What the hub holds, as a version vector.
    func versionVector() async throws -> VersionVector

    /// Stores a contiguous run of operations of one replica (seq `first...last`), atomically:
    /// after a cut the hub holds either all of the run or none of it.
    ///
    /// - Parameters:
    ///   - operations: operations of one replica, in seq order, without gaps: one whole
    ///     signed run when `seal` is given.
    ///   - township: the township of that replica, if known, announced to other replicas.
    ///   - seal: the run's signature, as its replica sealed it; nil for operations made
    ///     before ktx signed.
    func push(_ operations: [Op], township: String?, seal: RunSeal?) async throws

    /// Returns the next operations the hub holds beyond `vector`, at most about `limit`;
    /// an empty page when there is nothing more to pull.
    func pull(after vector: VersionVector, limit: Int) async throws -> PullPage

    /// The hub's clock (unix milliseconds) as it said at the last ``versionVector()``, if it
    /// has one: an HTTP hub does, a folder does not.
    func clockMillis() async -> Int64?

    /// The PCs whose records the hub refused since they last pushed successfully, as the hub
    /// tells a county token (an HTTP hub's `GET /v1/status`); nil when the hub tells none.
    func notFlowing() async throws -> [HubAPI.Status.NotFlowing]?

    /// A time the hub's county vouches had passed (a governed folder: the newest time in the
    /// county-signed roster), unix milliseconds; nil when the hub has no such word.
    func clockFloorMillis() async -> Int64?

    /// The role the hub grants this caller's token, as it said at the last
    /// ``versionVector()``: an HTTP hub's token has one; a folder has none (its roster says).
    func callerRole() async -> Roster.Role?

    /// Where this replica stands with the hub's county. A governed folder hub records a
    /// request for a replica it does not enrol yet (once: a request already there is kept).
    ///
    /// - Parameters:
    ///   - replica: this replica.
    ///   - request: makes the request, signed by this replica's key; called only
    ///     when one is needed (an enrolled replica signs nothing at a sync).
    func enrol(_ replica: ReplicaID, request: @Sendable () throws -> (EnrolmentRequest, SignedDocument)) async throws -> Enrolment

    /// Sets aside what a page came from (``PullPage/source``): a folder's file that the
    /// receiver found was not written by the replica it names. It is not read again, not
    /// counted in ``versionVector()``, and reported once with the reason. An HTTP hub, which
    /// checks every push, has nothing to set aside.
    func setAside(_ source: String, reason: HubWarning.Reason, detail: String) async

    /// The first of `runs` (a replica's own signed runs, as it sealed them) that the hub no
    /// longer holds as they were sealed: a folder's file whose name says it holds the run but
    /// whose bytes are another's (someone wrote over it). Every reader would skip that file and
    /// stop at the gap, while the folder's names still say the run is there: the replica
    /// writes it again. Nil when all are there. An HTTP hub keeps what it accepted: nil.
    func firstLostRun(of replica: ReplicaID, among runs: [RunSeal]) async throws -> RunSeal?
}

extension Hub {
    /// A hub without a clock of its own (a folder) tells none.
    public func clockMillis() async -> Int64? { nil }

    /// A hub without tokens (a folder) gives the caller no role.
    public func callerRole() async -> Roster.Role? { nil }

    /// A hub that keeps no clock floor tells none.
    public func clockFloorMillis() async -> Int64? { nil }

    /// A hub that does not track other PCs tells nothing of them.
    public func notFlowing() async throws -> [HubAPI.Status.NotFlowing]? { nil }

    /// A hub that checks every push (HTTP) has nothing to set aside.
    public func setAside(_ source: String, reason: HubWarning.Reason, detail: String) async {}

    /// A hub that keeps what it accepted (HTTP) loses no run.
    public func firstLostRun(of replica: ReplicaID, among runs: [RunSeal]) async throws -> RunSeal? { nil }

    /// A hub that enrols nobody (HTTP, where the token is the authority) is open to every replica.
    public func enrol(_ replica: ReplicaID, request: @Sendable () throws -> (EnrolmentRequest, SignedDocument)) async throws -> Enrolment { .open }

    /// Pushes operations made before ktx signed (no seal).
    public func push(_ operations: [Op], township: String?) async throws {
        try await push(operations, township: township, seal: nil)
    }

    /// Whether the hub accepts operations of any replica (a folder), or only of the
    /// pushing replica's own township (the HTTP hub).
    public var relaysEveryReplica: Bool { true }
}

/// A pushed batch the hub cannot take yet because it changes an activity whose
/// creation the hub has not received; the sync pushes other replicas first and retries.
public struct HubDependency: Error, Sendable {
    /// What the sync should do first, in words.
    public var message: String
    /// A batch that waits on another replica's push.
    public init(message: String) { self.message = message }
}
