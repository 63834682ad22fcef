import ArgumentParser
import FolderHub
import KtxWords
import Reporting
import Store
import SyncCore

/// `--scope` of `ktx remote add`.
enum ScopeOption: String, ExpressibleByArgument, CaseIterable { case everything, township }

extension Ktx {
    struct RemoteCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remote",
            abstract: "Manage the hubs this replica syncs with. 管理同步远端。",
            subcommands: [Add.self, List.self, Remove.self])

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a hub: a hub folder (shared drive or USB stick, made by the county with `ktx hub init`) or the county's https://HOST:PORT.",
                discussion: "Examples: ktx remote add usb /media/usb/ktx   ktx remote add county https://hub.example.cn:8080 --token ktx_…")

            @OptionGroup var options: GlobalOptions
            @Argument(help: ArgumentHelp(L("A name for the hub, e.g. county or usb.", "给远端起的名字，例如 county 或 usb。"))) var name: String
            @Argument(help: ArgumentHelp(L("The hub's folder, or http(s)://HOST:PORT of `ktx hub serve`.", "同步文件夹，或 ktx hub serve 的 http(s)://主机:端口。"))) var location: String
            @Option(help: ArgumentHelp(L("For an HTTP hub: the token from the county (stored in a file only you can read).", "HTTP 同步服务器：县科协发的令牌（保存在只有你能读的文件里）。"))) var token: String?
            @Option(name: .customLong("token-env"), help: ArgumentHelp(L("For an HTTP hub: read the token from this environment variable at each sync instead.", "HTTP 同步服务器：每次同步时从这个环境变量读取令牌。"), valueName: "var"))
            var tokenEnv: String?
            @Option(help: ArgumentHelp(L("What to pull: everything (the default, as a county needs), or township: only this township's PCs and the county's (its indicator values), on a large hub.",
                                         "拉取范围：everything（全部，默认，县科协需要）或 township（只拉本乡镇各电脑及县科协的数据，如指标值），适合很大的同步服务器。"),
                                       valueName: "scope"))
            var scope: ScopeOption = .everything

            func run() async throws {
                try await reportingErrors(options) {
                    let lang = options.language
                    let store = try options.openStore()
                    var countyKey: [UInt8]?
                    let pullScope: PullScope? = scope == .township ? .township : nil
                    try store.addRemote(name: name, location: location, token: token, tokenEnv: tokenEnv, scope: pullScope) { folder in
                        try FileHub.requireHub(at: folder)
                        countyKey = try FileHub.readGovernance(at: folder, pinned: nil, cached: nil).0?.countyKey
                        if pullScope != nil, countyKey == nil {
                            throw KtxError(.scopeNeedsRoster,
                                           zh: "只同步本乡镇（--scope township）需要由县科协管理的同步文件夹：请县科协先运行 ktx hub init \(folder)，或去掉 --scope",
                                           en: "pulling only this township (--scope township) needs a folder the county governs: ask the county to run `ktx hub init \(folder)`, or drop --scope")
                        }
                    }
                    // The county's key is pinned now: a folder later governed by another key is refused.
                    if let countyKey {
                        try store.pinHubKey(remote: name, key: countyKey)
                        Console.out(lang.pick(
                            zh: "已添加远端 \(name)。同步文件夹由县科协管理，其公钥指纹 \(FileHub.fingerprint(of: countyKey))（请与县科协核对）",
                            en: "added remote \(name). The hub folder is governed by the county, key \(FileHub.fingerprint(of: countyKey)) (check it with the county)"))
                    } else {
                        Console.out(lang.pick(zh: "已添加远端 \(name)", en: "added remote \(name)"))
                    }
                }
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the hubs.")
            @OptionGroup var options: GlobalOptions

            func run() async throws {
                try await reportingErrors(options) {
                    let lang = options.language
                    let remotes = try options.openStore().remotes()
                    var table = TextTable(headers: [lang.pick(zh: "名称", en: "name"), lang.pick(zh: "位置", en: "location"),
                                                    lang.pick(zh: "未同步", en: "unsynced"), lang.pick(zh: "上次同步", en: "last sync")],
                                          alignments: [.left, .left, .right, .left])
                    for r in remotes {
                        table.append([r.name, r.location, String(r.unsynced),
                                      r.lastSyncMillis.map(Labels.time) ?? lang.pick(zh: "从未", en: "never")])
                    }
                    Console.out(table.render())
                }
            }
        }

        struct Remove: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove a hub (its folder is not touched).")
            @OptionGroup var options: GlobalOptions
            @Argument(help: ArgumentHelp(L("The hub's name.", "远端名称。"))) var name: String

            func run() async throws {
                try await reportingErrors(options) {
                    try options.openStore().removeRemote(name: name)
                }
            }
        }
    }
}
