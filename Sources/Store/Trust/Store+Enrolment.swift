import Crypto
import Foundation
import GRDB
import SyncCore

extension Store {
    /// Signs a document with this replica's key (an enrolment request; for the county's
    /// replica, its hub folder's roster).
    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        let raw = try read("key") { db in try Data.fetchOne(db, sql: "SELECT signing_key FROM replica_self WHERE id = 1") }
        guard let raw else { throw KtxError(.noSigningKey) }
        return Array(try Curve25519.Signing.PrivateKey(rawRepresentation: raw).signature(for: message))
    }

    /// This replica's request to be enrolled on a governed hub, signed with its key.
    public func enrolmentRequest(host: String) throws -> (EnrolmentRequest, SignedDocument) {
        let me = try identity()
        let request = EnrolmentRequest(replica: me.replica, township: me.township, key: try publicKey().key,
                                       host: host, requestedAt: wallClock.nowMillis())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = String(decoding: try encoder.encode(request), as: UTF8.self)
        var document = SignedDocument(purpose: "enrol", body: body, signature: [])
        document.signature = try sign(document.message)
        return (request, document)
    }

    /// The county key a remote was added with (pinned), if its folder is governed.
    public func hubKey(remote: String) throws -> [UInt8]? {
        try read("remote") { db in
            try Data.fetchOne(db, sql: "SELECT hub_key FROM remote WHERE name = ?", arguments: [remote]).map { [UInt8]($0) }
        }
    }

    /// Pins the county key of a remote (at `remote add`, or at the first sync with a folder
    /// governed since).
    public func pinHubKey(remote: String, key: [UInt8]) throws {
        try write("remote") { db in
            try db.execute(sql: "UPDATE remote SET hub_key = ? WHERE name = ?", arguments: [Data(key), remote])
        }
    }

    /// The newest roster this replica has verified for a county key.
    public func keptRoster(countyKey: [UInt8]) throws -> SignedDocument? {
        try read("roster") { db in
            try Row.fetchOne(db, sql: "SELECT body, signature FROM hub_roster WHERE county_key = ?", arguments: [Data(countyKey)]).map {
                SignedDocument(purpose: "roster", body: $0[0], signature: [UInt8]($0[1] as Data))
            }
        }
    }

    /// Keeps a verified roster, unless a newer one is kept already.
    public func keepRoster(countyKey: [UInt8], serial: Int64, _ document: SignedDocument) throws {
        try write("roster") { db in
            try db.execute(sql: """
                INSERT INTO hub_roster (county_key, serial, body, signature) VALUES (?, ?, ?, ?)
                ON CONFLICT (county_key) DO UPDATE SET serial = excluded.serial, body = excluded.body, signature = excluded.signature
                WHERE excluded.serial > hub_roster.serial
                """, arguments: [Data(countyKey), serial, document.body, Data(document.signature)])
        }
        try learnRole(fromRoster: document.body, countyKey: countyKey)
    }
}
