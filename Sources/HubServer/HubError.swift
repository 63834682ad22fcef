import Foundation
import Hummingbird
import SyncCore

/// An error the hub answers with: a status and a JSON body `{"error":{"code","message"}}`
/// that says what is wrong. Never a stack trace, never a 500 for bad input.
public struct HubError: HTTPResponseError, Sendable {
    /// The HTTP status.
    public let status: HTTPResponse.Status
    /// The error's stable code (`gap`, `other-activity`).
    public let code: String
    /// The words, in English.
    public let message: String
    /// For a 405: the methods the path takes, sent as `Allow`.
    public var allow: [HTTPRequest.Method] = []
    /// For a 503: seconds after which to retry, sent as `Retry-After`.
    public var retryAfter: Int?

    /// An error answer.
    public init(_ status: HTTPResponse.Status, _ code: HubErrorCode, _ message: String) {
        self.status = status
        self.code = code.rawValue
        self.message = message
    }

    /// The JSON answer `{"error":{"code","message"}}`, with `Allow` or `Retry-After` when set.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(HubAPI.ErrorBody(code: code, message: message))
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if !allow.isEmpty { headers[.allow] = allow.map(\.rawValue).joined(separator: ", ") }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let unauthorized = HubError(.unauthorized, .unauthorized,
                                       "missing, unknown or revoked token: send 'Authorization: Bearer TOKEN' with a token from `ktx hub token create`")

    static func forbidden(_ message: String) -> HubError { HubError(.forbidden, .forbidden, message) }
}
