/// An error a person can act on, as the layers below the edges raise it: a stable code,
/// the structured facts of what went wrong (``Detail``), and an optional underlying cause for
/// logs. It holds no words: each edge words it for its people (the `KtxWords` module: the
/// terminal names a field `--title` and may name the `ktx` command that mends it, a page
/// names the form's label, the hub's JSON answer the field's key) and maps it to an exit
/// status or an HTTP status. An edge's own error, raised where it is worded, carries its
/// words (``Detail/said(_:zh:en:)``).
///
/// `description` is for logs: the code and the facts.
public struct KtxError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Stable identifiers of every error ktx reports; scripts and tests may rely on them.
    public enum Code: String, Sendable {
        /// No replica at the path: `ktx init` first.
        case notInitialized = "not-initialized"
        /// `ktx init` on a path that holds a replica already.
        case alreadyInitialized = "already-initialized"
        /// The file is not a SQLite database.
        case notADatabase = "not-a-database"
        /// The replica was written by a newer ktx whose schema this one does not know.
        case newerDatabase = "newer-database"
        /// An activity kind the catalog does not know.
        case unknownKind = "unknown-kind"
        /// A quantity the catalog does not know.
        case unknownMetric = "unknown-metric"
        /// A date that is not a real `YYYY-MM-DD` day.
        case badDate = "bad-date"
        /// Quantities that break a catalog rule (satisfied more than surveyed …).
        case ruleBroken = "rule-broken"
        /// `ktx restore` of an activity that is not deleted.
        case notDeleted = "not-deleted"
        /// A destructive command without `--yes`.
        case notConfirmed = "not-confirmed"
        /// A backup would overwrite an existing file.
        case backupExists = "backup-exists"
        /// A year that is not four digits from 1900 to 2999.
        case badYear = "bad-year"
        /// A quantity or amount that is not a number in its metric's bounds.
        case badNumber = "bad-number"
        /// A text with control characters or beyond its length.
        case badText = "bad-text"
        /// A field the command needs was not given.
        case missingField = "missing-field"
        /// An activity id that is not `<12 hex>-<n>`.
        case badActivityID = "bad-activity-id"
        /// An activity id this replica does not hold.
        case unknownActivity = "unknown-activity"
        /// A change to a deleted activity (restore it first).
        case activityDeleted = "activity-deleted"
        /// A change to another township's activity.
        case otherTownship = "other-township"
        /// A quantity below zero.
        case negativeValue = "negative-value"
        /// A subtraction that would leave a quantity below zero.
        case negativeResult = "negative-result"
        /// An edit that changes nothing.
        case nothingToChange = "nothing-to-change"
        /// A `--by` grouping that does not exist.
        case badGroupKey = "bad-group-key"
        /// A hub token id that is not an active token.
        case unknownToken = "unknown-token"
        /// A remote URL ktx cannot use.
        case badRemoteURL = "bad-remote-url"
        /// A token given for a folder remote (folders need none).
        case tokenNotAllowed = "token-not-allowed"
        /// An HTTP remote or command with no token.
        case missingToken = "missing-token"
        /// A file or folder that cannot be written.
        case cannotCreate = "cannot-create"
        /// The hub refused a push (its rule, or operations it cannot take yet).
        case hubRefused = "hub-refused"
        /// The hub cannot be reached over the network.
        case hubUnreachable = "hub-unreachable"
        /// The hub does not know the token (401).
        case hubUnauthorized = "hub-unauthorized"
        /// The token may not do this (403).
        case hubForbidden = "hub-forbidden"
        /// A remote name ktx cannot use.
        case badRemoteName = "bad-remote-name"
        /// `ktx remote add` of a name already used.
        case remoteExists = "remote-exists"
        /// A remote name that is not configured.
        case unknownRemote = "unknown-remote"
        /// `ktx sync` with no remote configured and none given.
        case noRemote = "no-remote"
        /// `ktx sync` with several remotes and none chosen.
        case ambiguousRemote = "ambiguous-remote"
        /// A hub folder that cannot be read.
        case hubUnreadable = "hub-unreadable"
        /// A folder that is not a ktx hub.
        case notAHub = "not-a-hub"
        /// A manual indicator value that is not a number in its unit.
        case badIndicatorValue = "bad-indicator-value"
        /// A targets (or scoring) file with a mistake, named with its line.
        case badTargets = "bad-targets"
        /// No targets for the year: none shipped and none given.
        case noTargets = "no-targets"
        /// A project the targets do not list.
        case unknownProject = "unknown-project"
        /// An indicator the project does not list.
        case unknownIndicator = "unknown-indicator"
        /// A value set for an indicator computed from the records.
        case notManual = "not-manual"
        /// `--scope township` on a hub without a roster of townships.
        case scopeNeedsRoster = "scope-needs-roster"
        /// A quarter that is not 1 to 4.
        case badQuarter = "bad-quarter"
        /// An output format or option value the command does not take.
        case badFormat = "bad-format"
        /// An import file with a mistake, named with its line and column; nothing imported.
        case badImport = "bad-import"
        /// A file that cannot be read.
        case cannotRead = "cannot-read"
        /// The replica's storage failed, or holds what this ktx cannot read.
        case storage = "storage"
        /// A total would overflow: a batch of operations was not merged.
        case overflow = "overflow"
        /// A local change that breaks the acceptance rule; nothing written.
        case refused = "refused"
        /// The disk is full; nothing was half-written.
        case diskFull = "disk-full"
        /// The replica's file or folder is read-only.
        case readOnly = "read-only"
        /// An empty file where a replica should be.
        case emptyDatabase = "empty-database"
        /// The operation log is damaged: a chunk does not read, or its checksum differs.
        case damagedLog = "damaged-log"
        /// The hub's port is taken by another program.
        case portInUse = "port-in-use"
        /// A port number the hub cannot take as given.
        case badPort = "bad-port"
        /// A hub folder that is not there (USB stick not inserted, share not mounted).
        case hubMissing = "hub-missing"
        /// A folder remote's path ktx cannot use.
        case badRemoteLocation = "bad-remote-location"
        /// This database is a copy of another PC's (or a backup's) replica.
        case copiedReplica = "copied-replica"
        /// The hub's county key is not the one this replica pinned.
        case hubKeyChanged = "hub-key-changed"
        /// A hub folder's roster that does not verify.
        case badRoster = "bad-roster"
        /// A county command on a replica that does not govern the folder.
        case notTheCounty = "not-the-county"
        /// An enrolment request id that names none, or several.
        case unknownRequest = "unknown-request"
        /// A PostgreSQL URL the hub cannot use.
        case badDatabaseURL = "bad-database-url"
        /// The hub's PostgreSQL database cannot be reached.
        case databaseUnavailable = "database-unavailable"
        /// A county-only change (indicator values, notes, approvals) on a township's PC.
        case countyOnly = "county-only"
        /// A token of another role than this replica's.
        case wrongToken = "wrong-token"
        /// Another program's SQLite database, not a ktx replica.
        case foreignDatabase = "foreign-database"
        /// The operation log misses operations of a replica: nothing built from it would count them.
        case logGap = "log-gap"
        /// A step of the year's close that the (year, township)'s standing does not allow.
        case yearState = "year-state"
        /// A township-only step (submitting a year) on the county's PC.
        case townshipOnly = "township-only"
    }

    /// What went wrong, as facts an edge words.
    public let detail: Detail
    /// The cause, for logs (never shown to a clerk as is).
    public let underlying: (any Error & Sendable)?

    /// What kind of error this is: its facts' code.
    public var code: Code { detail.code }

    /// An error with its facts.
    public init(_ detail: Detail, underlying: (any Error & Sendable)? = nil) {
        self.detail = detail
        self.underlying = underlying
    }

    /// An edge's own error, worded where the edge raises it (the layers below an edge
    /// never use this: a test holds them to ``Detail``).
    public init(_ code: Code, zh: String, en: String, underlying: (any Error & Sendable)? = nil) {
        self.init(.said(code, zh: zh, en: en), underlying: underlying)
    }

    /// The field of input the error is about, if one: each edge names it its own way.
    public var field: InputField? {
        switch detail {
        case .badNumber(.field(let field), _, _), .badText(.field(let field)), .missingField(.field(let field)),
             .tooLarge(let field, _), .negativeValue(let field, _):
            field
        default: nil
        }
    }

    /// Whether the error is in what the caller gave (input to fix) rather than a failure of
    /// the storage, the disk or the hub. Each edge maps it: exit status 64 or 1 in a
    /// terminal, a 4xx or a 5xx over HTTP, the form shown again or an error page.
    public var isBadInput: Bool {
        switch code {
        case .storage, .hubUnreadable, .notADatabase, .newerDatabase, .cannotCreate, .hubUnreachable, .hubRefused,
             .hubUnauthorized, .hubForbidden, .overflow, .diskFull, .readOnly, .emptyDatabase, .damagedLog, .portInUse,
             .hubMissing, .copiedReplica, .hubKeyChanged, .badRoster, .notTheCounty, .databaseUnavailable, .foreignDatabase,
             .logGap: false
        default: true
        }
    }

    /// The code and the facts, as a log shows the error.
    public var description: String { "\(code.rawValue): \(detail)" }

    /// The code, the facts and the underlying error, for logs.
    public var debugDescription: String {
        "KtxError(\(description))" + (underlying.map { " [cause: \(String(reflecting: $0))]" } ?? "")
    }
}

/// A field named in an error: one the core knows (each edge names it), or one that only an
/// edge has (a CSV column, `LOCATION` in a terminal), named as that edge wrote it.
public enum FieldRef: Sendable, Hashable {
    /// A field of input the core knows.
    case field(InputField)
    /// A name only the edge that raised the error has.
    case named(String)
}
