import ArgumentParser
import FolderHub
import Foundation
import HubServer
import Logging
import Reporting
import Store
import SyncCore

extension Ktx {
    struct HubCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "hub",
            abstract: "Make the county's hub folder, run its HTTP hub and manage its tokens. 县级同步。",
            subcommands: [Init.self, Serve.self, Token.self])

        struct Init: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Make a folder (shared drive or USB stick) the county's hub folder. 建立同步文件夹。",
                discussion: """
                    The folder is created if missing (its parent must exist) and must be empty otherwise; \
                    a folder that is a hub already is left as it is. Offices then add it with \
                    `ktx remote add NAME FOLDER`; a sync never creates a hub folder.
                    Example: ktx hub init /media/usb/ktx-hub
                    """)

            @OptionGroup var options: GlobalOptions
            @Argument(help: "The folder to make the hub.") var folder: String

            func run() async throws {
                try await reportingErrors(options) {
                    let lang = options.language
                    let path = URL(fileURLWithPath: folder.trimmingSpaces()).standardizedFileURL.path
                    switch try FileHub.create(at: path) {
                    case .created:
                        Console.out(lang.pick(zh: "已建立同步文件夹 \(path)；各办公室用 ktx remote add 名称 \(path) 添加它",
                                              en: "made hub folder \(path); offices add it with `ktx remote add NAME \(path)`"))
                    case .existing(let replicas):
                        Console.out(lang.pick(zh: "\(path) 已是同步文件夹（有 \(replicas.count) 个副本的操作），未做更改；其中的副本：",
                                              en: "\(path) is a hub folder already (operations of \(replicas.count) replicas); nothing changed; the replicas in it:"))
                        let hub = FileHub(path: path, writer: ReplicaID.random())
                        var table = TextTable(headers: [lang.pick(zh: "副本", en: "replica"), lang.pick(zh: "乡镇", en: "township"),
                                                        lang.pick(zh: "操作", en: "operations"), lang.pick(zh: "签名", en: "signed")],
                                              alignments: [.left, .left, .right, .left])
                        for r in try await hub.summary() {
                            table.append([r.replica.short, r.township ?? "", String(r.operations),
                                          r.signed ? lang.pick(zh: "是", en: "yes") : lang.pick(zh: "否（0.3 以前）", en: "no (before 0.3)")])
                        }
                        Console.out(table.render())
                    }
                }
            }
        }

        struct Serve: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Serve the hub over HTTP until SIGINT or SIGTERM.",
                discussion: "Example: ktx hub serve --db /srv/ktx/hub.db --host 0.0.0.0 --port 8080")

            @OptionGroup var options: GlobalOptions
            @Option(help: "The address to listen on.") var host: String = "127.0.0.1"
            @Option(help: "The port to listen on, 1 to 65535.") var port: Int = 8080
            @Option(name: .customLong("max-skew-hours"), help: "Refuse operations dated more than this many hours ahead of the hub's clock.")
            var maxSkewHours: Int = 24

            func validate() throws {
                guard (1...65_535).contains(port) else {
                    throw ValidationError(KtxError.badPort(String(port)).message(options.language))
                }
                guard (1...24 * 365).contains(maxSkewHours) else {
                    throw ValidationError(options.language.pick(zh: "--max-skew-hours 须在 1 到 8760 之间", en: "--max-skew-hours must be from 1 to 8760"))
                }
            }

            func run() async throws {
                try await reportingErrors(options) {
                    let path = try options.hubDatabasePath()
                    var logger = Logger(label: "ktx.hub")
                    logger.logLevel = .info
                    try await serveHub(HubConfiguration(
                        databasePath: path, host: host, port: port,
                        maxClockSkewMillis: Int64(maxSkewHours) * 3_600_000, logger: logger))
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
                @Option(help: "township, county or admin.") var role: HubRole
                @Option(help: "For a township token: the township it pushes for.") var township: String?

                func run() async throws {
                    try await reportingErrors(options) {
                        let store = try options.openHub(at: try options.hubDatabasePath())
                        let (id, secret) = try store.createToken(role: role, township: township)
                        Console.error(options.language.pick(zh: "令牌 \(id) 已创建，只显示这一次，请妥善保存：",
                                                            en: "token \(id) created; it is shown only once, keep it safe:"))
                        Console.out(secret)
                    }
                }
            }

            struct List: AsyncParsableCommand {
                static let configuration = CommandConfiguration(abstract: "List the tokens (never their secrets).")
                @OptionGroup var options: GlobalOptions

                func run() async throws {
                    try await reportingErrors(options) {
                        let lang = options.language
                        let store = try options.openHub(at: try options.hubDatabasePath())
                        var table = TextTable(headers: [lang.pick(zh: "编号", en: "id"), lang.pick(zh: "角色", en: "role"),
                                                        lang.pick(zh: "乡镇", en: "township"), lang.pick(zh: "创建", en: "created"),
                                                        lang.pick(zh: "状态", en: "status")],
                                              alignments: [.right, .left, .left, .left, .left])
                        for t in try store.tokens() {
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
                @Argument(help: "The token's id, from `ktx hub token list`.") var id: Int64

                func run() async throws {
                    try await reportingErrors(options) {
                        try options.openHub(at: try options.hubDatabasePath()).revokeToken(id: id)
                    }
                }
            }
        }
    }
}

extension HubRole: ExpressibleByArgument {}

extension GlobalOptions {
    /// Hub commands name their database explicitly, never the replica default.
    func hubDatabasePath() throws -> String {
        guard let db, !db.isEmpty else {
            throw KtxError.missingField("--db HUB.db")
        }
        return db
    }
}
