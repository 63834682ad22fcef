import ArgumentParser
import Foundation
import Hummingbird
import KtxWords
import Store
import SyncCore
import Web

extension Ktx {
    struct DashboardCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dashboard",
            abstract: L("Show the county's dashboard from this replica, read-only, in the browser of this PC.", "在本机浏览器中以只读方式查看本副本的县级数据看板。"),
            discussion: L("""
                For a county that syncs through a folder: the same pages as the HTTP hub's dashboard \
                (overview against the targets, townships and their PCs, activities and their history, \
                the self-evaluation form), served on 127.0.0.1 only, until Ctrl-C.
                Example: ktx dashboard --db county.db
                """, """
                供通过同步文件夹同步的县科协使用：与同步服务器看板相同的页面（对照绩效目标的总览、各乡镇及其电脑、\
                活动及其修改记录、自评表），只在 127.0.0.1 上提供，按 Ctrl-C 结束。
                例：ktx dashboard --db county.db
                """))

        @OptionGroup var options: GlobalOptions
        @OptionGroup var serving: LocalServing

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let router = Router()
                Dashboard(store: store, access: .local).register(on: router)
                try await serving.serve(router, options.language, what: options.language.pick(zh: "数据看板", en: "dashboard"))
            }
        }
    }

    struct UICommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ui",
            abstract: L("Record and sync through forms in the browser of this PC.", "在本机浏览器中用表单登记活动并同步。"),
            discussion: L("""
                Serves this replica's forms on 127.0.0.1 only (no other PC can reach them), until \
                Ctrl-C: record an activity, add attendance, edit, delete and restore, the list, and \
                a sync button. Works with no network: everything it shows is inside ktx.
                Example: ktx ui
                """, """
                只在 127.0.0.1 上提供本副本的表单（其他电脑无法访问），按 Ctrl-C 结束：登记活动、追加人次、修改、\
                删除与恢复、活动列表和同步按钮。无需联网：页面所用的一切都在 ktx 程序内。
                例：ktx ui
                """))

        @OptionGroup var options: GlobalOptions
        @OptionGroup var serving: LocalServing

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let router = Router()
                ClerkUI(store: store, sync: { language, progress in
                    do {
                        let outcome = try await performSync(store: store, remote: nil, language: language, progress: progress)
                        return SyncResult(succeeded: outcome.succeeded, summary: language.pick(zh: outcome.summary.zh, en: outcome.summary.en),
                                          messages: outcome.messages)
                    } catch let error as KtxError {
                        return SyncResult(succeeded: false, summary: error.message(language), messages: [])
                    } catch {
                        return SyncResult(succeeded: false, summary: language.pick(
                            zh: "同步时发生意外错误，已停止；未写入半截数据。请重试", en: "an unexpected error stopped the sync; nothing was half-written. Retry"),
                                          messages: [])
                    }
                }).register(on: router)
                try await serving.serve(router, options.language, what: options.language.pick(zh: "登记表单", en: "forms"))
            }
        }
    }
}

/// `--port` and `--no-open`: how `ktx ui` and `ktx dashboard` serve on this PC.
struct LocalServing: ParsableArguments {
    @Option(help: ArgumentHelp(L("The port on 127.0.0.1 (default: a free one, printed).", "127.0.0.1 上的端口（默认自动选一个空闲端口并显示）。"), valueName: "n"))
    var port: Int?

    @Flag(name: .customLong("no-open"), help: ArgumentHelp(L("Do not open the browser; only print the address.", "不打开浏览器，只显示网址。")))
    var noOpen = false

    func validate() throws {
        if let port, !(1...65_535).contains(port) {
            throw ValidationError(KtxError.badPort(String(port)).message(Language.resolve(explicit: nil, environment: ProcessInfo.processInfo.environment)))
        }
    }

    /// Serves on 127.0.0.1 until SIGINT or SIGTERM; prints the address once it listens and
    /// opens the browser there unless `--no-open`.
    func serve(_ router: Router<BasicRequestContext>, _ language: Language, what: String) async throws {
        let open = !noOpen
        try await LocalServer.run(router, port: port ?? 0) { port in
            let address = "http://127.0.0.1:\(port)/"
            Console.out(address)
            Console.error(language.pick(zh: "\(what)：\(address)（只供本机使用；按 Ctrl-C 结束）",
                                        en: "\(what): \(address) (this PC only; Ctrl-C to stop)"))
            if open { openBrowser(address) }
        }
    }
}

/// Opens a page in the desktop's browser (xdg-open, else a browser found on PATH); if none
/// can be started, the printed address is enough.
func openBrowser(_ address: String) {
    let environment = ProcessInfo.processInfo.environment
    let candidates = ["xdg-open", "sensible-browser", "x-www-browser", "chromium", "firefox"]
    let paths = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
    for name in candidates {
        guard let path = paths.map({ $0 + "/" + name }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { continue }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = [address]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        if (try? process.run()) != nil { return }
    }
}
