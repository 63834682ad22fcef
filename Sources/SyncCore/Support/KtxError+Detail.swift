/// What went wrong, as facts: every error the layers below the edges raise, with what an
/// edge needs to word it (`KtxWords`). The factories on ``KtxError`` pair each with its code.
public indirect enum Detail: Sendable {
    // MARK: The database

    /// No replica at the path.
    case notInitialized(path: String)
    /// The path holds a replica already.
    case alreadyInitialized(path: String, replica: String, township: String)
    /// Not a SQLite database, or damaged.
    case notADatabase(path: String)
    /// Another program's SQLite database.
    case foreignDatabase(path: String)
    /// The file or its folder cannot be created.
    case cannotCreate(path: String)
    /// Written by a newer ktx.
    case newerDatabase(path: String)
    /// The disk is full.
    case diskFull(path: String)
    /// The file or its folder is read-only.
    case readOnly(path: String)
    /// An empty file where a replica should be.
    case emptyDatabase(path: String)
    /// The operation log is damaged; the detail says where (English, for logs too).
    case damagedLog(String)
    /// A chunk of the log changed after it was written.
    case damagedChunk(replica: String, from: Int64, to: Int64)
    /// A replica's log misses operations.
    case logGap(replica: String, from: Int64, to: Int64)
    /// A database operation failed; `what` names it.
    case storage(what: String)
    /// A total would overflow.
    case overflow
    /// A chunk of the log cannot be read.
    case unreadableChunk
    /// A backup would overwrite a file.
    case backupExists(path: String)
    /// A backup's copy did not read back.
    case backupFailedCheck
    /// A backup was copied, but the copy has the fault `cause` this database has.
    case backupUnchecked(path: String, cause: Detail)
    /// This replica has no signing key.
    case noSigningKey
    /// A token's role this ktx does not know.
    case unknownStoredRole(token: Int64, role: String)
    /// The shared hub database holds an operation this node's rule refuses.
    case sharedDatabaseRefused(replica: ReplicaID, seq: Int64, reason: RefusalReason)

    // MARK: Input

    /// An activity kind the catalog does not know.
    case unknownKind(String, catalog: Catalog)
    /// A metric the catalog does not know.
    case unknownMetric(String, catalog: Catalog)
    /// Not a date, and why.
    case badDate(String, TypedInput.DateProblem)
    /// Not a year from 1900 to 2999.
    case badYear(String)
    /// Not a quarter from 1 to 4.
    case badQuarter(String)
    /// Not an indicator value.
    case badIndicatorValue(String)
    /// Not an amount of the metric.
    case badNumber(FieldRef, String, Metric)
    /// Beyond what the field takes.
    case tooLarge(InputField, String)
    /// A text the field cannot take.
    case badText(FieldRef)
    /// Notes with control characters or beyond their length.
    case badNotes(maxScalars: Int)
    /// A field the command or form needs.
    case missingField(FieldRef)
    /// A negative number where the field takes none.
    case negativeValue(InputField, String)
    /// A change that would break a rule between two quantities of one activity.
    case ruleBroken(activity: String?, metric: Metric, value: Int64, atMost: Metric, limit: Int64, saysNothingChanged: Bool)
    /// A grouping that does not exist, with the nearest one that does.
    case badGroupKey(String, near: String?)

    // MARK: Activities

    /// Not an activity id.
    case badActivityID(String)
    /// No activity with this id here.
    case unknownActivity(String)
    /// The activity was deleted.
    case activityDeleted(String)
    /// The activity is not deleted: nothing to restore.
    case notDeleted(String)
    /// The activity was restored already, as `as`.
    case restoredAlready(String, as: String)
    /// Another township's activity.
    case otherTownship(String, owner: String, mine: String)
    /// A correction that would take a total below zero.
    case negativeResult(String, metric: Metric, current: Int64, change: Int64)
    /// An edit that changes nothing.
    case nothingToChange
    /// A local change the acceptance rule refuses.
    case refusedLocally(RefusalReason)
    /// A local change outside this replica's rights.
    case outsideRights(RefusalReason, township: String, roleKnown: Bool)

    // MARK: The year's close

    /// The (year, township) is approved already.
    case approvedAlready(year: Int, township: String)
    /// The township has not submitted the year (or not again since it was returned).
    case notSubmitted(year: Int, township: String)
    /// The county's year cannot close: these townships are not approved.
    case townshipsNotApproved(year: Int, townships: [String])
    /// Nothing submitted to return.
    case nothingToReturn(year: Int, township: String)
    /// No amendments waiting on these activities.
    case noAmendments(year: Int, activities: [String])

    // MARK: Remotes and hubs

    /// A remote's name ktx cannot use.
    case badRemoteName(String)
    /// A remote of that name exists.
    case remoteExists(String)
    /// No remote of that name.
    case unknownRemote(String, known: [String])
    /// No remote at all.
    case noRemote
    /// Several remotes and none named.
    case ambiguousRemote([String])
    /// An address that is not `https://HOST:PORT`.
    case badRemoteURL(String)
    /// A remote location ktx cannot use (another scheme, a Windows share).
    case badRemoteLocation(String)
    /// An HTTP remote without a token.
    case httpRemoteNeedsToken
    /// A token given for a folder remote.
    case tokenForFolder
    /// The environment variable meant to hold a remote's token is not set.
    case tokenVariableUnset(remote: String, variable: String)
    /// No token stored for the remote.
    case noStoredToken(remote: String, file: String)
    /// The sync's token is of another role than this replica's.
    case wrongToken(mine: Roster.Role, township: String, tokenRole: String)
    /// A hub folder that cannot be used, and why (for logs too).
    case hubUnreadable(location: String, reason: String)
    /// A folder that is not a hub.
    case notAHub(location: String)
    /// A folder that is neither empty nor a hub, where one is to be made.
    case folderNotEmpty(location: String)
    /// A hub folder that is not there.
    case hubMissing(location: String)
    /// A link or a file where the hub keeps a folder.
    case linkInHub(location: String, name: String)
    /// The hub folder's county key is not the one pinned.
    case hubKeyChanged(location: String, pinned: String, found: String?)
    /// The hub folder's roster is missing, damaged or not the county's.
    case badRoster(location: String, String)
    /// A county command on a replica that does not govern the folder.
    case notTheCounty(location: String, governor: String)
    /// `--scope township` on a folder the county does not govern.
    case scopeNeedsRoster(location: String)
    /// No request nor operations of the replica in the folder.
    case unknownRequest(replica: String)
    /// The replica is not enrolled on the folder.
    case notEnrolled(replica: String)
    /// The county's own replica cannot be revoked.
    case countyNotRevocable
    /// The hub holds other operations under this replica's seqs.
    case copiedReplica(replica: String, file: String)
    /// Own operations the hub did not take.
    case notPlaced(from: Int64, to: Int64, location: String)
    /// The hub cannot take some operations yet.
    case hubWaits(String)
    /// No active token of that id.
    case unknownToken(Int64)
    /// The hub rejected the token (401).
    case hubUnauthorized(location: String)
    /// The hub does not allow this (403); its code and message.
    case hubForbidden(location: String, code: String?, message: String?)
    /// The hub refused the request; its HTTP status, code and message.
    case hubRefusedRequest(location: String, status: Int, code: String?, message: String?)
    /// The hub cannot be reached, and why.
    case hubUnreachable(location: String, reason: UnreachableReason)
    /// The hub's answer is not one ktx reads.
    case hubAnswerUnreadable(location: String, AnswerProblem)

    // MARK: The HTTP hub's server

    /// Not a port number.
    case badPort(String)
    /// The port is in use (or below 1024 without rights).
    case portInUse(host: String, port: Int, inUse: Bool)
    /// Not an address of this machine.
    case badHost(String)

    // MARK: The hub's PostgreSQL database

    /// Made by a newer ktx: `applied` migrations, this version knows `known`.
    case newerHubDatabase(applied: Int, known: Int)
    /// The node's `--db` is not a node's copy (no marker file beside it).
    case notANodeCopy(path: String, marker: String)
    /// The node's copy holds operations the database lacks.
    case viewAhead(path: String, replica: String, seq: Int64, database: Int64)
    /// The database cannot be used, and why (for logs too).
    case databaseUnusable(String)
    /// A password written in the address.
    case passwordInURL
    /// The password file cannot be read.
    case passwordFileUnreadable(String)
    /// An address ktx cannot use, shown up to its user part.
    case badDatabaseURL(shown: String, DatabaseURLProblem)
    /// A database name with other characters than lower-case letters, digits and `_`.
    case badDatabaseName(String)

    /// An edge's own error, worded where it was raised.
    case said(KtxError.Code, zh: String, en: String)
    /// The stable code of an error with these facts.
    public var code: KtxError.Code {
        switch self {
        case .notInitialized: .notInitialized
        case .alreadyInitialized: .alreadyInitialized
        case .notADatabase: .notADatabase
        case .foreignDatabase: .foreignDatabase
        case .cannotCreate: .cannotCreate
        case .newerDatabase, .newerHubDatabase: .newerDatabase
        case .diskFull: .diskFull
        case .readOnly: .readOnly
        case .emptyDatabase: .emptyDatabase
        case .damagedLog, .damagedChunk: .damagedLog
        case .logGap: .logGap
        case .storage, .unreadableChunk, .backupFailedCheck, .noSigningKey, .unknownStoredRole, .sharedDatabaseRefused: .storage
        case .overflow: .overflow
        case .backupExists: .backupExists
        case .unknownKind: .unknownKind
        case .unknownMetric: .unknownMetric
        case .badDate: .badDate
        case .badYear: .badYear
        case .badQuarter: .badQuarter
        case .badIndicatorValue: .badIndicatorValue
        case .badNumber, .tooLarge: .badNumber
        case .badText, .badNotes: .badText
        case .missingField, .httpRemoteNeedsToken: .missingField
        case .negativeValue: .negativeValue
        case .ruleBroken: .ruleBroken
        case .badGroupKey: .badGroupKey
        case .badActivityID: .badActivityID
        case .unknownActivity: .unknownActivity
        case .activityDeleted: .activityDeleted
        case .notDeleted, .restoredAlready: .notDeleted
        case .otherTownship: .otherTownship
        case .negativeResult: .negativeResult
        case .nothingToChange: .nothingToChange
        case .refusedLocally: .refused
        case .outsideRights: .countyOnly
        case .approvedAlready, .notSubmitted, .townshipsNotApproved, .nothingToReturn, .noAmendments: .yearState
        case .badRemoteName: .badRemoteName
        case .remoteExists: .remoteExists
        case .unknownRemote: .unknownRemote
        case .noRemote: .noRemote
        case .ambiguousRemote: .ambiguousRemote
        case .badRemoteURL: .badRemoteURL
        case .badRemoteLocation: .badRemoteLocation
        case .tokenForFolder: .tokenNotAllowed
        case .tokenVariableUnset, .noStoredToken: .missingToken
        case .wrongToken: .wrongToken
        case .hubUnreadable, .linkInHub: .hubUnreadable
        case .notAHub, .folderNotEmpty: .notAHub
        case .hubMissing: .hubMissing
        case .hubKeyChanged: .hubKeyChanged
        case .badRoster: .badRoster
        case .notTheCounty: .notTheCounty
        case .scopeNeedsRoster: .scopeNeedsRoster
        case .unknownRequest, .notEnrolled, .countyNotRevocable: .unknownRequest
        case .copiedReplica: .copiedReplica
        case .notPlaced, .hubWaits, .hubRefusedRequest, .hubAnswerUnreadable: .hubRefused
        case .unknownToken: .unknownToken
        case .hubUnauthorized: .hubUnauthorized
        case .hubForbidden: .hubForbidden
        case .hubUnreachable: .hubUnreachable
        case .badPort, .badHost: .badPort
        case .portInUse: .portInUse
        case .notANodeCopy, .passwordInURL, .passwordFileUnreadable, .badDatabaseURL, .badDatabaseName: .badDatabaseURL
        case .viewAhead, .databaseUnusable: .databaseUnavailable
        case .backupUnchecked(_, let cause): cause.code
        case .said(let code, _, _): code
        }
    }
}

/// Why a hub cannot be reached, as the client saw it.
public enum UnreachableReason: Sendable, Hashable {
    /// The connection was refused: nothing listens there.
    case refused
    /// No answer in time.
    case timeout
    /// The connection was lost midway.
    case lost
    /// The address is not one a connection can be made to.
    case badAddress
    /// No route to the network.
    case networkUnreachable
    /// The host name does not resolve.
    case unknownHost
    /// TLS failed (a certificate, or `https` to a plain server).
    case tls
    /// No connection could be made, for another reason.
    case noConnection
    /// Any other network error.
    case other
}

/// What is wrong with a PostgreSQL address.
public enum DatabaseURLProblem: Sendable, Hashable {
    /// Not `postgres://USER@HOST:PORT/DB`.
    case form
    /// No host.
    case noHost
    /// No user.
    case noUser
    /// No database.
    case noDatabase
    /// A parameter other than `sslmode`.
    case parameter
}

/// What in a hub's answer could not be read.
public enum AnswerProblem: Sendable, Hashable {
    /// The version vector.
    case badVector
    /// The answer to a path.
    case unreadable(path: String)
    /// A batch of a replica id that is not one.
    case unknownReplica
    /// The pull stream.
    case badStream
    /// The pull stream ended before its end.
    case streamCut
}

extension KtxError {
    /// No replica at `path`: `ktx init` makes one.
    public static func notInitialized(_ path: String) -> KtxError { KtxError(.notInitialized(path: path)) }

    /// `ktx init` on a file that already holds a replica; nothing is changed.
    public static func alreadyInitialized(_ path: String, replica: String, township: String) -> KtxError {
        KtxError(.alreadyInitialized(path: path, replica: replica, township: township))
    }

    /// The file is not a SQLite database (or is damaged).
    public static func notADatabase(_ path: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.notADatabase(path: path), underlying: underlying)
    }

    /// A SQLite database of another program's: ktx writes nothing into it.
    public static func foreignDatabase(_ path: String) -> KtxError { KtxError(.foreignDatabase(path: path)) }

    /// The database file or its folder cannot be created.
    public static func cannotCreate(_ path: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.cannotCreate(path: path), underlying: underlying)
    }

    /// A database written by a newer ktx, which this one cannot read.
    public static func newerDatabase(_ path: String) -> KtxError { KtxError(.newerDatabase(path: path)) }

    /// An unknown kind: the edge names the near one if it looks like a slip, else the list.
    public static func unknownKind(_ text: String, catalog: Catalog) -> KtxError { KtxError(.unknownKind(text, catalog: catalog)) }

    /// A metric the catalog does not have: the edge names the nearest one it does.
    public static func unknownMetric(_ text: String, catalog: Catalog) -> KtxError { KtxError(.unknownMetric(text, catalog: catalog)) }

    /// Not a date ktx reads.
    public static func badDate(_ text: String) -> KtxError { KtxError(.badDate(text, .form)) }

    /// A date that names itself: why it is not a day.
    public static func badDate(_ text: String, _ problem: TypedInput.DateProblem) -> KtxError { KtxError(.badDate(text, problem)) }

    /// A change that would break a rule between two quantities of one activity.
    public static func ruleBroken(_ id: String?, metric: Metric, value: Int64, atMost: Metric, limit: Int64,
                                  saysNothingChanged: Bool = true) -> KtxError {
        KtxError(.ruleBroken(activity: id, metric: metric, value: value, atMost: atMost, limit: limit,
                                          saysNothingChanged: saysNothingChanged))
    }

    /// Not a year from 1900 to 2999.
    public static func badYear(_ text: String) -> KtxError { KtxError(.badYear(text)) }

    /// Not a value an indicator takes (a number, optionally with its unit).
    public static func badIndicatorValue(_ text: String) -> KtxError { KtxError(.badIndicatorValue(text)) }

    /// A quantity typed for a field that is not a valid amount of its metric.
    public static func badNumber(_ field: InputField, _ text: String, metric: Metric) -> KtxError {
        KtxError(.badNumber(.field(field), text, metric))
    }

    /// ``badNumber(_:_:metric:)`` for what only one edge has (a CSV column).
    public static func badNumber(_ name: String, _ text: String, metric: Metric) -> KtxError {
        KtxError(.badNumber(.named(name), text, metric))
    }

    /// A number beyond what the field takes.
    public static func tooLarge(_ field: InputField, _ text: String) -> KtxError { KtxError(.tooLarge(field, text)) }

    /// A text field that is empty where it may not be, or holds what no text may.
    public static func badText(_ field: InputField) -> KtxError { KtxError(.badText(.field(field))) }

    /// ``badText(_:)`` for what only one edge has (a CSV column).
    public static func badText(_ name: String) -> KtxError { KtxError(.badText(.named(name))) }

    /// A field the command or form needs that was not given.
    public static func missingField(_ field: InputField) -> KtxError { KtxError(.missingField(.field(field))) }

    /// ``missingField(_:)`` for what only one edge has (`LOCATION`, `N` in a terminal).
    public static func missingField(_ name: String) -> KtxError { KtxError(.missingField(.named(name))) }

    /// Not an activity id (`3fa9c2d1b0e4-17`).
    public static func badActivityID(_ text: String) -> KtxError { KtxError(.badActivityID(text)) }

    /// No activity with this id in the replica.
    public static func unknownActivity(_ id: String) -> KtxError { KtxError(.unknownActivity(id)) }

    /// The activity was deleted (`ktx restore` brings it back).
    public static func activityDeleted(_ id: String) -> KtxError { KtxError(.activityDeleted(id)) }

    /// Another township's activity: this replica may change only its own township's.
    public static func otherTownship(_ id: String, owner: String, mine: String) -> KtxError {
        KtxError(.otherTownship(id, owner: owner, mine: mine))
    }

    /// A negative number where the field takes none.
    public static func negativeValue(_ field: InputField, _ text: String) -> KtxError { KtxError(.negativeValue(field, text)) }

    /// A correction that would take a quantity's total below zero.
    public static func negativeResult(_ id: String, metric: Metric, current: Int64, change: Int64) -> KtxError {
        KtxError(.negativeResult(id, metric: metric, current: current, change: change))
    }

    /// An edit that changes nothing.
    public static func nothingToChange() -> KtxError { KtxError(.nothingToChange) }

    /// A remote's name that is not a plain word.
    public static func badRemoteName(_ name: String) -> KtxError { KtxError(.badRemoteName(name)) }

    /// A remote of that name exists already.
    public static func remoteExists(_ name: String) -> KtxError { KtxError(.remoteExists(name)) }

    /// No remote of that name, with the names there are.
    public static func unknownRemote(_ name: String, known: [String]) -> KtxError { KtxError(.unknownRemote(name, known: known)) }

    /// No remote to sync with.
    public static func noRemote() -> KtxError { KtxError(.noRemote) }

    /// More than one remote and none named: the command needs one.
    public static func ambiguousRemote(_ names: [String]) -> KtxError { KtxError(.ambiguousRemote(names)) }

    /// A hub that cannot be read (a folder missing, a share gone), with why.
    public static func hubUnreadable(_ location: String, reason: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.hubUnreadable(location: location, reason: reason), underlying: underlying)
    }

    /// A folder that is not a hub (no `ktx-hub.json`): a USB stick not inserted, a typo.
    public static func notAHub(_ location: String) -> KtxError { KtxError(.notAHub(location: location)) }

    /// A folder hub that is not there: a USB stick not inserted, a share not mounted, a typo.
    public static func hubMissing(_ location: String) -> KtxError { KtxError(.hubMissing(location: location)) }

    /// A governed hub folder whose county key is not the one this replica pinned.
    public static func hubKeyChanged(_ location: String, pinned: String, found: String?) -> KtxError {
        KtxError(.hubKeyChanged(location: location, pinned: pinned, found: found))
    }

    /// A governed hub folder whose roster is missing, damaged, or not signed by its county.
    public static func badRoster(_ location: String, _ detail: String) -> KtxError { KtxError(.badRoster(location: location, detail)) }

    /// A county command run on a replica that does not govern the folder.
    public static func notTheCounty(_ location: String, governor: String) -> KtxError {
        KtxError(.notTheCounty(location: location, governor: governor))
    }

    /// A remote location ktx cannot use: a URL of another scheme, a Windows share path.
    public static func badRemoteLocation(_ location: String) -> KtxError { KtxError(.badRemoteLocation(location)) }

    /// Not a port number from 1 to 65535.
    public static func badPort(_ text: String) -> KtxError { KtxError(.badPort(text)) }

    /// The hub cannot listen there: the port is in use, or not this process's to take.
    public static func portInUse(host: String, port: Int, inUse: Bool) -> KtxError {
        KtxError(.portInUse(host: host, port: port, inUse: inUse))
    }

    /// Not an address the hub can listen on.
    public static func badHost(_ host: String) -> KtxError { KtxError(.badHost(host)) }

    /// A total that would overflow: the change is refused.
    public static func overflow() -> KtxError { KtxError(.overflow) }

    /// This PC's database is a copy of another's: the hub holds other operations under its seqs.
    public static func copiedReplica(_ replica: String, file: String) -> KtxError {
        KtxError(.copiedReplica(replica: replica, file: file))
    }

    /// A local change every receiver would refuse by the acceptance rule: nothing written.
    public static func refusedLocally(_ reason: RefusalReason) -> KtxError { KtxError(.refusedLocally(reason)) }

    /// A local change outside this replica's rights: every receiver would refuse it.
    ///
    /// - Parameters:
    ///   - reason: why every receiver would refuse it.
    ///   - township: this replica's township.
    ///   - roleKnown: whether the replica knows its role (one made before ktx kept
    ///     it learns it at its first sync with a county token, or from the county's roster).
    public static func outsideRights(_ reason: RefusalReason, township: String, roleKnown: Bool) -> KtxError {
        reason == .countyOnly
            ? KtxError(.outsideRights(reason, township: township, roleKnown: roleKnown))
            : refusedLocally(reason)
    }

    /// A sync with a token of another role than this replica's.
    public static func wrongToken(mine: Roster.Role, township: String, tokenRole: String) -> KtxError {
        KtxError(.wrongToken(mine: mine, township: township, tokenRole: tokenRole))
    }

    /// The disk is full: nothing was written.
    public static func diskFull(_ path: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.diskFull(path: path), underlying: underlying)
    }

    /// The database or its folder is read-only (a write-protected USB stick, a CD).
    public static func readOnly(_ path: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.readOnly(path: path), underlying: underlying)
    }

    /// The file is empty: not a replica (a copy cut short?).
    public static func emptyDatabase(_ path: String) -> KtxError { KtxError(.emptyDatabase(path: path)) }

    /// The operation log is damaged; `detail` says where.
    public static func damagedLog(_ detail: String) -> KtxError { KtxError(.damagedLog(detail)) }

    /// A chunk of the log whose bytes changed after they were written.
    public static func damagedChunk(replica: String, from: Int64, to: Int64) -> KtxError {
        KtxError(.damagedChunk(replica: replica, from: from, to: to))
    }

    /// A replica's log misses operations: nothing built from it would count them.
    public static func logGap(replica: String, from: Int64, to: Int64) -> KtxError {
        KtxError(.logGap(replica: replica, from: from, to: to))
    }

    /// The database cannot be used for `what`, with SQLite's reason.
    public static func storage(_ what: String, underlying: (any Error & Sendable)? = nil) -> KtxError {
        KtxError(.storage(what: what), underlying: underlying)
    }
}
