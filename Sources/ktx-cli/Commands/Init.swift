import ArgumentParser
import Store
import SyncCore

extension Ktx {
    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the replica for a township and print its replica id. 创建本乡镇的副本。")

        @OptionGroup var options: GlobalOptions

        @Option(help: ArgumentHelp(L("The township (or county office) this replica records for, e.g. 河西镇.", "本副本为哪个乡镇（或县科协）记录，例如 河西镇。")))
        var township: String?

        func run() async throws {
            try await reportingErrors(options) {
                guard let township else { throw KtxError.missingField("--township") }
                let store = try Store.create(at: options.databasePath, township: township)
                Console.out(try store.identity().replica.hex)
            }
        }
    }
}
