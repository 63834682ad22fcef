import Foundation
import GRDB
import SyncCore

/// A hub this replica syncs with.
public struct Remote: Hashable, Sendable {
    public enum Kind: String, Sendable { case folder }
    public var name: String
    /// A folder path (absolute).
    public var location: String
    public var kind: Kind
    /// When the last successful sync ended, unix milliseconds.
    public var lastSyncMillis: Int64?
    public var lastPushed: Int64?
    public var lastPulled: Int64?
    /// Operations this replica holds that the remote did not hold at the end of the last sync.
    public var unsynced: Int64
}

extension Store {
    /// Adds a remote.
    ///
    /// - Parameters:
    ///   - name: letters, digits, CJK, `-` or `_`.
    ///   - location: a folder path (made absolute against the current directory).
    public func addRemote(name: String, location: String) throws {
        try Self.validateRemoteName(name)
        let trimmed = location.trimmingSpaces()
        guard !trimmed.isEmpty else { throw KtxError.missingField("LOCATION") }
        let lower = trimmed.lowercased()
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") { throw KtxError.unsupportedRemote(trimmed) }
        let absolute = URL(fileURLWithPath: trimmed).standardizedFileURL.path
        try write("remote add") { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM remote WHERE name = ?", arguments: [name]) == true {
                throw KtxError.remoteExists(name)
            }
            try db.execute(sql: "INSERT INTO remote (name, location, kind, added_at) VALUES (?, ?, 'folder', ?)",
                           arguments: [name, absolute, wallClock.nowMillis()])
        }
    }

    /// Removes a remote (nothing in the hub is touched).
    public func removeRemote(name: String) throws {
        try write("remote remove") { db in
            try db.execute(sql: "DELETE FROM remote WHERE name = ?", arguments: [name])
            if db.changesCount == 0 {
                let known = try String.fetchAll(db, sql: "SELECT name FROM remote ORDER BY name")
                throw KtxError.unknownRemote(name, known: known)
            }
        }
    }

    /// Every remote, by name, with what it lacked at the end of the last sync.
    public func remotes() throws -> [Remote] {
        let local = try versionVector()
        return try read("remote list") { db in
            let ids = try Self.replicaIDs(db)
            return try Row.fetchAll(db, sql: """
                SELECT name, location, kind, last_sync_at, last_pushed, last_pulled FROM remote ORDER BY name
                """).map { row in
                let name: String = row[0]
                var known = VersionVector()
                for r in try Row.fetchAll(db, sql: "SELECT replica, seq FROM remote_vv WHERE remote = ?", arguments: [name]) {
                    if let id = ids[r[0]] { known[id] = r[1] }
                }
                return Remote(name: name, location: row[1], kind: Remote.Kind(rawValue: row[2]) ?? .folder,
                              lastSyncMillis: row[3], lastPushed: row[4], lastPulled: row[5],
                              unsynced: local.missing(from: known))
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
