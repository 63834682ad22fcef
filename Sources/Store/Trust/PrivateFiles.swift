import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A replica's database holds its signing key (and a hub's, its tokens' hashes; a remote's
/// token): it is created readable by its owner only, in folders made for its owner only, and
/// an existing one that others may read is tightened when opened.
enum PrivateFiles {
    /// The mode of a database, its `-wal` and `-shm` files and a backup: owner read/write.
    static let fileMode: mode_t = 0o600
    /// The mode of a folder ktx makes for them: owner only.
    static let folderMode: mode_t = 0o700

    /// Makes `folder` and any missing parents, each new one owner-only; existing ones are
    /// left as they are (a folder the user chose is theirs).
    static func makeFolder(_ folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: NSNumber(value: folderMode)])
    }

    /// Creates `path` empty and owner-only if it does not exist, so SQLite, which gives a
    /// database's `-wal` and `-shm` files the database's own mode, makes them private too.
    static func precreate(_ path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, fileMode)
        if fd >= 0 { close(fd) }
    }

    /// Tightens `path` (and its `-wal` and `-shm` files) to owner-only when others may read
    /// or write it.
    ///
    /// - Returns: the mode it had, when it was tightened; nil when it was private already,
    ///   is missing, or cannot be changed (not ours: then its owner must).
    static func tighten(_ path: String) -> mode_t? {
        var before: mode_t?
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard lstat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { continue }
            let mode = info.st_mode & 0o777
            guard mode & 0o077 != 0, chmod(file, fileMode) == 0 else { continue }
            if file == path { before = mode }
        }
        return before
    }

    /// The permission bits of `path`, nil if it cannot be read.
    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }
}
