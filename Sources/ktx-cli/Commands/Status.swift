import ArgumentParser
import KtxWords
import Reporting
import Store
import SyncCore

extension Ktx {
    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show this replica: id, township, operations held, what each remote lacks. 查看副本状态。")

        @OptionGroup var options: GlobalOptions
        @Option(help: ArgumentHelp(L("text or json.", "text（文字）或 json。"))) var format: TextFormat = .text

        func run() async throws {
            try await reportingErrors(options) {
                let lang = options.language
                let store = try options.openStore()
                let me = try store.identity()
                let counts = try store.operationCounts()
                let remotes = try store.remotes()
                let digest = try store.stateDigest()
                let newer = try store.newerCodes()
                // The key's fingerprint, to read out on the phone when the county enrols this PC.
                let fingerprint = (try? store.publicKey().fingerprint) ?? ""
                // Records that have not reached the county, and PCs whose records are not flowing.
                let problems = try store.flowProblems()
                let unreached = try remotes.map { try store.unreachedOwnOperations(remote: $0, problems: problems) }
                let others = problems.filter { !$0.own }
                // The year's close: this township's standing on a township PC, every township's
                // on the county's, for each year a step is held for.
                let standings = try store.yearsWithSteps().flatMap { try store.yearStandings($0) }
                    .filter { me.role == .county || $0.township == me.township }
                let newerLine = newer.isEmpty ? nil : lang.pick(
                    zh: "部分操作需要更新版本的 ktx 才能计入汇总（类型：\(newer.kinds.keys.sorted().joined(separator: "、"))；指标：\(newer.metrics.keys.sorted().joined(separator: "、"))）；已保存并照常转发；升级 ktx 后首次打开即自动重建并计入",
                    en: "some operations need a newer ktx to count in totals (kinds: \(newer.kinds.keys.sorted().joined(separator: ", ")); metrics: \(newer.metrics.keys.sorted().joined(separator: ", "))); they are kept and relayed, and count once ktx is upgraded (it rebuilds its tables when it first opens this replica)")
                switch format {
                case .json:
                    Console.out(JSONValue.object([
                        ("replica", .string(me.replica.hex)),
                        ("township", .string(me.township)),
                        ("key_fingerprint", .string(fingerprint)),
                        ("operations", .int(counts.total)),
                        ("own_operations", .int(counts.own)),
                        ("state_digest", .string(digest)),
                        ("needs_newer_ktx", .object([
                            ("kinds", .object(newer.kinds.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                            ("metrics", .object(newer.metrics.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) })),
                        ])),
                        ("remotes", .array(remotes.map { r in
                            .object([("name", .string(r.name)), ("location", .string(r.location)),
                                     ("unsynced", .int(r.unsynced)),
                                     ("scope", .string(r.scope?.rawValue ?? "everything")),
                                     ("last_sync", r.lastSyncMillis.map { .string(Labels.time($0)) } ?? .null)])
                        })),
                        ("not_reached_county", .array(zip(remotes, unreached).map { r, n in
                            .object([("remote", .string(r.name)), ("operations", .int(Int(n))),
                                     ("why", .array(problems.filter { $0.own && $0.remote == r.name }.map { .string($0.message(lang)) }))])
                        })),
                        ("years", .array(standings.map { y in
                            .object([("year", .int(y.year)), ("township", .string(y.township)), ("state", .string(y.standing.state.rawValue)),
                                     ("reason", y.standing.state == .returned ? y.standing.decided?.step.reason.map(JSONValue.string) ?? .null : .null)])
                        })),
                        ("not_flowing", .array(others.map { p in
                            .object([("remote", .string(p.remote)), ("replica", .string(p.replica.hex)), ("township", p.township.map(JSONValue.string) ?? .null),
                                     ("cause", .string(p.cause.rawValue)), ("seq", p.seq.map { .int(Int($0)) } ?? .null),
                                     ("message", .string(p.message(lang)))])
                        })),
                    ]).render())
                case .text:
                    var lines = [
                        lang.pick(zh: "副本：", en: "replica:    ") + me.replica.hex,
                        lang.pick(zh: "乡镇：", en: "township:   ") + me.township,
                        lang.pick(zh: "密钥指纹：", en: "key:        ") + fingerprint,
                        lang.pick(zh: "操作：共 \(counts.total) 条（本副本 \(counts.own) 条）",
                                  en: "operations: \(counts.total) held (\(counts.own) made here)"),
                        lang.pick(zh: "状态摘要：", en: "state:      ") + String(digest.prefix(16)),
                    ]
                    if remotes.isEmpty {
                        lines.append(lang.pick(zh: "远端：无（用 ktx remote add 添加）", en: "remotes:    none (add one with `ktx remote add`)"))
                    }
                    for r in remotes {
                        let last = r.lastSyncMillis.map(Labels.time) ?? lang.pick(zh: "从未同步", en: "never synced")
                        let scope = r.scope == .township ? lang.pick(zh: "，只拉取本乡镇及县科协的数据", en: ", pulls only this township's and the county's data") : ""
                        lines.append(lang.pick(zh: "远端 \(r.name)（\(r.location)）：未同步 \(r.unsynced) 条，上次同步 \(last)\(scope)",
                                               en: "remote \(r.name) (\(r.location)): \(r.unsynced) unsynced, last sync \(last)\(scope)"))
                    }
                    if let newerLine { lines.append(newerLine) }
                    for (r, n) in zip(remotes, unreached) {
                        if let line = FlowProblem.notReachedLine(n, remote: r.name, problems: problems, lang) { lines.append(line) }
                    }
                    for y in standings { lines.append(yearStandingLine(y, lang)) }
                    if me.role == .county {
                        for year in try store.yearsWithSteps() where try store.countyYearClosed(year) {
                            lines.append(lang.pick(zh: "县科协 \(year) 年度：已关闭（各乡镇均已批准）", en: "the county's \(year): closed (every township approved)"))
                        }
                    }
                    if !others.isEmpty {
                        lines.append(lang.pick(zh: "记录未能送达的电脑：", en: "PCs whose records are not flowing:"))
                        for p in others { lines.append("  " + p.message(lang)) }
                    }
                    Console.out(lines.joined(separator: "\n"))
                }
                // A log missing or changed operations is said, whatever the format, and is not a success.
                if let damage = try store.logDamage() {
                    Console.error("ktx: " + damage.message(lang))
                    throw ExitCode(1)
                }
            }
        }
    }

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The operation log, newest first: when, which replica and township, what changed. 查看操作记录。")

        @OptionGroup var options: GlobalOptions
        @Argument(help: ArgumentHelp(L("Only this activity's operations.", "只看这次活动的操作。"))) var id: String?
        @Option(help: ArgumentHelp(L("Show at most this many operations (0 for all).", "最多显示这么多条操作（0 为全部）。"))) var limit: Int = 50

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let activity = try id.map(parseID)
                let entries = try store.log(activity: activity, limit: limit > 0 ? limit : nil)
                let labels = Labels(language: options.language, catalog: store.catalog)
                var table = TextTable(headers: [
                    options.language.pick(zh: "时间", en: "when"), options.language.pick(zh: "乡镇", en: "township"),
                    options.language.pick(zh: "副本", en: "replica"), "seq", labels.id,
                    options.language.pick(zh: "变更", en: "change"),
                ], alignments: [.left, .left, .left, .right, .left, .left])
                for e in entries {
                    let op = e.operation
                    table.append([Labels.time(op.timestamp.millis), e.township ?? "", op.replica.short, String(op.seq),
                                  op.activity.rawValue, describe(op.change, labels)])
                }
                Console.out(table.render())
            }
        }

        func describe(_ change: Change, _ labels: Labels) -> String {
            ChangeText(language: labels.language, catalog: labels.catalog).describe(change)
        }
    }

    struct Rebuild: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Rebuild the activity tables from the operation log and check the result. 由操作日志重建汇总表。")

        @OptionGroup var options: GlobalOptions

        func run() async throws {
            try await reportingErrors(options) {
                let store = try options.openStore()
                let before = try store.stateDigest()
                try store.rebuildMaterialized()
                let after = try store.stateDigest()
                let lang = options.language
                Console.out(before == after
                    ? lang.pick(zh: "已重建，状态与重建前一致（\(after.prefix(16))）", en: "rebuilt; state unchanged (\(after.prefix(16)))")
                    : lang.pick(zh: "已重建，汇总表已按操作日志修正（\(after.prefix(16))）", en: "rebuilt; tables corrected from the log (\(after.prefix(16)))"))
            }
        }
    }
}
