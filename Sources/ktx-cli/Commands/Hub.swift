import ArgumentParser
import FolderHub
import Foundation
import HubClient
import HubPostgres
import HubServer
import HubStorage
import KtxWords
import Logging
import Reporting
import Store
import SyncCore

extension Ktx {
    struct HubCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hub",
            abstract: "Make the county's hub folder, run its HTTP hub and manage its tokens. 县级同步。",
            subcommands: [Init.self, Requests.self, Approve.self, Revoke.self, Serve.self, Status.self, Token.self, Backup.self])

        struct Init: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a folder (shared drive or USB stick) the county's governed hub folder. 建立同步文件夹。",
                discussion: """
                    Run on the county's replica (`ktx init --township 县科协` first, or name it with --db): \
                    the folder is created if missing (its parent must exist) and must be empty otherwise. \
                    The county's key governs it: offices add it with `ktx remote add NAME FOLDER`, their \
                    first sync leaves an enrolment request, and the county approves them with \
                    `ktx hub approve`. A folder that is a hub already is adopted and its replicas listed \
                    for the county to approve. A sync never creates a hub folder.
                    Example: ktx hub init /media/usb/ktx-hub
                    """)

            @OptionGroup var options: GlobalOptions
            @Argument(help: ArgumentHelp(L("The folder to make the hub.", "要建立为同步文件夹的文件夹。"))) var folder: String

            func run() async throws {
                try await reportingErrors(options) {
                    let lang = options.language
                    let path = URL(fileURLWithPath: folder.trimmingSpaces()).standardizedFileURL.path
                    let store = try options.openStore()
                    let signer = try countySigner(store)
                    let created = try FileHub.create(at: path, county: signer, cached: try store.keptRoster(countyKey: signer.key),
                                                     now: Int64(Date().timeIntervalSince1970 * 1000))
                    let governance = try keepRoster(of: path, signer: signer, in: store)
                    let fingerprint = FileHub.fingerprint(of: signer.key)
                    switch created {
                    case .created:
                        Console.out(lang.pick(zh: "已建立同步文件夹 \(path)，由本副本（\(signer.township)）管理，县科协公钥指纹 \(fingerprint)；各办公室用 ktx remote add 名称 \(path) 添加它，首次同步后由县科协用 ktx hub approve 批准",
                                              en: "made hub folder \(path), governed by this replica (\(signer.township)), county key \(fingerprint); offices add it with `ktx remote add NAME \(path)`, and the county approves each after its first sync with `ktx hub approve`"))
                    case .existing(let replicas):
                        Console.out(lang.pick(zh: "\(path) 已是同步文件夹（有 \(replicas.count) 个副本的操作），由本副本管理（县科协公钥指纹 \(fingerprint)）；其中的副本：",
                                              en: "\(path) is a hub folder already (operations of \(replicas.count) replicas), governed by this replica (county key \(fingerprint)); the replicas in it:"))
                        let hub = FileHub(path: path, writer: ReplicaID.random(), pinnedKey: signer.key)
                        var table = TextTable(headers: [lang.pick(zh: "副本", en: "replica"), lang.pick(zh: "乡镇", en: "township"),
                                                        lang.pick(zh: "操作", en: "operations"), lang.pick(zh: "签名", en: "signed"),
                                                        lang.pick(zh: "登记", en: "enrolled")],
                                              alignments: [.left, .left, .right, .left, .left])
                        var waiting = 0
                        for r in try await hub.summary() {
                            let member = governance?.roster.member(r.replica)
                            if member == nil { waiting += 1 }
                            table.append([r.replica.short, r.township ?? "", String(r.operations),
                                          r.signed ? lang.pick(zh: "是", en: "yes") : lang.pick(zh: "否（0.3 以前）", en: "no (before 0.3)"),
                                          member.map { $0.revokedAfter != nil ? lang.pick(zh: "已停用", en: "revoked") : lang.pick(zh: "是", en: "yes") }
                                              ?? lang.pick(zh: "待批准", en: "waiting")])
                        }
                        Console.out(table.render())
                        if waiting > 0 {
                            Console.out(lang.pick(zh: "核对后用 ktx hub approve \(path) 副本编号（或 --all）批准；批准前各处不合并它们的操作",
                                                  en: "once checked, approve them with `ktx hub approve \(path) REPLICA` (or --all); until then no office merges their operations"))
                        }
                    }
                }
            }
        }

        struct Requests: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List the offices waiting for the county to enrol them. 列出登记申请。",
                discussion: "Compare each fingerprint with the one the office reads out on the phone (`ktx status` shows it).")

            @OptionGroup var options: GlobalOptions
            @Argument(help: ArgumentHelp(L("The hub folder, or the name of a remote that is one.", "同步文件夹，或指向它的远端名称。"))) var folder: String
            @Option(help: ArgumentHelp(L("text or json.", "text（文字）或 json。"))) var format: TextFormat = .text

            func run() async throws {
                try await reportingErrors(options) {
                    let lang = options.language
                    let store = try options.openStore()
                    let path = try hubFolder(folder, in: store)
                    // On the county's replica, the roster it kept stands in for a deleted one.
                    let kept = try store.keptRoster(countyKey: try store.publicKey().key)
                    let governance = try FileHub.readGovernance(at: path, pinned: nil, cached: kept).0
                    let pending = try await FileHub.pendingEnrolments(at: path, governance: governance)
                    switch format {
                    case .json:
                        Console.out(JSONValue.array(pending.map { p in
                            .object([("replica", .string(p.replica.hex)), ("township", p.township.map(JSONValue.string) ?? .null),
                                     ("fingerprint", p.key.map { .string(FileHub.fingerprint(of: $0)) } ?? .null),
                                     ("host", p.host.map(JSONValue.string) ?? .null),
                                     ("requested_at", p.requestedAt.map { .int(Int($0)) } ?? .null),
                                     ("operations", .int(Int(p.operations))), ("request", .bool(!p.found))])
                        }).render())
                    case .text:
                        guard !pending.isEmpty else {
                            Console.out(lang.pick(zh: "没有待批准的登记申请", en: "no enrolment requests waiting"))
                            return
                        }
                        var table = TextTable(headers: [lang.pick(zh: "乡镇", en: "township"), lang.pick(zh: "副本", en: "replica"),
                                                        lang.pick(zh: "密钥指纹", en: "fingerprint"), lang.pick(zh: "电脑", en: "PC"),
                                                        lang.pick(zh: "申请时间", en: "requested"), lang.pick(zh: "操作", en: "operations")],
                                              alignments: [.left, .left, .left, .left, .left, .right])
                        for p in pending {
                            table.append([p.township ?? "", p.replica.short,
                                          p.key.map { FileHub.fingerprint(of: $0) } ?? lang.pick(zh: "（0.3 以前，无密钥）", en: "(before 0.3, no key)"),
                                          p.host ?? "", p.requestedAt.map(Labels.time) ?? lang.pick(zh: "（文件夹中已有）", en: "(found in folder)"),
                                          String(p.operations)])
                        }
                        Console.out(table.render())
                    }
                }
            }
        }

        struct Approve: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Enrol offices on the county's hub folder. 批准登记。",
                discussion: "Run on the county's replica. Example: ktx hub approve /media/usb/ktx-hub 3fa9c2d1b0e4")

            @OptionGroup var options: GlobalOptions
            @Argument(help: ArgumentHelp(L("The hub folder, or the name of a remote that is one.", "同步文件夹，或指向它的远端名称。"))) var folder: String
            @Argument(help: ArgumentHelp(L("Replica ids (or their first 12 hex digits) to enrol.", "要批准的副本编号（或其前 12 位十六进制数字）。"))) var replicas: [String] = []
            @Flag(help: ArgumentHelp(L("Enrol every office waiting.", "批准所有等待批准的电脑。"))) var all = false
            @Flag(help: ArgumentHelp(L("Enrol them as county replicas (they may set manual indicator values).", "作为县科协的副本批准（可填报手工指标）。"))) var county = false

            func validate() throws {
                guard all != !replicas.isEmpty else {
                    throw ValidationError(options.language.pick(zh: "请给出副本编号，或用 --all（二选一）", en: "name the replicas, or give --all (not both)"))
                }
            }

            func run() async throws {
                try await reportingErrors(options) {
                    let lang = options.language
                    let (path, store, signer, kept, governance) = try governedFolder(folder, options)
                    let pending = try await FileHub.pendingEnrolments(at: path, governance: governance)
                    let chosen = try all ? pending.map(\.replica) : replicas.map { try resolveReplica($0, among: pending.map(\.replica) + governance.roster.members.compactMap(\.replicaID)) }
                    let added = try await FileHub.approve(at: path, replicas: chosen, role: county ? .county : .township, signer: signer, cached: kept,
                                                          now: Int64(Date().timeIntervalSince1970 * 1000))
                    try keepRoster(of: path, signer: signer, in: store)
                    for member in added {
                        Console.out(lang.pick(zh: "已批准 \(member.township) 的副本 \(member.replica.prefix(12))（\(member.role == .county ? "县级" : "乡镇")）",
                                              en: "enrolled \(member.township)'s replica \(member.replica.prefix(12)) (\(member.role.rawValue))"))
                    }
                    if added.isEmpty { Console.out(lang.pick(zh: "没有需要批准的副本", en: "nothing to enrol")) }
                }
            }
        }

        struct Revoke: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Revoke an office's replica on the county's hub folder. 停用副本。",
                discussion: "Its operations beyond what this county replica holds of it are held by every office from their next sync.")

            @OptionGroup var options: GlobalOptions
            @Argument(help: ArgumentHelp(L("The hub folder, or the name of a remote that is one.", "同步文件夹，或指向它的远端名称。"))) var folder: String
            @Argument(help: ArgumentHelp(L("The replica id (or its first 12 hex digits).", "副本编号（或其前 12 位十六进制数字）。"))) var replica: String

            func run() async throws {
                try await reportingErrors(options) {
                    let lang = options.language
                    let (path, store, signer, kept, governance) = try governedFolder(folder, options)
                    let id = try resolveReplica(replica, among: governance.roster.members.compactMap(\.replicaID))
                    let after = try await store.versionVector()[id]
                    let member = try FileHub.revoke(at: path, replica: id, after: after, signer: signer, cached: kept, now: Int64(Date().timeIntervalSince1970 * 1000))
                    try keepRoster(of: path, signer: signer, in: store)
                    Console.out(lang.pick(zh: "已停用 \(member.township) 的副本 \(id.short)：其第 \(after) 条以后的操作各处不再合并",
                                          en: "revoked \(member.township)'s replica \(id.short): its operations after seq \(after) are merged nowhere"))
                }
            }
        }

        struct Serve: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Serve the hub over HTTP until SIGINT or SIGTERM: the sync API and the county's dashboard at /.",
                discussion: "The dashboard (http://HOST:PORT/) takes a county or admin token at its login page. Example: ktx hub serve --db /srv/ktx/hub.db --host 0.0.0.0 --port 8080")

            @OptionGroup var options: GlobalOptions
            @OptionGroup var database: HubDatabaseOptions
            @Option(help: ArgumentHelp(L("The address to listen on.", "监听的地址。"))) var host: String = "127.0.0.1"
            @Option(help: ArgumentHelp(L("The port to listen on, 1 to 65535.", "监听的端口，1 到 65535。"))) var port: Int = 8080
            @Option(name: .customLong("max-skew-hours"), help: ArgumentHelp(L("Refuse operations dated more than this many hours ahead of the hub's clock.", "拒收比服务器时钟快这么多小时以上的操作。")))
            var maxSkewHours: Int = 24
            @Option(name: .customLong("session-minutes"), help: ArgumentHelp(L("How long a dashboard login lasts, in minutes.", "看板登录的有效时间（分钟）。")))
            var sessionMinutes: Double = 480
            @Option(name: .customLong("idle-timeout"), help: ArgumentHelp(L("Close a connection that sends nothing for this many seconds (idle, or stalled in a request).", "连接这么多秒没有发送任何内容（空闲或请求发到一半）即关闭。"), valueName: "seconds"))
            var idleTimeout: Double = 30
            @Option(name: .customLong("max-connections-per-address"), help: ArgumentHelp(L("The most connections one client address may hold open at once (offices behind one NAT share an address).", "同一客户端地址最多同时保持的连接数（同一出口的办公室共用一个地址）。"), valueName: "n"))
            var maxConnectionsPerAddress: Int = 128
            @Option(name: .customLong("app-core"), help: ArgumentHelp(L("The offline app's core, ktx-core.wasm (scripts/build-wasm.sh). Default: beside ktx, in ../share/ktx/ or ../wasm/.", "离线应用的核心 ktx-core.wasm（由 scripts/build-wasm.sh 生成）。默认在 ktx 旁的 ../share/ktx/ 或 ../wasm/。"), valueName: "path"))
            var appCore: String?
            @Option(name: .customLong("targets"), help: ArgumentHelp(L("A year's performance targets file the county wrote (ktx targets check), served to the offline app beside the shipped years; repeat for several years.", "县科协编写的某年绩效目标文件（先用 ktx targets check 检查），与内置年份一起提供给离线应用；可重复。"), valueName: "file"))
            var targets: [String] = []

            func validate() throws {
                if let appCore, !FileManager.default.isReadableFile(atPath: appCore) {
                    throw ValidationError(options.language.pick(zh: "--app-core：无法读取 \(appCore)", en: "--app-core: cannot read \(appCore)"))
                }
                guard (1...65_535).contains(port) else {
                    throw ValidationError(KtxError.badPort(String(port)).message(options.language))
                }
                guard sessionMinutes >= 0.05, sessionMinutes <= 7 * 24 * 60 else {
                    throw ValidationError(options.language.pick(zh: "--session-minutes 须在 0.05 到 10080（7 天）之间", en: "--session-minutes must be from 0.05 to 10080 (7 days)"))
                }
                guard idleTimeout >= 1, idleTimeout <= 3600 else {
                    throw ValidationError(options.language.pick(zh: "--idle-timeout 须在 1 到 3600 秒之间", en: "--idle-timeout must be from 1 to 3600 seconds"))
                }
                guard (1...100_000).contains(maxConnectionsPerAddress) else {
                    throw ValidationError(options.language.pick(zh: "--max-connections-per-address 须在 1 到 100000 之间", en: "--max-connections-per-address must be from 1 to 100000"))
                }
                guard (1...24 * 365).contains(maxSkewHours) else {
                    throw ValidationError(options.language.pick(zh: "--max-skew-hours 须在 1 到 8760 之间", en: "--max-skew-hours must be from 1 to 8760"))
                }
            }

            func run() async throws {
                try await reportingErrors(options) {
                    let postgres = try database.location()
                    let path = try postgres.map { HubDatabaseOptions.viewPath(options, port: port, database: $0) } ?? options.hubDatabasePath()
                    var logger = Logger(label: "ktx.hub")
                    logger.logLevel = .info
                    var configuration = HubConfiguration(
                        databasePath: path, host: host, port: port,
                        maxClockSkewMillis: Int64(maxSkewHours) * 3_600_000, logger: logger,
                        sessionSeconds: max(3, Int(sessionMinutes * 60)))
                    configuration.idleTimeoutSeconds = idleTimeout
                    configuration.maxConnectionsPerAddress = maxConnectionsPerAddress
                    configuration.appCore = Self.appCore(appCore)
                    for file in targets {
                        let table = try readTargets(file, catalog: Catalog.standard)
                        configuration.targets.removeAll { $0.year == table.year }
                        configuration.targets.append(table)
                    }
                    if configuration.appCore == nil {
                        logger.notice("no ktx-core.wasm beside ktx: the offline app at /app cannot start (build it with scripts/build-wasm.sh, or give --app-core)")
                    }
                    let hub = try await Self.openBackend(path: path, postgres: postgres, logger: logger)
                    try await serveHub(configuration, hub: hub)
                }
            }

            /// The offline app's core: `--app-core`, else the first found beside the executable
            /// (`../share/ktx/` as installed, `../wasm/` in a build folder).
            static func appCore(_ given: String?) -> [UInt8]? {
                let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
                let candidates = given.map { [$0] } ?? ["../share/ktx/ktx-core.wasm", "../wasm/ktx-core.wasm", "../../wasm/ktx-core.wasm"].map {
                    executable.appendingPathComponent($0).standardizedFileURL.path
                }
                for path in candidates {
                    if let data = FileManager.default.contents(atPath: path) { return [UInt8](data) }
                }
                return nil
            }

            /// The backend `--database` chooses: a node of the shared PostgreSQL hub (its copy at
            /// `path`), or the SQLite hub at `path`.
            static func openBackend(path: String, postgres: PostgresLocation?, logger: Logger) async throws -> any HubBackend {
                if let postgres {
                    let hub = try await PostgresHub.open(postgres, viewPath: path, logger: logger)
                    logger.notice("serving the hub on \(hub.location); this node's copy: \(path)")
                    return hub
                }
                return try Store.openHub(at: path, upgrading: {
                    logger.notice("upgrading the hub database to this version's format (once; a large log takes a few minutes)",
                                  metadata: ["path": "\(path)"])
                })
            }
        }

        struct Status: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: L("Per township: its PCs, their last sync, refused operations and clock warnings. 各乡镇同步情况。",
                            "各乡镇：电脑数、最近同步、被拒收的操作与时钟警告。"),
                discussion: "Examples: ktx hub status --db /srv/ktx/hub.db --days 30 (the HTTP hub's database); ktx hub status /media/usb/ktx-hub (a hub folder, or a folder remote's name: read through as a receiver reads it, nothing written); ktx hub status county (an HTTP remote added with a county token: the PCs whose pushes it refuses)")

            @OptionGroup var options: GlobalOptions
            @OptionGroup var database: HubDatabaseOptions
            @Argument(help: ArgumentHelp(L("A hub folder, or a remote's name (a folder, or an HTTP hub added with a county token): the PCs whose records are not flowing.", "同步文件夹，或远端名称（文件夹，或用县级令牌添加的 HTTP 同步服务器）：找出记录未能送达的电脑。"), valueName: "hub"))
            var folder: String?
            @Option(help: ArgumentHelp(L("Flag PCs that have not synced for this many days.", "标出超过这么多天未同步的电脑。"), valueName: "n"))
            var days: Int = ReplicaSummary.staleDays
            @Option(help: ArgumentHelp(L("text or json.", "text（文字）或 json。"))) var format: TextFormat = .text
            @Option(name: .customLong("token-env"), help: ArgumentHelp(L("For an HTTP hub named by its address: the environment variable holding a county token.", "以地址指定 HTTP 同步服务器时：存放县级令牌的环境变量。"), valueName: "var"))
            var tokenEnv: String?

            /// A hub folder read through as a receiver reads it: its PCs, those waiting for the
            /// county, and every PC whose records are not flowing, with the next step.
            func folderStatus(_ given: String) async throws {
                let lang = options.language
                let store = try? options.openStore()
                // An HTTP hub, by a remote's name or address: it says which PCs' pushes it refuses.
                let trimmed = given.trimmingSpaces()
                let isURL = trimmed.lowercased().hasPrefix("http://") || trimmed.lowercased().hasPrefix("https://")
                var http: (location: String, token: String)?
                if let store, let remote = try store.remotes().first(where: { $0.kind == .http && ($0.name == given || $0.location == trimmed) }) {
                    http = (remote.location, try store.token(for: remote))
                } else if isURL {
                    guard let url = URL(string: trimmed), url.host != nil, url.path.isEmpty || url.path == "/", url.query == nil else {
                        throw KtxError(.badRemoteURL,
                                       zh: "地址“\(trimmed)”无效：请写成 https://主机:端口，例如 https://hub.example.cn:8080",
                                       en: "invalid address '\(trimmed)': write it as https://HOST:PORT, e.g. https://hub.example.cn:8080")
                    }
                    guard let tokenEnv else {
                        throw KtxError(.badRemoteLocation,
                                       zh: "查看 HTTP 同步服务器需要县级令牌：把令牌放进环境变量后用 --token-env 变量名；或先用 ktx remote add 名称 地址 --token 县级令牌 添加，再用 ktx hub status 名称",
                                       en: "an HTTP hub is looked at with a county token: put it in an environment variable and add --token-env VAR, or add the hub first (`ktx remote add NAME URL --token COUNTY_TOKEN`) and run `ktx hub status NAME`")
                    }
                    guard let token = ProcessInfo.processInfo.environment[tokenEnv], !token.isEmpty else {
                        throw KtxError(.badRemoteLocation,
                                       zh: "环境变量 \(tokenEnv) 未设置或为空：请把县级令牌放进去",
                                       en: "environment variable \(tokenEnv) is not set or empty: put the county token in it")
                    }
                    http = (trimmed, token)
                }
                if let http {
                    let hub = HTTPHub(url: http.location, token: http.token, replica: nil, scope: nil)
                    // A township's token is not told about other PCs: never "all flowing" for it.
                    let notCounty = KtxError(.hubForbidden,
                                             zh: "这个令牌不是县级令牌：只有县科协的令牌能看到哪些电脑的记录未能送达",
                                             en: "this token is not a county token: only the county's token sees which PCs' records are not flowing")
                    let status: HubAPI.Status
                    do {
                        status = try await hub.status()
                    } catch let error as KtxError where error.code == .hubForbidden {
                        throw notCounty
                    }
                    let problems = FlowProblem.fromHub(status.notFlowing, remote: given, now: 0)
                    var lines = [lang.pick(zh: "同步服务器 \(http.location)", en: "hub \(http.location)")]
                    lines += problems.isEmpty ? [lang.pick(zh: "所有电脑的记录都能送达", en: "every PC's records are flowing")]
                        : [lang.pick(zh: "记录未能送达的电脑：", en: "PCs whose records are not flowing:")] + problems.map { "  " + $0.message(lang) }
                    // Where each township's year stands, as the hub folds the steps it holds.
                    let renderer = ReportRenderer(language: lang)
                    for y in status.years {
                        let state = YearClose.State(rawValue: y.state)
                        let word = state.map(renderer.stateWord) ?? y.state
                        let when = y.at.map { "（\(Labels.time($0))）" } ?? ""
                        let why = y.reason.map { lang.pick(zh: "：\($0)", en: ": \($0)") } ?? ""
                        lines.append(lang.pick(zh: "\(y.township) \(y.year) 年度：\(word)\(when)\(why)",
                                               en: "\(y.township) \(y.year): \(word)\(y.at.map { " (\(Labels.time($0)))" } ?? "")\(why)"))
                    }
                    Console.out(lines.joined(separator: "\n"))
                    return
                }
                let path = try store.map { try hubFolder(given, in: $0) } ?? URL(fileURLWithPath: given.trimmingSpaces()).standardizedFileURL.path
                try FileHub.requireHub(at: path)
                let remote = try store?.remotes().first { $0.kind == .folder && $0.location == path }
                let pinned = try remote.flatMap { r in try store?.hubKey(remote: r.name) }
                let kept = try pinned.flatMap { try store?.keptRoster(countyKey: $0) }
                let hub = FileHub(path: path, writer: ReplicaID.random(), durable: false, pinnedKey: pinned, cachedRoster: kept)
                let (problems, operations, years) = try await HubInspection.inspect(hub)
                let governance = try await hub.currentGovernance()
                let pending = try await FileHub.pendingEnrolments(at: path, governance: governance)
                let pcs = try await hub.summary()
                var lines = [lang.pick(zh: "同步文件夹 \(path)：\(pcs.count) 台电脑的 \(operations) 条操作可合并",
                                       en: "hub folder \(path): \(operations) operations of \(pcs.count) PCs can be merged")]
                if let governance {
                    lines.append(lang.pick(zh: "由县科协管理，公钥指纹 \(FileHub.fingerprint(of: governance.countyKey))；已批准 \(governance.roster.members.count) 台，等待批准 \(pending.count) 台",
                                           en: "governed by the county, key \(FileHub.fingerprint(of: governance.countyKey)); \(governance.roster.members.count) PCs enrolled, \(pending.count) waiting"))
                }
                if problems.isEmpty {
                    lines.append(lang.pick(zh: "所有电脑的记录都能送达", en: "every PC's records are flowing"))
                } else {
                    lines.append(lang.pick(zh: "记录未能送达的电脑：", en: "PCs whose records are not flowing:"))
                    lines += problems.map { "  " + $0.message(lang) }
                }
                lines += years.map { yearStandingLine($0, lang) }
                Console.out(lines.joined(separator: "\n"))
            }

            func validate() throws {
                guard ReplicaSummary.staleDaysRange.contains(days) else {
                    throw ValidationError(options.language.pick(zh: "--days 须在 1 到 3650 之间", en: "--days must be from 1 to 3650"))
                }
            }

            func run() async throws {
                if let folder {
                    try await reportingErrors(options) { try await folderStatus(folder) }
                    return
                }
                try await reportingErrors(options) {
                    let lang = options.language
                    if database.database == nil {
                        let path = try options.hubDatabasePath()
                        guard FileManager.default.fileExists(atPath: path) else { throw KtxError(.cannotRead, zh: "没有同步服务器数据库 \(path)", en: "there is no hub database at \(path)") }
                    }
                    var summaries: [ReplicaSummary] = []
                    try await withHub(options, database, needsView: true) { hub in
                        try await hub.refresh(details: true)
                        summaries = try hub.view.replicaSummaries()
                    }
                    let now = Int64(Date().timeIntervalSince1970 * 1000)
                    let townships = Dictionary(grouping: summaries, by: \.township).sorted { $0.key < $1.key }
                    func refused(_ pcs: [ReplicaSummary]) -> Int64 { pcs.flatMap(\.refusals).reduce(0) { $0 + $1.operations } }
                    func clock(_ pcs: [ReplicaSummary]) -> Int64 {
                        pcs.flatMap(\.refusals).filter(\.isClock).reduce(0) { $0 + $1.operations }
                    }
                    switch format {
                    case .json:
                        Console.out(JSONValue.array(townships.map { name, pcs in
                            .object([("township", .string(name)), ("pcs", .int(pcs.count)),
                                     ("last_sync", pcs.compactMap(\.lastSeen).max().map { .string(Labels.time($0)) } ?? .null),
                                     ("stale_pcs", .array(pcs.filter { $0.isStale(days: days, now: now) }.map { .string($0.replica.hex) })),
                                     ("refused_operations", .int(Int(refused(pcs)))), ("clock_refusals", .int(Int(clock(pcs)))),
                                     ("refusals", .array(pcs.flatMap { pc in pc.refusals.map { r in
                                         .object([("replica", .string(pc.replica.hex)), ("reason", .string(r.code)), ("operations", .int(Int(r.operations))),
                                                  ("last", .string(Labels.time(r.lastAt))), ("message", .string(r.message))]) } }))])
                        }).render())
                    case .text:
                        guard !townships.isEmpty else {
                            Console.out(lang.pick(zh: "还没有电脑向本服务器同步过", en: "no PC has synced with this hub yet"))
                            return
                        }
                        var table = TextTable(headers: [lang.pick(zh: "乡镇", en: "township"), lang.pick(zh: "电脑", en: "PCs"),
                                                        lang.pick(zh: "最近同步", en: "last sync"),
                                                        lang.pick(zh: "超过 \(days) 天未同步", en: "not synced for \(days) days"),
                                                        lang.pick(zh: "被拒收的操作", en: "refused operations"),
                                                        lang.pick(zh: "时钟超前", en: "clock ahead")],
                                              alignments: [.left, .right, .left, .right, .right, .right])
                        for (name, pcs) in townships {
                            table.append([name, String(pcs.count), pcs.compactMap(\.lastSeen).max().map(Labels.time) ?? lang.pick(zh: "从未", en: "never"),
                                          String(pcs.filter { $0.isStale(days: days, now: now) }.count), String(refused(pcs)), String(clock(pcs))])
                        }
                        Console.out(table.render())
                        for pc in summaries {
                            for r in pc.refusals {
                                Console.out(lang.pick(zh: "\(pc.township) \(pc.replica.short)：\(r.operations) 条操作被拒收（\(r.code)，最近 \(Labels.time(r.lastAt))）：\(HubCode.words(r.code, .zh) ?? r.message)",
                                                      en: "\(pc.township) \(pc.replica.short): \(r.operations) operations refused (\(r.code), last \(Labels.time(r.lastAt))): \(r.message)"))
                            }
                        }
                    }
                }
            }
        }

        struct Token: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Manage the hub's access tokens.", subcommands: [Create.self, List.self, Revoke.self])

            struct Create: AsyncParsableCommand {
                static let configuration = CommandConfiguration(
                    abstract: "Create a token and print it once: township (push and read), county (read), admin (manage tokens).")
                @OptionGroup var options: GlobalOptions
                @OptionGroup var database: HubDatabaseOptions
                @Option(help: ArgumentHelp(L("township, county or admin.", "township（乡镇）、county（县科协）或 admin（管理员）。"))) var role: HubRole
                @Option(help: ArgumentHelp(L("For a township token: the township it pushes for.", "乡镇令牌：它代表哪个乡镇推送。"))) var township: String?

                func run() async throws {
                    try await reportingErrors(options) {
                        var created: (id: Int64, secret: String) = (0, "")
                        try await withHub(options, database) { created = try await $0.createToken(role: role, township: township) }
                        let (id, secret) = created
                        Console.error(options.language.pick(zh: "令牌 \(id) 已创建，只显示这一次，请妥善保存：",
                                                            en: "token \(id) created; it is shown only once, keep it safe:"))
                        Console.out(secret)
                    }
                }
            }

            struct List: AsyncParsableCommand {
                static let configuration = CommandConfiguration(abstract: "List the tokens (never their secrets).")
                @OptionGroup var options: GlobalOptions
                @OptionGroup var database: HubDatabaseOptions

                func run() async throws {
                    try await reportingErrors(options) {
                        let lang = options.language
                        var tokens: [HubTokenInfo] = []
                        try await withHub(options, database) { tokens = try await $0.tokens() }
                        var table = TextTable(headers: [lang.pick(zh: "编号", en: "id"), lang.pick(zh: "角色", en: "role"),
                                                        lang.pick(zh: "乡镇", en: "township"), lang.pick(zh: "创建", en: "created"),
                                                        lang.pick(zh: "状态", en: "status")],
                                              alignments: [.right, .left, .left, .left, .left])
                        for t in tokens {
                            table.append([String(t.id), t.role.rawValue, t.township ?? "", Labels.time(t.createdAtMillis),
                                          t.revokedAtMillis.map { lang.pick(zh: "已吊销 ", en: "revoked ") + Labels.time($0) }
                                              ?? lang.pick(zh: "有效", en: "active")])
                        }
                        Console.out(table.render())
                    }
                }
            }

            struct Revoke: AsyncParsableCommand {
                static let configuration = CommandConfiguration(abstract: "Revoke a token: it is refused from then on.")
                @OptionGroup var options: GlobalOptions
                @OptionGroup var database: HubDatabaseOptions
                @Argument(help: ArgumentHelp(L("The token's id, from `ktx hub token list`.", "令牌编号，见 ktx hub token list。"))) var id: Int64

                func run() async throws {
                    try await reportingErrors(options) {
                        try await withHub(options, database) { try await $0.revokeToken(id: id) }
                    }
                }
            }
        }
    }
}

extension HubRole: ExpressibleByArgument {}

/// `--database URL` (a hub on PostgreSQL, in place of `--db PATH`) and where its password is.
struct HubDatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        L("The hub's PostgreSQL database, postgres://USER@HOST:PORT/DB, in place of --db (then --db names this node's copy of the hub, default $XDG_STATE_HOME/ktx/hub-view-HOST-PORT-DB.db, one per node). The password comes from PGPASSWORD or --password-file, never from the address.",
          "集线器的 PostgreSQL 数据库 postgres://用户@主机:端口/数据库，代替 --db（此时 --db 为本节点的副本，默认 $XDG_STATE_HOME/ktx/hub-view-主机-端口-数据库.db，每个节点一份）。密码取自 PGPASSWORD 或 --password-file，不写在地址里。"),
        valueName: "url"))
    var database: String?

    @Option(name: .customLong("password-file"), help: ArgumentHelp(
        L("A file whose first line is the PostgreSQL password.", "第一行为 PostgreSQL 密码的文件。"), valueName: "path"))
    var passwordFile: String?

    /// The PostgreSQL database, if one is named.
    func location() throws -> PostgresLocation? {
        guard let database else {
            if passwordFile != nil {
                throw KtxError(.badDatabaseURL, zh: "--password-file 须与 --database 一起使用", en: "--password-file goes with --database")
            }
            return nil
        }
        let password = try passwordFile.map(PostgresLocation.password(fromFile:))
            ?? ProcessInfo.processInfo.environment["PGPASSWORD"]
        return try PostgresLocation(url: database, password: password)
    }

    /// This node's copy of a PostgreSQL hub: `--db`, else one of its own in the user's state
    /// folder, named after this machine, the port it serves and the database, so any number of
    /// nodes start from the same folder (on one machine or sharing a home) with no option.
    static func viewPath(_ options: GlobalOptions, port: Int, database: PostgresLocation) -> String {
        if let db = options.db, !db.isEmpty { return db }
        let env = ProcessInfo.processInfo.environment
        let state = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((env["HOME"] ?? NSHomeDirectory()) + "/.local/state")
        let safe = { (text: String) in String(text.unicodeScalars.map { CharacterSet.alphanumerics.contains($0) || $0 == "." ? Character($0) : "_" }) }
        return "\(state)/ktx/hub-view-\(safe(ProcessInfo.processInfo.hostName))-\(port)-\(safe(database.database)).db"
    }

    /// The hub the command names: the SQLite file at `--db`, or the PostgreSQL database.
    ///
    /// - Parameter needsView: whether the command reads the hub's operations (else a PostgreSQL
    ///   hub gets a throw-away copy, never filled).
    ///   A command's copy is `--db` when given (kept between runs), else a throw-away one.
    func open(_ options: GlobalOptions, needsView: Bool, logger: Logger = Logger(label: "ktx.hub")) async throws -> any HubBackend {
        if let location = try location() {
            let kept = options.db.flatMap { $0.isEmpty ? nil : $0 }
            let hub = try await PostgresHub.open(location, viewPath: kept, logger: logger)
            if needsView && kept == nil { try await hub.refresh(details: true) }
            return hub
        }
        return try options.openHub(at: try options.hubDatabasePath())
    }
}

/// Runs `body` on the hub the options name, closing a PostgreSQL hub's connections after.
func withHub(_ options: GlobalOptions, _ database: HubDatabaseOptions, needsView: Bool = false,
             _ body: (any HubBackend) async throws -> Void) async throws {
    var logger = Logger(label: "ktx.hub")
    logger.logLevel = .warning
    let hub = try await database.open(options, needsView: needsView, logger: logger)
    do {
        try await body(hub)
    } catch {
        await hub.close()
        throw error
    }
    await hub.close()
}

extension GlobalOptions {
    /// Hub commands name their database explicitly, never the replica default.
    func hubDatabasePath() throws -> String {
        guard let db, !db.isEmpty else {
            throw KtxError.missingField("--db HUB.db")
        }
        return db
    }
}

/// The county replica at `--db`, able to sign its hub folder's roster.
func countySigner(_ store: Store) throws -> CountySigner {
    let me = try store.identity()
    return CountySigner(replica: me.replica, township: me.township, key: try store.publicKey().key,
                        sign: { try store.sign($0) })
}

/// The folder a county command names, the county replica at `--db` that governs it, the
/// roster that replica kept, and the folder's governance read with it (`not-the-county` if
/// this replica does not govern the folder).
func governedFolder(_ folder: String, _ options: GlobalOptions) throws
    -> (path: String, store: Store, signer: CountySigner, kept: SignedDocument?, governance: Governance) {
    let store = try options.openStore()
    let path = try hubFolder(folder, in: store)
    let signer = try countySigner(store)
    let kept = try store.keptRoster(countyKey: signer.key)
    return (path, store, signer, kept, try FileHub.governance(at: path, for: signer, cached: kept))
}

/// Keeps the roster the county just wrote in its own replica (a folder later holding an
/// older one, or none, is read with it).
@discardableResult
func keepRoster(of path: String, signer: CountySigner, in store: Store) throws -> Governance? {
    let governance = try FileHub.readGovernance(at: path, pinned: signer.key, cached: nil).0
    if let governance {
        try store.keepRoster(countyKey: signer.key, serial: governance.roster.serial, governance.document)
    }
    return governance
}

/// A hub folder given as a path or as the name of a folder remote.
func hubFolder(_ given: String, in store: Store) throws -> String {
    let trimmed = given.trimmingSpaces()
    if !trimmed.contains("/"), !FileManager.default.fileExists(atPath: trimmed),
       let remote = try store.remotes().first(where: { $0.name == trimmed && $0.kind == .folder }) {
        return remote.location
    }
    return URL(fileURLWithPath: trimmed).standardizedFileURL.path
}

/// A replica named by its id or a unique prefix of at least 6 hex digits.
func resolveReplica(_ given: String, among known: [ReplicaID]) throws -> ReplicaID {
    let hex = given.trimmingSpaces().lowercased()
    if let id = ReplicaID(hex: hex) { return id }
    let matches = Set(known.filter { hex.count >= 6 && $0.hex.hasPrefix(hex) })
    guard matches.count == 1, let id = matches.first else {
        throw KtxError(.unknownRequest,
                       zh: matches.isEmpty ? "没有编号以 \(given) 开头的副本：ktx hub requests 列出申请" : "编号以 \(given) 开头的副本不止一个：请多写几位",
                       en: matches.isEmpty ? "no replica id starts with \(given): `ktx hub requests` lists requests" : "more than one replica id starts with \(given): give more digits")
    }
    return id
}
