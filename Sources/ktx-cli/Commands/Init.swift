import ArgumentParser
import KtxWords
import Store
import SyncCore

extension Ktx {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the replica for a township and print its replica id. 创建本乡镇的副本。")

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp(L("The township (or county office) this replica records for, e.g. 河西镇.", "本副本为哪个乡镇（或县科协）记录，例如 河西镇。")))
        var township: String?

        @Flag(help: ArgumentHelp(L("This is the county office's PC: it may set indicator values and notes (its records go under --township, 县科协 when omitted).",
                                   "这是县科协的电脑：可以填报指标值和偏差原因（其活动记在 --township 名下，省略时为“县科协”）。")))
        var county = false

        func run() async throws {
            try await reportingErrors(options) {
                guard let township = township ?? (county ? Store.countyOffice : nil) else { throw KtxError.missingField(.township) }
                let store = try Store.create(at: options.databasePath, township: township, role: county ? .county : .township)
                Console.out(try store.identity().replica.hex)
            }
        }
    }
}
