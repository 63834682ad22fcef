import ArgumentParser
import KtxWords
import Store
import SyncCore

extension Ktx {
    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Verify this replica: SQLite integrity, every chunk of the log, the tables against a rebuild. 检查副本。",
            discussion: "Changes nothing. Exit status 0 when the replica is sound, 1 when a problem was found (each is named, with what to do).")

        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp(L("text or json.", "text（文字）或 json。"))) var format: TextFormat = .text

        func run() async throws {
            try await reportingErrors(options) {
                let lang = options.language
                let store = try options.openStore()
                let report = try store.check()
                switch format {
                case .json:
                    Console.out(JSONValue.object([
                        ("sound", .bool(report.isSound)),
                        ("chunks", .int(report.chunks)),
                        ("operations", .int(report.operations)),
                        ("problems", .array(report.problems.map { p in
                            .object([("code", .string(p.code)), ("message", .string(p.message(lang)))])
                        })),
                    ]).render())
                case .text:
                    if report.isSound {
                        Console.out(lang.pick(
                            zh: "副本完好：\(report.chunks) 段日志、\(report.operations) 条操作均可读，汇总表与日志重建结果一致",
                            en: "replica sound: \(report.chunks) chunks and \(report.operations) operations read, tables equal a rebuild from the log"))
                    }
                    for p in report.problems { Console.error("ktx: " + p.message(lang)) }
                }
                if !report.isSound { throw ExitCode(1) }
            }
        }
    }
}
