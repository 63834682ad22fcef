import Foundation
import HubStorage
import Store
import Synchronization

/// The dashboard's sessions, kept in the hub process's memory: a restart logs everyone out,
/// and a session id is worth nothing to another node or after it expires.
public final class Sessions: Sendable {
    /// A signed-in dashboard session.
    public struct Session: Sendable {
        /// The role of the token it was started with.
        public var role: HubRole
        /// The token the session was started with (to end the session when it is revoked).
        public var tokenID: Int64
        /// The secret every form of this session carries (a second guard beside SameSite).
        public var formToken: String
        /// When it ends.
        public var expires: Date
    }

    /// How long a session lasts from login.
    public let lifetime: TimeInterval
    private let sessions = Mutex<[String: Session]>([:])
    private let now: @Sendable () -> Date

    /// - Parameter now: the wall clock (tests turn it forward).
    public init(lifetime: TimeInterval, now: @escaping @Sendable () -> Date = { Date() }) {
        self.lifetime = lifetime
        self.now = now
    }

    /// Starts a session; returns its id (the cookie's value).
    func start(role: HubRole, tokenID: Int64) -> (id: String, session: Session) {
        let id = Web.secret()
        let session = Session(role: role, tokenID: tokenID, formToken: Web.secret(), expires: now().addingTimeInterval(lifetime))
        sessions.withLock { all in
            let now = self.now()
            all = all.filter { $0.value.expires > now }
            all[id] = session
        }
        return (id, session)
    }

    /// The live session of this id, if any.
    func find(_ id: String?) -> Session? {
        guard let id, id.utf8.count == 64 else { return nil }
        return sessions.withLock { all in
            guard let session = all[id] else { return nil }
            guard session.expires > now() else {
                all[id] = nil
                return nil
            }
            return session
        }
    }

    func end(_ id: String?) {
        guard let id else { return }
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// Ends every session started with a token (it was revoked).
    func end(tokenID: Int64) {
        sessions.withLock { all in all = all.filter { $0.value.tokenID != tokenID } }
    }

    /// The cookie that carries a session: not readable by scripts, never sent by another
    /// site's page, gone when the session ends.
    func cookie(_ id: String, secure: Bool) -> String {
        "ktx_session=\(id); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(Int(lifetime))" + (secure ? "; Secure" : "")
    }

    static let clearedCookie = "ktx_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
}
