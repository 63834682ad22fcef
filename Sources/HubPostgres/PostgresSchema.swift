import Foundation
import HubStorage
import Logging
import PostgresNIO
import SyncCore

/// The hub's tables in PostgreSQL and their append-only migrations: each runs once, in
/// order, in one transaction, under a lock, so nodes starting together migrate once.
/// Shipped migrations are never edited; add one at the end.
enum PostgresSchema {
    static let migrations: [String] = [
        // 1: the shared hub.
        """
        CREATE TABLE hub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO hub_meta (key, value) VALUES ('hub_id', gen_random_uuid()::text);
        -- A replica belongs for good to the township (or the county) of the token that first pushed it.
        CREATE TABLE hub_replica (
            num           BIGSERIAL PRIMARY KEY,
            id            BYTEA NOT NULL UNIQUE CHECK (length(id) = 16),
            township      TEXT NOT NULL,
            role          TEXT NOT NULL CHECK (role IN ('township', 'county')),
            announced     TEXT,
            max_seq       BIGINT NOT NULL DEFAULT 0 CHECK (max_seq >= 0),
            registered_at BIGINT NOT NULL,
            last_push_at  BIGINT,
            last_seen_at  BIGINT
        );
        -- Each replica's operations, contiguous from seq 1 (the push lock keeps them so).
        CREATE TABLE hub_op (
            replica  BIGINT NOT NULL REFERENCES hub_replica (num),
            seq      BIGINT NOT NULL CHECK (seq > 0),
            hlc      BIGINT NOT NULL,
            activity TEXT NOT NULL,
            kind     SMALLINT NOT NULL,
            field    TEXT NOT NULL,
            text     TEXT NOT NULL,
            number   BIGINT NOT NULL,
            PRIMARY KEY (replica, seq)
        );
        CREATE TABLE hub_seal (
            replica   BIGINT NOT NULL REFERENCES hub_replica (num),
            first_seq BIGINT NOT NULL,
            last_seq  BIGINT NOT NULL,
            prev      BYTEA NOT NULL,
            digest    BYTEA NOT NULL,
            key       BYTEA NOT NULL,
            signature BYTEA NOT NULL,
            PRIMARY KEY (replica, first_seq)
        );
        -- Which township an activity belongs to: whoever's push wrote it first, on any node.
        CREATE TABLE hub_activity (id TEXT PRIMARY KEY, township TEXT NOT NULL);
        CREATE TABLE hub_token (
            id         BIGSERIAL PRIMARY KEY,
            role       TEXT NOT NULL CHECK (role IN ('township', 'county', 'admin')),
            township   TEXT,
            hash       BYTEA NOT NULL UNIQUE,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT
        );
        CREATE TABLE hub_refusal (
            replica    BYTEA NOT NULL,
            code       TEXT NOT NULL,
            township   TEXT,
            pushes     BIGINT NOT NULL,
            operations BIGINT NOT NULL,
            last_at    BIGINT NOT NULL,
            message    TEXT NOT NULL,
            PRIMARY KEY (replica, code)
        );
        """,
    ]

    /// A constant key for the migration lock.
    static let lockKey: Int64 = 0x6B74_7868_7562_0001

    /// Applies the migrations this database lacks and returns the hub's id.
    ///
    /// - Throws: ``HubUnavailable``-worthy `PSQLError`s; a database newer than this ktx is
    ///   refused with a ``KtxError``.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws -> String {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
            do {
                try await connection.query("CREATE TABLE IF NOT EXISTS ktx_migration (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", logger: logger)
                var applied = 0
                for try await version in try await connection.query("SELECT COALESCE(MAX(version), 0) FROM ktx_migration",
                                                                    logger: logger).decode(Int32.self) {
                    applied = Int(version)
                }
                if applied > migrations.count {
                    throw KtxError(.newerHubDatabase(applied: applied, known: migrations.count))
                }
                for (index, sql) in migrations.enumerated() where index + 1 > applied {
                    logger.notice("upgrading the hub's PostgreSQL database", metadata: ["migration": "\(index + 1)"])
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        for statement in statements(sql) {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await connection.query("INSERT INTO ktx_migration (version) VALUES (\(Int32(index + 1)))", logger: logger)
                        try await connection.query("COMMIT", logger: logger)
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                }
                var id = ""
                for try await value in try await connection.query("SELECT value FROM hub_meta WHERE key = 'hub_id'",
                                                                  logger: logger).decode(String.self) {
                    id = value
                }
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                return id
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// A migration's statements, split at `;` line ends (no `;` inside the statements here).
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") { continue }
            current += line + "\n"
            if trimmed.hasSuffix(";") {
                statements.append(current)
                current = ""
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { statements.append(current) }
        return statements
    }
}
