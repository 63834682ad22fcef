import Foundation
import HubStorage
import Logging
import PostgresNIO
import SyncCore

/// Server-level chores: the tests make a database per hub with it.
public enum PostgresAdmin {
    /// Creates an empty database `name` (lower-case letters, digits and `_`) on the server of
    /// `location`, connecting to `location`'s database to do it.
    public static func createDatabase(_ name: String, on location: PostgresLocation) async throws {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
            throw KtxError(.badDatabaseName(name))
        }
        try await execute("CREATE DATABASE \(name)", on: location)
    }
}

extension PostgresAdmin {
    /// Runs one statement on `location`'s database (the tests take a database down and up).
    public static func execute(_ sql: String, on location: PostgresLocation) async throws {
        var logger = Logger(label: "ktx.postgres")
        logger.logLevel = .error
        let client = PostgresClient(configuration: location.configuration, backgroundLogger: logger)
        let runner = Task { await client.run() }
        defer { runner.cancel() }
        do {
            try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        } catch let error as PSQLError {
            throw PostgresHub.describe(error, location)
        }
    }
}
