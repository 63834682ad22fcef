import ArgumentParser
import KtxWords
import Store
import SyncCore

extension Ktx {
    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change an activity's title, date, venue, kind, project or notes. 修改活动信息。")

        @OptionGroup var options: GlobalOptions

        @Argument(help: ArgumentHelp(L("The activity id.", "活动编号。"))) var id: String
        @Option(help: ArgumentHelp(L("A new title.", "新的标题。"))) var title: String?
        @Option(help: ArgumentHelp(L("A new date.", "新的日期。"), valueName: "YYYY-MM-DD")) var date: String?
        @Option(help: ArgumentHelp(L("A new venue (empty to clear).", "新的地点（留空则清除）。"))) var venue: String?
        @Option(help: ArgumentHelp(L("A new kind, by Chinese name or code.", "新的活动类型，中文名或代码。")), completion: kindCompletion) var kind: String?
        @Option(help: ArgumentHelp(L("A new budget project code (empty to clear).", "新的预算项目编码（留空则清除）。"), valueName: "code")) var project: String?
        @Option(help: ArgumentHelp(L("New notes (备注; empty to clear).", "新的备注（留空则清除）。"), valueName: "text")) var notes: String?

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let activity = try parseID(id)
                let before = try store.activity(activity)?.date
                try store.edit(activity, ActivityEdit(title: title, date: date, venue: venue, kind: kind, project: project, notes: notes))
                warnIfUnlikely(date, options.language)
                try warnIfAmendment(store, dates: [before, date], options.language)
                // One line saying what the activity now says.
                let labels = Labels(language: options.language, catalog: store.catalog)
                guard let now = try store.activity(activity) else { return }
                let changed: [(Field, String?)] = [(.title, title.map { _ in now.title ?? "" }), (.date, date.map { _ in now.date ?? "" }),
                                                   (.venue, venue.map { _ in now.venue ?? "" }), (.kind, kind.map { _ in labels.kindName(now.kind) }),
                                                   (.project, project.map { _ in now.project ?? "" }), (.notes, notes.map { _ in now.notes ?? "" })]
                let parts = changed.compactMap { field, value in value.map { "\(labels.field(field)) → \($0.isEmpty ? "—" : $0)" } }
                Console.out(options.language.pick(zh: "已修改 \(activity)：", en: "changed \(activity): ") + parts.joined(separator: options.language.pick(zh: "；", en: "; ")))
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete an activity: it leaves every total on every replica. 删除活动。",
            discussion: """
                Shows the activity and asks on a terminal; elsewhere (a script) give --yes. \
                A deleted activity can be brought back as a new one with `ktx restore ID`.
                """)

        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp(L("The activity id.", "活动编号。"))) var id: String
        @Flag(help: ArgumentHelp(L("Delete without asking (required when not on a terminal).", "不询问直接删除（不在终端上运行时必须加）。"))) var yes = false

        func run() async throws {
            try await reportingErrors(options) {
                let lang = options.language
                let store = try options.openStore()
                let activity = try parseID(id)
                guard let record = try store.activity(activity) else { throw KtxError.unknownActivity(activity.rawValue) }
                if record.deleted { throw KtxError.activityDeleted(activity.rawValue) }
                let summary = oneLine(record, Labels(language: lang, catalog: store.catalog))
                if !yes {
                    guard Console.stdinIsTerminal else {
                        throw KtxError(.notConfirmed, zh: "删除 \(summary) 须确认：请加 --yes", en: "deleting \(summary) needs confirming: add --yes")
                    }
                    Console.prompt(lang.pick(zh: "删除 \(summary)？各副本同步后都会删除。输入 y 确认：",
                                             en: "delete \(summary)? It leaves every replica once synced. Type y to confirm: "))
                    guard let answer = readLine()?.trimmingSpaces().lowercased(), ["y", "yes", "是"].contains(answer) else {
                        Console.out(lang.pick(zh: "未删除", en: "not deleted"))
                        return
                    }
                }
                try store.delete(activity)
                Console.out(lang.pick(zh: "已删除 \(summary)；如需恢复：ktx restore \(activity)",
                                      en: "deleted \(summary); to bring it back: ktx restore \(activity)"))
                try warnIfAmendment(store, dates: [record.date], lang)
            }
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Bring a deleted activity back as a new one, with its fields and quantities. 恢复已删除的活动。",
            discussion: "Prints the new activity's id, as `ktx record` does. Example: ktx restore 3fa9c2d1b0e4-17")

        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp(L("The deleted activity's id.", "已删除活动的编号。"))) var id: String

        func run() async throws {
            try await reportingErrors(options) {
                let lang = options.language
                let store = try options.openStore()
                let old = try parseID(id)
                let new = try store.restore(old)
                guard let record = try store.activity(new) else { return }
                // The new id alone on stdout, as `record` prints it; what happened on stderr.
                Console.error("ktx: " + lang.pick(zh: "已恢复为新活动（原 \(old) 仍为已删除）：", en: "restored as a new activity (\(old) stays deleted): ")
                              + oneLine(record, Labels(language: lang, catalog: store.catalog)))
                Console.out(new.rawValue)
            }
        }
    }
}

/// An activity in one line: `ID 科技下乡 2023-05-20 果树修剪培训（参加人次 155）`.
func oneLine(_ a: ActivityRecord, _ labels: Labels) -> String {
    let attendance = a.quantities["attendance"].map { labels.language.pick(zh: "（参加人次 \($0)）", en: " (attendance \($0))") } ?? ""
    return "\(a.id) \(labels.kindName(a.kind)) \(a.date ?? "") \(a.title ?? "")\(attendance)"
}
