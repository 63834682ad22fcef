import Foundation
import HTTPTypes
import HubStorage
import Hummingbird
import KtxWords
import Logging
import Mustache
import NIOCore
import NIOPosix
import Store
import SyncCore

/// The templates and assets compiled into the binary: no file beside it, no CDN, no web
/// font from outside, so the pages work with no network at all.
public struct WebTemplates: Sendable {
    let library: MustacheLibrary

    /// The templates, parsed once. A template that does not parse is a defect of this build
    /// (the router tests render every page), so it stops the program with its name.
    public static let shared: WebTemplates = {
        do { return try WebTemplates() } catch { fatalError("a page template of this build does not parse: \(error)") }
    }()

    init() throws {
        var library = MustacheLibrary()
        let templates: [(String, [UInt8])] = [
            ("layout", PackageResources.layout_mustache), ("login", PackageResources.login_mustache),
            ("overview", PackageResources.overview_mustache), ("townships", PackageResources.townships_mustache),
            ("activities", PackageResources.activities_mustache), ("activity", PackageResources.activity_mustache),
            ("admin", PackageResources.admin_mustache), ("message", PackageResources.message_mustache),
            ("indicator", PackageResources.indicator_mustache),
            ("clerk_home", PackageResources.clerk_home_mustache), ("clerk_form", PackageResources.clerk_form_mustache),
            ("clerk_activity", PackageResources.clerk_activity_mustache), ("clerk_sync", PackageResources.clerk_sync_mustache),
        ]
        for (name, bytes) in templates {
            try library.register(String(decoding: bytes, as: UTF8.self), named: name)
        }
        self.library = library
    }

    /// Renders a page template (which names `layout` as its parent).
    func render(_ name: String, _ context: [String: Any]) -> String {
        // Mustache treats an empty list as false but 0 as true, and has no `list.0`: each
        // list `x` of the page comes with a boolean `has_x`.
        var context = context
        for (key, value) in context {
            if let list = value as? [Any] { context["has_" + key] = !list.isEmpty }
        }
        return library.render(context, withTemplate: name) ?? ""
    }

    static let css = ByteBuffer(bytes: PackageResources.app_css)
    static let js = ByteBuffer(bytes: PackageResources.app_js)
}

/// What a page shows in the user's language; templates read it as `{{t.name}}`.
struct Page {
    var language: Language
    /// The page's parameters, with `t` (texts), `lang`, `other_lang` and `nav` added.
    var context: [String: Any]

    init(_ language: Language, _ context: [String: Any] = [:]) {
        self.language = language
        self.context = context
        self.context["t"] = WebText.table(language)
        self.context["lang"] = language.rawValue
        self.context["other_lang"] = language == .zh ? "en" : "zh"
        self.context["other_lang_name"] = language == .zh ? "English" : "中文"
    }

    subscript(key: String) -> Any? {
        get { context[key] }
        set { context[key] = newValue }
    }
}

/// Reading requests and writing responses, the same for the hub's dashboard, `ktx dashboard`
/// and `ktx ui`.
enum Web {
    /// Runs a page's database work (GRDB's synchronous reads and writes, the report's
    /// computation) on SwiftNIO's pool for blocking work, so that a slow page never holds a
    /// thread of Swift's cooperative pool, which every other request and the sync share.
    static func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }

    /// Security headers for every page: only this server's own scripts, styles and forms;
    /// never framed by another site; nothing cached (pages hold the county's data).
    static func headers(contentType: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        headers[.xContentTypeOptions] = "nosniff"
        headers[.referrerPolicy] = "same-origin"
        headers[.xFrameOptions] = "DENY"
        headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        return headers
    }

    static func html(_ body: String, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        var headers = headers(contentType: "text/html; charset=utf-8")
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func file(_ data: Data, contentType: String, name: String) -> Response {
        var headers = headers(contentType: contentType)
        // RFC 6266: an ASCII fallback and the UTF-8 name (项目自评表 is not ASCII).
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ".-_"))) ?? "form"
        headers[.contentDisposition] = "attachment; filename=\"ktx-\(name.unicodeScalars.allSatisfy(\.isASCII) ? name : "form" + (name as NSString).pathExtension.withDot)\"; filename*=UTF-8''\(encoded)"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func asset(_ buffer: ByteBuffer, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        headers[.cacheControl] = "max-age=3600"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }

    /// A 303 to a page of this site (a form's answer, so that reloading does not post again).
    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers = HTTPFields()
        headers[.location] = location
        headers[.cacheControl] = "no-store"
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// `a=1&b=%E6%B2%B3` from fields (sorted by name).
    static func queryString(_ fields: [String: String]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }.joined(separator: "&")
    }

    /// The cookies a request carries, by name.
    static func cookies(_ request: Request) -> [String: String] {
        var result: [String: String] = [:]
        for field in request.headers[values: .cookie] {
            for part in field.split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                result[pair[0].trimmingCharacters(in: .whitespaces)] = pair[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return result
    }

    /// A query parameter, nil when absent or empty (an HTML form sends empty fields).
    static func query(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
    }

    /// The language of a page: `?lang=`, else the `ktx_lang` cookie, else the browser's
    /// `Accept-Language` (the first of zh and en it names), else Chinese.
    static func language(_ request: Request) -> Language {
        if let given = query(request, "lang"), let language = Language(rawValue: given) { return language }
        if let kept = cookies(request)["ktx_lang"], let language = Language(rawValue: kept) { return language }
        for part in (request.headers[.acceptLanguage] ?? "").lowercased().split(separator: ",") {
            let tag = part.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if tag.hasPrefix("zh") { return .zh }
            if tag.hasPrefix("en") { return .en }
        }
        return .zh
    }

    /// The cookie that keeps a language chosen with `?lang=`.
    static func languageCookie(_ request: Request) -> [String] {
        guard let given = query(request, "lang"), Language(rawValue: given) != nil else { return [] }
        return ["ktx_lang=\(given); Path=/; SameSite=Strict; Max-Age=31536000"]
    }

    /// The fields of an `application/x-www-form-urlencoded` body (at most 64 KiB).
    static func form(_ request: Request) async throws -> [String: String] {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: 64 << 10)
        } catch {
            throw HTTPError(.contentTooLarge, message: "the form is larger than 64 KiB")
        }
        var fields: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            guard let key = parts.first.map(decode), !key.isEmpty else { continue }
            fields[key] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    /// Whether a state-changing request comes from a page of this same site. A browser names
    /// the page's origin in `Origin` (and, since 2020, says `Sec-Fetch-Site`); a form on
    /// another site, or a `file:` page (`Origin: null`), is refused. A request without either
    /// header is not a browser's (curl, a test): the session cookie or the form's token still
    /// has to be right.
    static func isSameOrigin(_ request: Request) -> Bool {
        if let site = request.headers[.secFetchSite], site != "same-origin", site != "none" {
            return false
        }
        if let origin = request.headers[.origin] {
            guard let host = request.head.authority else { return false }
            return origin == "http://\(host)" || origin == "https://\(host)"
        }
        return true
    }

    /// Whether a request names this server as it listens on the loopback address, so that a
    /// page of another site cannot reach `ktx ui` through a name it points at 127.0.0.1
    /// (DNS rebinding).
    static func isLoopbackHost(_ request: Request) -> Bool {
        guard let host = (request.head.authority)?.lowercased() else { return false }
        let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }) + "]" : String(host.prefix { $0 != ":" })
        return ["127.0.0.1", "localhost", "[::1]"].contains(name)
    }

    /// A fresh secret of 32 random bytes, as hex.
    static func secret() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }

    /// Equal in time that does not depend on where they differ.
    static func sameSecret(_ a: String, _ b: String) -> Bool {
        constantTimeEqual(Array(a.utf8), Array(b.utf8))
    }

    /// A unix-milliseconds time in the local time zone, `2026-11-21 10:22`.
    static func time(_ millis: Int64?) -> String {
        guard let millis else { return "" }
        var seconds = time_t(millis / 1000)
        var t = tm()
        localtime_r(&seconds, &t)
        return String(format: "%04d-%02d-%02d %02d:%02d", Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday), Int(t.tm_hour), Int(t.tm_min))
    }
}

private extension String {
    var withDot: String { isEmpty ? "" : "." + self }
}

/// `ktx ui` and `ktx dashboard`: a server on 127.0.0.1 only.
public enum LocalServer {
    /// Serves `router` on 127.0.0.1 (port 0: a free one) until SIGINT or SIGTERM, calling
    /// `listening` with the port once it listens.
    ///
    /// - Throws: ``KtxError`` `port-in-use` when another program holds the port.
    public static func run(_ router: Router<BasicRequestContext>, port: Int, listening: @escaping @Sendable (Int) -> Void) async throws {
        // The clerk's terminal shows the address and what went wrong, not the server's chatter.
        var logger = Logger(label: "ktx.web")
        logger.logLevel = .error
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "ktx"),
            onServerRunning: { channel in listening(channel.localAddress?.port ?? port) },
            logger: logger)
        do {
            try await app.runService()
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EACCES {
            throw KtxError.portInUse(host: "127.0.0.1", port: port, inUse: error.errnoCode == EADDRINUSE)
        }
    }
}

extension HTTPField.Name {
    /// ``SyncCore/HubRoute/replicaHeader``: the replica a client names when a sync starts.
    package static let ktxReplica = spelt(HubRoute.replicaHeader)
    /// Set by a TLS-terminating proxy: `https` when the browser's connection was.
    package static let xForwardedProto = spelt("X-Forwarded-Proto")
    /// A browser's word on where a request comes from (`same-origin`, `cross-site`, …).
    package static let secFetchSite = spelt("Sec-Fetch-Site")
    static let xContentTypeOptions = spelt("X-Content-Type-Options")
    static let referrerPolicy = spelt("Referrer-Policy")
    static let xFrameOptions = spelt("X-Frame-Options")

    /// A field name spelt in this code: one that is not a valid name is the program's error.
    static func spelt(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("not an HTTP field name: \(name)") }
        return field
    }
}

extension HTTPRequest.Method {
    /// The method a hub route takes, as HTTP types name it.
    package init(_ method: HubRoute.Method) {
        switch method {
        case .get: self = .get
        case .post: self = .post
        case .delete: self = .delete
        }
    }
}
