import Foundation
import GRDB
import SyncCore

/// What this replica may do (county or township), known before anything is written, so a
/// local command never writes an operation every receiver would refuse.
extension Store {
    /// Records the role an authority gave this replica: the county's roster naming it, the
    /// folder it governs (its key is the county's), the token an HTTP hub answered its sync
    /// with. A replica made before ktx kept its role takes the first one it meets.
    ///
    /// - Returns: the role before, if it changed.
    @discardableResult
    public func learnRole(_ role: Roster.Role) throws -> Roster.Role?? {
        // Every sync with a governed folder says the role again: no write when it is known.
        if try read("role", { try SelfRow.fetch($0)?.role }) == role { return nil }
        return try write("role") { db in
            let before = try SelfRow.fetch(db)?.role
            guard before != role else { return nil }
            // What was checked with another role is checked again.
            try db.execute(sql: "UPDATE replica_self SET role = ?, vetted = 0 WHERE id = 1", arguments: [role.rawValue])
            return .some(before)
        }
    }

    /// Checks the role of the token a hub answered this replica's sync with against the
    /// replica's own, before anything is pushed: a township's replica pushed with a county
    /// token would be registered as the county's for good. A replica that does not know its
    /// role yet takes the token's.
    ///
    /// - Throws: `KtxError` `wrong-token`, saying which token the replica needs.
    public func checkTokenRole(_ granted: Roster.Role) throws {
        let me = try read("role") { db in try SelfRow.fetch(db) }
        guard let me else { throw KtxError.notInitialized(path) }
        guard let mine = me.role else {
            try learnRole(granted)
            return
        }
        if mine != granted {
            throw KtxError.wrongToken(mine: mine, township: me.township ?? "", tokenRole: granted.rawValue)
        }
    }

    /// Learns this replica's role from a roster the county signed with `countyKey`: the
    /// county's own replica governs it; a member takes the role the county enrolled it with.
    func learnRole(fromRoster body: String, countyKey: [UInt8]) throws {
        let me = try identity()
        if try publicKey().key == countyKey {
            try learnRole(.county)
            return
        }
        guard let roster = try? JSONDecoder().decode(Roster.self, from: Data(body.utf8)),
              let member = roster.member(me.replica) else { return }
        try learnRole(member.role)
    }
}
