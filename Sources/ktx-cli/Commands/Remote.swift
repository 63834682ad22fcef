import ArgumentParser
import FolderHub
import Reporting
import Store
import SyncCore

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
            @Argument(help: "A name for the hub, e.g. county or usb.") var name: String
            @Argument(help: "The hub's folder, or http(s)://HOST:PORT of `ktx hub serve`.") var location: String
            @Option(help: "For an HTTP hub: the token from the county (stored in a file only you can read).") var token: String?
            @Option(name: .customLong("token-env"), help: ArgumentHelp("For an HTTP hub: read the token from this environment variable at each sync instead.", valueName: "var"))
            var tokenEnv: String?

            func run() async throws {
                try await reportingErrors(options) {
                    let store = try options.openStore()
                    try store.addRemote(name: name, location: location, token: token, tokenEnv: tokenEnv) { folder in
                        try FileHub.requireHub(at: folder)
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
            @Argument(help: "The hub's name.") var name: String

            func run() async throws {
                try await reportingErrors(options) {
                    try options.openStore().removeRemote(name: name)
                }
            }
        }
    }
}
