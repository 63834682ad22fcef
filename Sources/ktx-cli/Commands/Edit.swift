import ArgumentParser
import Store
import SyncCore

extension Ktx {
    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an activity's title, date, venue, kind or project. 修改活动信息。")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The activity id.") var id: String
        @Option(help: "A new title.") var title: String?
        @Option(help: ArgumentHelp("A new date.", valueName: "YYYY-MM-DD")) var date: String?
        @Option(help: "A new venue (empty to clear).") var venue: String?
        @Option(help: "A new kind, by Chinese name or code.") var kind: String?
        @Option(help: ArgumentHelp("A new budget project code (empty to clear).", valueName: "code")) var project: String?

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                try store.edit(try parseID(id), ActivityEdit(title: title, date: date, venue: venue, kind: kind, project: project))
                warnIfUnlikely(date, options.language)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an activity: it leaves every total on every replica. 删除活动。")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The activity id.") var id: String

        func run() async throws {
            try await reportingErrors(options) {
                try options.openStore().delete(try parseID(id))
            }
        }
    }
}
