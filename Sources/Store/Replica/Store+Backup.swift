import Foundation
import GRDB
import SyncCore

/// What a backup holds, read back from the file once it is written.
public struct BackupSummary: Sendable {
    /// The backup file, absolute.
    public var path: String
    /// Its size in bytes.
    public var bytes: Int64
    /// Live activities (a replica), or 0 (a hub database).
    public var activities: Int
    /// Stored operation chunks and hub tokens (a hub database).
    public var tokens: Int
}

extension Store {
    /// Writes a consistent copy of this database to `destination` while it may be in use
    /// (SQLite's online backup: the WAL's committed pages too), as one self-contained file,
    /// then checks the copy. A file already there is never overwritten.
    public func backup(to destination: String) throws -> BackupSummary {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: destination).standardizedFileURL
        let folder = target.deletingLastPathComponent().path
        guard !fm.fileExists(atPath: target.path) else {
            throw KtxError(.backupExists(path: target.path))
        }
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw KtxError.cannotCreate(target.path, underlying: nil)
        }
        // Written beside the destination under a temporary name, then linked into place (link
        // fails rather than replace a file that appeared meanwhile).
        let temporary = folder + "/.ktx-backup-\(UUID().uuidString)"
        defer { for suffix in ["", "-wal", "-shm", "-journal"] { try? fm.removeItem(atPath: temporary + suffix) } }
        do {
            // It holds the signing key: readable by its owner only, as the replica is.
            PrivateFiles.precreate(temporary)
            let copy = try DatabaseQueue(path: temporary)
            try pool.backup(to: copy)
            try copy.writeWithoutTransaction { db in
                // One file, not a WAL pair: a copy that travels on a USB stick stays whole.
                try db.execute(sql: "PRAGMA journal_mode = DELETE")
                guard try String.fetchOne(db, sql: "PRAGMA quick_check") == "ok" else {
                    throw KtxError(.backupFailedCheck)
                }
            }
            try copy.close()
        } catch let error as DatabaseError {
            throw Self.describe(error, path: target.path, what: "backup")
        }
        guard link(temporary, target.path) == 0 else {
            if errno == EEXIST {
                throw KtxError(.backupExists(path: target.path))
            }
            throw KtxError.cannotCreate(target.path, underlying: nil)
        }
        let reader = try DatabaseQueue(path: target.path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        defer { try? reader.close() }
        return try reader.read { db in
            // "Checked" means the log too: every chunk read, no seq missing. A damaged log
            // is copied as it is (the copy is still worth keeping) and said so.
            do {
                try Self.requireContiguousLog(db)
                try Self.forEachChunk(db) { _ in }
            } catch let error as KtxError {
                throw KtxError(.backupUnchecked(path: target.path, cause: error.detail))
            }
            let activities = try db.tableExists("activity") ? Int.fetchOne(db, sql: "SELECT count(*) FROM activity WHERE deleted = 0") ?? 0 : 0
            let tokens = try db.tableExists("hub_token") ? Int.fetchOne(db, sql: "SELECT count(*) FROM hub_token") ?? 0 : 0
            let bytes = (try? fm.attributesOfItem(atPath: target.path)[.size] as? Int64) ?? 0
            return BackupSummary(path: target.path, bytes: bytes, activities: activities, tokens: tokens)
        }
    }
}
