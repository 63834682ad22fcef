import Foundation
import HubStorage
import PostgresNIO
import SyncCore

/// Where a hub's PostgreSQL database is: `postgres://USER@HOST:PORT/DB[?sslmode=disable|prefer|require]`.
///
/// The password never comes from the address (it would be in the process list and the
/// shell's history): it comes from `PGPASSWORD` or a file (`--password-file`).
public struct PostgresLocation: Sendable, Hashable {
    /// Whether the connection uses TLS: never, when the server offers it, or always.
    public enum TLSMode: String, Sendable { case disable, prefer, require }

    /// The database server's host.
    public var host: String
    /// Its port.
    public var port: Int
    /// The user ktx connects as.
    public var user: String
    /// The database's name.
    public var database: String
    /// Whether the connection uses TLS.
    public var tls: TLSMode
    var password: String?

    /// Reads an address; `password` is the secret from `PGPASSWORD` or a file, if any.
    public init(url: String, password: String?) throws {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql" else {
            throw Self.bad(url, .form)
        }
        guard parts.password == nil else {
            throw KtxError(.passwordInURL)
        }
        guard let host = parts.host, !host.isEmpty else {
            throw Self.bad(url, .noHost)
        }
        guard let user = parts.user, !user.isEmpty else {
            throw Self.bad(url, .noUser)
        }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw Self.bad(url, .noDatabase)
        }
        var tls = TLSMode.prefer
        for item in parts.queryItems ?? [] {
            guard item.name == "sslmode", let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw Self.bad(url, .parameter)
            }
            tls = mode
        }
        self.host = host
        self.port = parts.port ?? 5432
        self.user = user
        self.database = database
        self.tls = tls
        self.password = password
    }

    /// The same server with another database (the tests make one per hub).
    public func with(database: String) -> PostgresLocation {
        var copy = self
        copy.database = database
        return copy
    }

    /// The address as logs and messages show it: never the password.
    public var display: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// The pool's configuration (TLS as `sslmode` says, 5-second connect timeout, up to 40 connections).
    public var configuration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = switch self.tls {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password,
                                                         database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 40
        return configuration
    }

    /// The same, for one connection outside the pool.
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS = switch self.tls {
        case .disable: .disable
        case .prefer: .prefer(try .init(configuration: .makeClientConfiguration()))
        case .require: .require(try .init(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password,
                                                             database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    /// Reads a password file: its first line, without the line end.
    public static func password(fromFile path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw KtxError(.passwordFileUnreadable(path))
        }
        return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
            .trimmingCharacters(in: CharacterSet(charactersIn: "\r"))
    }

    private static func bad(_ url: String, _ problem: DatabaseURLProblem) -> KtxError {
        // The address is shown only up to its user part: it may carry a password by mistake.
        let parts = url.split(separator: "@")
        let shown = parts.count > 1 ? "…@" + (parts.last ?? "") : url
        return KtxError(.badDatabaseURL(shown: shown, problem))
    }
}
