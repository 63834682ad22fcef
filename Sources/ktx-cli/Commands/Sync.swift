import ArgumentParser
import Foundation
import HubClient
import Store
import FolderHub
import SyncCore

extension Ktx {
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push what the hub lacks and pull what this replica lacks. 与远端同步。",
            discussion: "Safe to interrupt and to repeat: the next sync resumes where this one stopped.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: "The remote to sync with; may be omitted when there is only one.") var remote: String?
        @Option(help: "text or json.") var format: TextFormat = .text

        func run() async throws {
            try await reportingErrors(options) {
                let lang = options.language
                let store = try options.openStore()
                let target = try store.resolveRemote(remote)
                let me = try store.identity()
                let hub: any Hub = switch target.kind {
                case .folder: FileHub(path: target.location, writer: me.replica)
                case .http: HTTPHub(url: target.location, token: try store.token(for: target))
                }
                let batchSize = 2_000
                let meter = ProgressMeter(language: lang, batchSize: batchSize)
                let session = SyncSession(store: store, hub: hub, remote: target.name, batchSize: batchSize,
                                          progress: { meter.update($0) })
                let report = try await session.run()
                meter.finish()
                Console.warnings(report.warnings.map { $0.message(lang) }, language: lang)
                Console.warnings(report.refused.map { $0.message(lang) }, language: lang)
                switch format {
                case .text:
                    Console.out(lang.pick(
                        zh: "已与 \(target.name)（\(target.location)）同步：推送 \(report.pushed) 条操作，拉取 \(report.pulled) 条操作",
                        en: "synced with \(target.name) (\(target.location)): pushed \(report.pushed) operations, pulled \(report.pulled)"))
                case .json:
                    Console.out(JSONValue.object([
                        ("remote", .string(target.name)),
                        ("location", .string(target.location)),
                        ("pushed", .int(report.pushed)),
                        ("pulled", .int(report.pulled)),
                        ("warnings", .array(report.warnings.map { w in
                            .object([("file", .string(w.file)), ("reason", .string(w.reason.rawValue)), ("detail", .string(w.detail))])
                        })),
                        ("refused", .array(report.refused.map { r in
                            .object([("source", .string(r.source)), ("replica", .string(r.replica.hex)),
                                     ("seq", .int(Int(r.seq))), ("reason", .string(r.reason.rawValue))])
                        })),
                    ]).render())
                }
            }
        }
    }
}
