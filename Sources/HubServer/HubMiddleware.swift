import Foundation
import HubStorage
import Hummingbird
import Logging
import Store
import SyncCore

/// Authenticates `/v1` requests by bearer token and logs one line per request: method,
/// path, status, duration, and the token's role and township (never the token).
struct HubMiddleware: RouterMiddleware {
    typealias Context = HubRequestContext
    let hub: any HubBackend
    let logger: Logger
    let metrics: HubMetrics

    /// The methods each path of the API takes (nil for a path the hub does not serve, which
    /// is a 404): any other method is a 405, as HTTP says, not a 404.
    static func methods(of path: String) -> [HTTPRequest.Method]? {
        HubRoute(path: path)?.methods.map { HTTPRequest.Method($0) }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var context = context
        var status: HTTPResponse.Status = .internalServerError
        defer {
            let elapsed = ContinuousClock.now - start
            let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            var who = "-"
            if let caller = context.caller { who = caller.role.rawValue + (caller.township.map { " " + $0 } ?? "") }
            logger.info("\(request.method) \(request.uri.path) \(status.code) \(String(format: "%.1f", ms))ms \(who)")
            metrics.request(method: request.method.rawValue, route: context.endpointPath ?? "NotFound", status: status.code, duration: elapsed)
        }
        do {
            if let allowed = Self.methods(of: request.uri.path), !allowed.contains(request.method)
                && !(request.method == .head && allowed.contains(.get)) {
                var error = HubError(.methodNotAllowed, .methodNotAllowed,
                                     "\(request.uri.path) takes \(allowed.map(\.rawValue).joined(separator: ", ")), not \(request.method.rawValue)")
                error.allow = allowed
                throw error
            }
            if request.uri.path.hasPrefix("/v1") {
                guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
                      let caller = try await hub.authenticate(secret: String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces))
                else { throw HubError.unauthorized }
                context.caller = caller
            }
            let response = try await next(request, context)
            status = response.status
            return response
        } catch let error as HTTPResponseError {
            status = error.status
            throw error
        } catch let error as HubUnavailable {
            // The shared database is down or refusing: the client retries later, nothing lost.
            logger.error("the hub's database does not answer: \(error.detail)")
            status = .serviceUnavailable
            var answer = HubError(.serviceUnavailable, .unavailable, "the hub's database does not answer; nothing was stored. Retry later")
            answer.retryAfter = 10
            throw answer
        } catch {
            logger.error("internal error: \(String(reflecting: error))")
            status = .internalServerError
            throw HubError(.internalServerError, .`internal`, "the hub failed to answer; nothing was stored. Retry, and tell the county administrator if it persists")
        }
    }
}
