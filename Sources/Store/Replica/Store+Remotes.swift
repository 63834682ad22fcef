import Foundation
import GRDB
import SyncCore

/// A hub this replica syncs with.
public struct Remote: Hashable, Sendable {
    /// A folder hub, or an HTTP hub.
    public enum Kind: String, Sendable { case folder, http }
    /// The name `ktx sync NAME` takes.
    public var name: String
    /// A folder path (absolute), or an `http(s)://host:port` address.
    public var location: String
    /// Whether it is a folder or an HTTP hub.
    public var kind: Kind
    /// For an HTTP remote: the environment variable holding its token, if it is not stored.
    public var tokenEnv: String?
    /// When the last successful sync ended, unix milliseconds.
    public var lastSyncMillis: Int64?
    /// Operations the last successful sync pushed.
    public var lastPushed: Int64?
    /// Operations the last successful sync pulled.
    public var lastPulled: Int64?
    /// Operations this replica holds that the remote did not hold at the end of the last sync.
    public var unsynced: Int64
    /// This PC's own operations among them.
    public var unsyncedOwn: Int64 = 0
    /// What a sync pulls: everything (nil), or only this township's and the county's replicas.
    public var scope: PullScope?
}

/// What a replica pulls from a hub.
public enum PullScope: String, Sendable, CaseIterable {
    /// Only its own township's replicas and the county's (indicator values, the county's own
    /// activities): a township office on a province-sized hub.
    case township
}

extension Store {
    /// Adds a remote.
    ///
    /// - Parameters:
    ///   - name: letters, digits, CJK, `-` or `_`.
    ///   - location: a folder path (made absolute against the current directory), or an
    ///     `http(s)://host:port` address of a `ktx hub serve`.
    ///   - token: for an HTTP remote, its token, stored in a file only the owner can read.
    ///   - tokenEnv: for an HTTP remote, instead of `token`: the environment variable
    ///     that will hold the token when syncing.
    ///   - scope: what the remote pulls: everything (nil, the default) or this township's and the county's.
    ///   - checkFolder: for a folder remote, called with its absolute path before anything is
    ///     stored; throws if the folder is not a hub (a missing USB stick, a typo).
    public func addRemote(name: String, location: String, token: String? = nil, tokenEnv: String? = nil, scope: PullScope? = nil,
                          checkFolder: (String) throws -> Void = { _ in }) throws {
        try Self.validateRemoteName(name)
        let trimmed = location.trimmingSpaces()
        guard !trimmed.isEmpty else { throw KtxError.missingField("LOCATION") }
        let lower = trimmed.lowercased()
        let kind: Remote.Kind
        let stored: String
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            guard let url = URL(string: trimmed), url.host != nil, url.path.isEmpty || url.path == "/", url.query == nil else {
                throw KtxError(.badRemoteURL(trimmed))
            }
            guard (token?.isEmpty == false) != (tokenEnv?.isEmpty == false) else {
                throw KtxError(.httpRemoteNeedsToken)
            }
            kind = .http
            stored = trimmed.hasSuffix("/") ? String(trimmed.dropLast()) : trimmed
        } else {
            // Only a folder path or http(s) is a remote: `ftp://…`, `smb://…`, `file://…` and a
            // Windows share (`\\服务器\共享`) would otherwise become a new local folder.
            if trimmed.hasPrefix("\\\\") || trimmed.range(of: "^[A-Za-z][A-Za-z0-9+.-]*://", options: .regularExpression) != nil
                || (trimmed.hasPrefix("//") && !FileManager.default.fileExists(atPath: trimmed)) {
                throw KtxError.badRemoteLocation(trimmed)
            }
            guard token == nil && tokenEnv == nil else {
                throw KtxError(.tokenForFolder)
            }
            kind = .folder
            stored = URL(fileURLWithPath: trimmed).standardizedFileURL.path
        }
        try write("remote add") { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM remote WHERE name = ?", arguments: [name]) == true {
                throw KtxError.remoteExists(name)
            }
            if kind == .folder { try checkFolder(stored) }
            try db.execute(sql: "INSERT INTO remote (name, location, kind, added_at, token_env, scope) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [name, stored, kind.rawValue, wallClock.nowMillis(), tokenEnv, scope?.rawValue])
            if let token, !token.isEmpty { try credentials.set(name, token) }
        }
    }

    /// The token to send to an HTTP remote.
    public func token(for remote: Remote) throws -> String {
        if let variable = remote.tokenEnv {
            guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
                throw KtxError(.tokenVariableUnset(remote: remote.name, variable: variable))
            }
            return value
        }
        guard let token = try credentials.get(remote.name) else {
            throw KtxError(.noStoredToken(remote: remote.name, file: credentials.path))
        }
        return token
    }

    var credentials: CredentialFile { CredentialFile(path: path + ".credentials") }

    /// Removes a remote (nothing in the hub is touched).
    public func removeRemote(name: String) throws {
        try write("remote remove") { db in
            try db.execute(sql: "DELETE FROM remote WHERE name = ?", arguments: [name])
            if db.changesCount == 0 {
                let known = try String.fetchAll(db, sql: "SELECT name FROM remote ORDER BY name")
                throw KtxError.unknownRemote(name, known: known)
            }
            try credentials.set(name, nil)
        }
    }

    /// Every remote, by name, with what it lacked at the end of the last sync. For an HTTP
    /// remote only operations of this township's replicas count: the hub takes no others
    /// from this replica.
    public func remotes() throws -> [Remote] {
        let local = try versionVector()
        let townships = try replicaTownships()
        let me = try identity()
        let mine = me.township
        var ownTownship = VersionVector()
        for (replica, seq) in local where townships[replica] == mine { ownTownship[replica] = seq }
        return try read("remote list") { db in
            let ids = try Self.replicaIDs(db)
            return try Row.fetchAll(db, sql: """
                SELECT name, location, kind, last_sync_at, last_pushed, last_pulled, token_env, scope FROM remote ORDER BY name
                """).map { row in
                let name: String = row[0]
                var known = VersionVector()
                for r in try Row.fetchAll(db, sql: "SELECT replica, seq FROM remote_vv WHERE remote = ?", arguments: [name]) {
                    if let id = ids[r[0]] { known[id] = r[1] }
                }
                let kind = Remote.Kind(rawValue: row[2]) ?? .folder
                return Remote(name: name, location: row[1], kind: kind, tokenEnv: row[6],
                              lastSyncMillis: row[3], lastPushed: row[4], lastPulled: row[5],
                              unsynced: (kind == .http ? ownTownship : local).missing(from: known),
                              unsyncedOwn: max(0, local[me.replica] - known[me.replica]),
                              scope: (row[7] as String?).flatMap(PullScope.init(rawValue:)))
            }
        }
    }

    /// The remote to sync with: the named one, else the only one.
    public func resolveRemote(_ name: String?) throws -> Remote {
        let all = try remotes()
        if let name {
            guard let remote = all.first(where: { $0.name == name }) else {
                throw KtxError.unknownRemote(name, known: all.map(\.name))
            }
            return remote
        }
        guard let only = all.first else { throw KtxError.noRemote() }
        guard all.count == 1 else { throw KtxError.ambiguousRemote(all.map(\.name)) }
        return only
    }

    /// Records the end of a successful sync: what the remote now holds, and the counts.
    func recordSync(remote: String, hubHolds: VersionVector, pushed: Int, pulled: Int) throws {
        try write("record sync") { db in
            try db.execute(sql: "DELETE FROM remote_vv WHERE remote = ?", arguments: [remote])
            for (replica, seq) in hubHolds {
                let (num, _) = try Self.replicaRow(db, replica, township: nil)
                try db.execute(sql: "INSERT INTO remote_vv (remote, replica, seq) VALUES (?, ?, ?)",
                               arguments: [remote, num, seq])
            }
            try db.execute(sql: "UPDATE remote SET last_sync_at = ?, last_pushed = ?, last_pulled = ? WHERE name = ?",
                           arguments: [wallClock.nowMillis(), pushed, pulled, remote])
        }
    }

    static func validateRemoteName(_ name: String) throws {
        guard !name.isEmpty, name.count <= 40,
              name.unicodeScalars.allSatisfy({ $0 == "-" || $0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0) })
        else { throw KtxError.badRemoteName(name) }
    }
}
