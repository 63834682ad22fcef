import Foundation
import HubStorage
import Hummingbird
import NIOCore
import SyncCore

#if canImport(Glibc)
import Glibc
import KtxWords
#endif

/// Runs the hub on the backend the caller opened (the SQLite hub, or a node of a shared
/// database) until SIGINT or SIGTERM, then closes the backend: what `ktx hub serve` calls.
///
/// - Throws: ``KtxError`` `bad-port` for a port outside 1…65535, `port-in-use` when another
///   program listens there (or the port needs privileges); never a network library's own wording.
public func serveHub(_ configuration: HubConfiguration, hub: any HubBackend,
                     wallClock: any WallClock = SystemWallClock()) async throws {
    guard (1...65_535).contains(configuration.port) else {
        await hub.close()
        throw KtxError.badPort(String(configuration.port))
    }
    let app = buildApplication(configuration, hub: hub, wallClock: wallClock)
    do {
        try await runApplication(app, configuration)
    } catch {
        await hub.close()
        throw error
    }
    await hub.close()
}

private func runApplication(_ app: some ApplicationProtocol, _ configuration: HubConfiguration) async throws {
    do {
        try await app.runService()
    } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EACCES {
        throw KtxError.portInUse(host: configuration.host, port: configuration.port, inUse: error.errnoCode == EADDRINUSE)
    } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
        throw KtxError.badHost(configuration.host)
    } catch let error as SocketAddressError {
        _ = error
        throw KtxError.badHost(configuration.host)
    }
}
