import ArgumentParser
import FolderHub
import Foundation
import HubClient
import KtxWords
import Store
import SyncCore

extension Ktx {
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Push what the hub lacks and pull what this replica lacks. 与远端同步。",
            discussion: "Safe to interrupt and to repeat: the next sync resumes where this one stopped.")

        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp(L("The remote to sync with; may be omitted when there is only one.", "要同步的远端；只有一个时可省略。"))) var remote: String?
        @Option(help: ArgumentHelp(L("text or json.", "text（文字）或 json。"))) var format: TextFormat = .text

        func run() async throws {
            try await reportingErrors(options) {
                let lang = options.language
                let store = try options.openStore()
                let batchSize = 2_000
                let meter = ProgressMeter(language: lang, batchSize: batchSize)
                let outcome = try await performSync(store: store, remote: remote, language: lang, batchSize: batchSize,
                                                    progress: { meter.update($0) })
                meter.finish()
                for line in outcome.messages { Console.error("ktx: " + line) }
                let report = outcome.report
                let target = outcome.target
                switch format {
                case .text:
                    Console.out(lang.pick(zh: outcome.summary.zh, en: outcome.summary.en))
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
                        ("held", .array(report.held.map { h in
                            .object([("source", .string(h.source)), ("replica", .string(h.replica.hex)),
                                     ("township", h.township.map(JSONValue.string) ?? .null),
                                     ("seq", .int(Int(h.seq))), ("ahead_ms", .int(Int(h.aheadMillis)))])
                        })),
                        ("enrolment", .string({ switch report.enrolment {
                            case .open: "open"
                            case .enrolled(let role): "enrolled-" + role.rawValue
                            case .waiting: "waiting"
                            case .revoked: "revoked" } }())),
                        ("continued_as", (report.recovery?.continuation ?? report.continuation).map { .string($0.replica.hex) } ?? .null),
                        ("left_out", .array((report.recovery?.leftOut ?? []).map { r in
                            .object([("replica", .string(r.replica.hex)), ("seq", .int(Int(r.seq))), ("code", .string(r.reason.rawValue)),
                                     ("message", .string(r.reason.message(lang)))])
                        })),
                        ("clock_ahead_of_hub_ms", report.clockAheadOfHub.map { .int(Int($0)) } ?? .null),
                        ("clock_ahead_of_others_ms", report.clockAheadOfOthers.map { .int(Int($0)) } ?? .null),
                        ("push_refused", .array(report.pushRefusals.map { .string($0.message(lang)) })),
                    ]).render())
                }
                if !outcome.succeeded { throw ExitCode(1) }
            }
        }
    }
}

/// What a sync did, and the messages a clerk must read: the same for `ktx sync` and the sync
/// button of `ktx ui`.
struct SyncOutcome {
    var target: Remote
    var report: SyncReport
    /// Warnings and what to do, in the user's language, one per line.
    var messages: [String]
    /// False when data went nowhere (a clock ahead, a refused push, a revoked PC): never a success.
    var succeeded: Bool

    var summary: (zh: String, en: String) {
        ("已与 \(target.name)（\(target.location)）同步：推送 \(report.pushed) 条操作，拉取 \(report.pulled) 条操作",
         "synced with \(target.name) (\(target.location)): pushed \(report.pushed) operations, pulled \(report.pulled)")
    }
}

/// Syncs this replica with a remote (the only one when `remote` is nil), keeps what a
/// governed folder's county key and roster say, and words every warning.
func performSync(store: Store, remote: String?, language lang: Language, batchSize: Int = 2_000,
                 progress: (@Sendable (SyncProgress) -> Void)?) async throws -> SyncOutcome {
    let target = try store.resolveRemote(remote)
    let me = try store.identity()
    let pinned = try store.hubKey(remote: target.name)
    let kept = try pinned.flatMap { try store.keptRoster(countyKey: $0) }
    let folder: FileHub?
    let hub: any Hub
    switch target.kind {
    case .folder:
        let files = FileHub(path: target.location, writer: me.replica, pinnedKey: pinned, cachedRoster: kept,
                            scope: target.scope == .township ? me.township : nil)
        (folder, hub) = (files, files)
    case .http:
        folder = nil
        hub = HTTPHub(url: target.location, token: try store.token(for: target), replica: me.replica, scope: target.scope?.rawValue)
    }
    let session = SyncSession(store: store, hub: hub, remote: target.name, batchSize: batchSize, progress: progress)
    let report = try await session.run()
    var messages: [String] = []
    // A governed folder: its county key is pinned (if the folder was governed after
    // it was added) and the newest verified roster kept.
    if let governance = try await folder?.currentGovernance() {
        if pinned == nil {
            try store.pinHubKey(remote: target.name, key: governance.countyKey)
            messages.append(lang.pick(
                zh: "同步文件夹现由县科协管理，已记下其公钥指纹 \(FileHub.fingerprint(of: governance.countyKey))",
                en: "the hub folder is now governed by the county; its key \(FileHub.fingerprint(of: governance.countyKey)) is pinned"))
        }
        if governance.document != kept {
            try store.keepRoster(countyKey: governance.countyKey, serial: governance.roster.serial, governance.document)
        }
    } else if let folder {
        // A folder made before 0.3 and not adopted: nobody's rights are checked on it.
        messages.append(lang.pick(
            zh: "同步文件夹 \(folder.location) 尚未由县科协管理（0.3 以前建立）：各乡镇的修改权限在此无法核对。请县科协在其电脑上运行 ktx hub init \(folder.location)",
            en: "hub folder \(folder.location) is not governed by the county (made before 0.3): townships' rights cannot be checked on it. Ask the county to run `ktx hub init \(folder.location)` on its PC"))
    }
    switch report.enrolment {
    case .waiting:
        // "Pushed" only when they were: a PC whose clock is ahead pushed nothing yet.
        let pushedOrNot = report.pushed > 0
            ? lang.pick(zh: "记录已推送，不会丢失", en: "they were pushed; nothing is lost")
            : lang.pick(zh: "记录保存在本机，不会丢失", en: "they are kept on this PC; nothing is lost")
        messages.append(FlowProblem.waitingForApproval(fingerprint: try store.publicKey().fingerprint, lang)
                        + lang.pick(zh: "（\(pushedOrNot)）", en: " (\(pushedOrNot))"))
    case .revoked(let after):
        messages.append(lang.pick(
            zh: "县科协已停用本机：本机第 \(after) 条以后的操作不会被合并。请与县科协联系",
            en: "the county has revoked this PC: its operations after seq \(after) are not merged anywhere. Contact the county"))
    case .open, .enrolled: break
    }
    messages += Console.limited(report.warnings.map { $0.message(lang) }, language: lang)
    messages += Console.limited(report.refused.map { $0.message(lang) }, language: lang)
    messages += Console.limited(report.held.map { $0.message(lang) }, language: lang)
    if let repair = report.clockRepair { messages.append(repair.message(lang)) }
    if let continuation = report.continuation { messages.append(continuation.message(lang)) }
    if let recovery = report.recovery { messages.append(recovery.message(lang)) }
    if let ahead = report.clockAheadOfHub {
        messages.append(lang.pick(
            zh: "本机时钟比同步服务器快 \(ClockPolicy.describe(millis: ahead, .zh))：请把电脑时间改正确后再同步；时间在未来的本机操作暂未推送，已保存在本机，不会丢失",
            en: "this PC's clock is \(ClockPolicy.describe(millis: ahead, .en)) ahead of the hub's: set the PC's time right and sync again; this PC's operations dated in the future were not pushed, they are kept here and nothing is lost"))
    }
    if let ahead = report.clockAheadOfOthers {
        messages.append(lang.pick(
            zh: "本机有操作的日期比其他办公室最新的记录晚 \(ClockPolicy.describe(millis: ahead, .zh))：电脑时间可能不准，请改正确后再同步；这些操作暂未推送，已保存在本机，不会丢失",
            en: "this PC has operations dated \(ClockPolicy.describe(millis: ahead, .en)) after the newest record of any other office: the PC's clock is probably wrong; set it right and sync again; those operations were not pushed, they are kept here and nothing is lost"))
    }
    for refusal in report.pushRefusals { messages.append(refusal.message(lang)) }
    // Data that went nowhere is never a success.
    var succeeded = report.clockAheadOfHub == nil && report.clockAheadOfOthers == nil && report.pushRefusals.isEmpty
    if case .revoked = report.enrolment { succeeded = false }
    return SyncOutcome(target: target, report: report, messages: messages, succeeded: succeeded)
}
