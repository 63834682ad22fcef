import Foundation
import SyncCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tokens of HTTP remotes, in a JSON file beside the database that only its owner can
/// read or write (mode 0600). The database itself never holds a secret.
struct CredentialFile {
    let path: String

    func get(_ remote: String) throws -> String? {
        try load()[remote]
    }

    /// Sets or (with nil) removes a remote's token, rewriting the file atomically.
    func set(_ remote: String, _ token: String?) throws {
        var all = try load()
        all[remote] = token
        if all.isEmpty && token == nil && !FileManager.default.fileExists(atPath: path) { return }
        let data = try JSONEncoder().encode(all)
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { throw failure() }
        fchmod(fd, 0o600)
        let ok = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) == $0.count }
        fsync(fd)
        close(fd)
        guard ok, rename(temp, path) == 0 else { throw failure() }
    }

    private func load() throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
    }

    private func failure() -> KtxError {
        KtxError.storage("credentials file \(path): \(String(cString: strerror(errno)))")
    }
}
