import ArgumentParser
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
                abstract: "Add a hub: a folder (shared drive or USB stick), created on first sync if missing.")

            @OptionGroup var options: GlobalOptions
            @Argument(help: "A name for the hub, e.g. county or usb.") var name: String
            @Argument(help: "The hub's folder.") var location: String

            func run() async throws {
                try await reportingErrors(options) {
                    try options.openStore().addRemote(name: name, location: location)
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
