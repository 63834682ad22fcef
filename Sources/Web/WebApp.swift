import Hummingbird
import KtxSchema
import NIOCore

/// The offline app at `/app`: the pages, their scripts, the service worker that keeps them for
/// use with no network, the catalog, and the shared core (`ktx-core.wasm`, built by
/// scripts/build-wasm.sh and read from disk when the hub starts). Public like any page: what a
/// browser may do is its token's, checked by the sync API.
public struct WebApp: Sendable {
    let core: [UInt8]?
    let version: String

    /// The app, with the core's bytes (nil when none is installed: `/app` says so).
    public init(core: [UInt8]?) {
        self.core = core
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for part in Self.files.map(\.bytes) + [core ?? []] {
            for byte in part { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        version = "ktx-app-" + String(hash, radix: 16)
    }

    static let files: [(name: String, type: String, bytes: [UInt8])] = [
        ("offline.js", "text/javascript; charset=utf-8", PackageResources.offline_js),
        ("offline.css", "text/css; charset=utf-8", PackageResources.offline_css),
        ("replica.js", "text/javascript; charset=utf-8", PackageResources.replica_js),
        ("store.js", "text/javascript; charset=utf-8", PackageResources.store_js),
        ("ktx-core.js", "text/javascript; charset=utf-8", PackageResources.ktx_core_js),
        ("manifest.webmanifest", "application/manifest+json", PackageResources.manifest_webmanifest),
        ("icon.svg", "image/svg+xml", PackageResources.icon_svg),
        ("catalog.json", "application/json", KtxSchema.catalogJSON),
    ]

    /// Adds `/app` and its files to a router.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        // `/app` and `/app/` are one route to the router: the page names its files by absolute paths.
        router.get("/app/") { _, _ in Self.file(ByteBuffer(bytes: PackageResources.index_html), "text/html; charset=utf-8") }
        for file in Self.files {
            let buffer = ByteBuffer(bytes: file.bytes)
            router.get(RouterPath("/app/" + file.name)) { _, _ in Self.file(buffer, file.type) }
        }
        let worker = ByteBuffer(string: String(decoding: PackageResources.sw_js, as: UTF8.self).replacingOccurrences(of: "__KTX_APP_VERSION__", with: version))
        router.get("/app/sw.js") { _, _ in Self.file(worker, "text/javascript; charset=utf-8") }
        let core = self.core.map { ByteBuffer(bytes: $0) }
        router.get("/app/ktx-core.wasm") { _, _ in
            guard let core else {
                return Response(status: .notFound, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "ktx-core.wasm is not installed on this hub (scripts/build-wasm.sh builds it)\n")))
            }
            return Self.file(core, "application/wasm")
        }
    }

    /// A file of the app: revalidated on every load online (the service worker serves it offline).
    static func file(_ buffer: ByteBuffer, _ type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        headers[.xContentTypeOptions] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: buffer))
    }
}
