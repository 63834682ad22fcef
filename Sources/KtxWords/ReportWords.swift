import Store
import SyncCore

// The words of what a sync, a check or a clock repair reports, for the edges that show them.

extension ClockRepair {
    /// A one-line notice for the clerk.
    public func message(_ language: Language) -> String {
        let ahead = ClockPolicy.describe(millis: aheadMillis, language)
        var zh = "本机时钟曾快了 \(ahead)（电脑时间不准，或被其他电脑带快）；已改回当前时间"
        var en = "this replica's clock had run \(ahead) ahead (a wrong PC clock, or dragged by another PC); it now follows the PC's clock again"
        if restamped > 0 {
            zh += "，\(restamped) 条尚未同步的操作已改用当前时间"
            en += "; \(restamped) operations not yet synced are now dated by it"
        }
        if publishedAhead > 0 {
            zh += "；\(publishedAhead) 条已同步出去的操作日期在未来，其他办公室会暂不合并它们"
            en += "; \(publishedAhead) operations already synced are dated in the future, and other offices hold them unmerged"
        }
        return language.pick(zh: zh, en: en)
    }
}

extension Continuation {
    /// A one-line notice for the clerk.
    public func message(_ language: Language) -> String {
        let examples = renamed.prefix(3).map { "\($0.old) → \($0.new)" }.joined(separator: ", ")
        let more = renamed.isEmpty ? "" : language.pick(zh: "（活动编号改为：\(examples)\(renamed.count > 3 ? " 等" : "")）",
                                                      en: " (activity ids now: \(examples)\(renamed.count > 3 ? ", …" : ""))")
        return language.pick(
            zh: "这台电脑的数据库是另一台电脑（或备份）的副本：副本 \(previous.short) 的第 \(published + 1) 条起已在别处写过。本机此后的 \(operations) 条操作已改记在新副本 \(replica.short) 下，内容不变，不会丢失\(more)",
            en: "this PC's database is a copy of another PC's (or of a backup): replica \(previous.short) from seq \(published + 1) was written elsewhere. This PC's \(operations) operations since then continue under the new replica \(replica.short), unchanged, nothing lost\(more)")
    }
}

extension Recovery {
    /// One line for the clerk: what was left out, why, and that the rest goes on.
    public func message(_ language: Language) -> String {
        let first = leftOut[0]
        let more = leftOut.count - 1
        return language.pick(
            zh: "本机第 \(first.seq) 条操作（\(first.reason.message(.zh))）各处都会拒收，已略去\(more > 0 ? "（另有 \(more) 条同样略去）" : "")；本机其后的 \(continuation.operations) 条操作改记在新副本 \(continuation.replica.short) 下，照常送达县科协",
            en: "operation \(first.seq) of this PC (\(first.reason.message(.en))) is refused by every receiver and was left out\(more > 0 ? " (and \(more) more like it)" : ""); this PC's \(continuation.operations) later operations continue under the new replica \(continuation.replica.short) and reach the county")
    }
}

extension FlowProblem {
    /// One line: whose records, why they are not flowing, and what to do.
    public func message(_ language: Language) -> String {
        let pc = own ? language.pick(zh: "本机", en: "this PC")
            : language.pick(zh: "\(township.map { "“\($0)”的" } ?? "")电脑 \(replica.short)", en: "\(township.map { "\($0)'s " } ?? "")PC \(replica.short)")
        let from = seq.map { language.pick(zh: "第 \($0) 条起", en: " from seq \($0)") } ?? ""
        // (In Chinese, a space between a PC's id and what follows it.)
        let pcFrom = pc + (own || from.isEmpty || language == .en ? "" : " ") + from
        let reason = code.flatMap { HubCode.words($0, language) }.map { "（\($0)）" }
        let words = code.flatMap { HubCode.words($0, .en) } ?? code ?? ""
        switch (cause, language) {
        case (.refused, .zh):
            return "\(pcFrom)的记录各处都拒收\(reason ?? "")，其后的记录停在这里：该电脑用 ktx 0.4 及以后版本同步时会略去这条、改用新副本继续送达（新副本出现即是）；否则请该电脑升级 ktx 后同步"
        case (.refused, .en):
            return "\(pc)'s records\(from) are refused everywhere (\(words)) and what follows stops there: ktx 0.4 or later on that PC leaves the refused one out at its next sync and continues under a new replica (a new PC of the township appears); otherwise upgrade ktx on that PC and sync"
        case (.notEnrolled, .zh) where own && code != nil:
            return "本机尚未获县科协批准，其记录各处暂不合并：请打电话告诉县科协本机的密钥指纹 \(code ?? "")，县科协用 ktx hub requests 核对后用 ktx hub approve 批准"
        case (.notEnrolled, .en) where own && code != nil:
            return "this PC is not enrolled by the county: its records are held everywhere. Phone the county and read out this PC's key fingerprint \(code ?? ""): the county checks it with `ktx hub requests` and enrols it with `ktx hub approve`"
        case (.notEnrolled, .zh):
            return "\(pc)尚未获县科协批准，其记录各处暂不合并：县科协用 ktx hub requests 核对密钥指纹后用 ktx hub approve 批准"
        case (.notEnrolled, .en):
            return "\(pc) is not enrolled by the county: its records are held everywhere. The county checks its key fingerprint with `ktx hub requests` and enrols it with `ktx hub approve`"
        case (.revoked, .zh):
            return "县科协已停用\(pcFrom)：其后的记录不会合并；如属误停，县科协重新批准即可"
        case (.revoked, .en):
            return "the county revoked \(pc)\(from): its later records are not merged; if by mistake, the county approves it again"
        case (.clockAhead, .zh):
            return "\(pc)的时钟不准（比别处快）\(from)，其记录暂不合并：请把该电脑的日期和时间改正确后再同步，记录不会丢失"
        case (.clockAhead, .en):
            return "\(pc)'s clock is ahead\(from): its records are held. Set that PC's date and time right and sync again; nothing is lost"
        case (.pushRefused, .zh):
            return "同步服务器拒收了\(pc)的推送（\(code ?? "")）：请升级 ktx 后再同步；仍不行请把这句话告诉县科协"
        case (.pushRefused, .en):
            return "the hub refused a push of \(pc) (\(code ?? "")): upgrade ktx and sync again; if it persists, tell the county this line"
        case (.leftOut, .zh):
            return "\(pc)\(from)有记录各处都拒收\(reason ?? "")，已略去；其余记录改用新副本照常送达"
        case (.leftOut, .en):
            return "\(pc) had a record\(from) that every receiver refuses (\(words)); it was left out, the rest goes on under a new replica"
        case (.continued, .zh):
            return "\(pc)的数据库是复制或恢复来的，此后的记录改记在新副本 \(code ?? "") 下：在县科协管理的同步文件夹里，县科协须批准新副本（ktx hub approve）"
        case (.continued, .en):
            return "\(pc)'s database was copied or restored; its later records continue under the new replica \(code ?? ""): on a governed hub folder the county enrols the new replica (`ktx hub approve`)"
        case (.forged, .zh):
            return "同步文件夹里有不是\(pc) 写的文件冒用其名（\(code ?? "")）：已忽略，不影响同步；有人能写入同步文件夹，请县科协检查谁能访问它"
        case (.forged, .en):
            return "the hub folder holds a file under \(pc)'s name that it did not write (\(code ?? "")): ignored, syncing goes on; someone can write to the folder: the county should check who has access"
        }
    }

    /// The clerk's line: how many of this PC's records the county does not have through
    /// `remote`, why, and what to do; nil when it has them all.
    public static func notReachedLine(_ count: Int64, remote: String, problems: [FlowProblem], _ language: Language) -> String? {
        let why = problems.filter { $0.own && $0.remote == remote }
        guard count > 0 || !why.isEmpty else { return nil }
        let reasons = why.isEmpty
            ? [language.pick(zh: "尚未同步：请运行 ktx sync \(remote)", en: "not synced yet: run `ktx sync \(remote)`")]
            : why.map { $0.message(language) }
        return language.pick(zh: "本机有 \(count) 条记录尚未送达县科协（经 \(remote)）：", en: "\(count) of this PC's records have not reached the county (through \(remote)): ")
            + reasons.joined(separator: language.pick(zh: "；", en: "; "))
    }

    /// This PC waits for the county to approve it: what it said at its sync, and what
    /// `ktx status` and the clerk's page say after.
    public static func waitingForApproval(fingerprint: String, _ language: Language) -> String {
        language.pick(
            zh: "本机尚未获县科协批准：已在同步文件夹留下登记申请。请打电话告诉县科协本机的密钥指纹 \(fingerprint)；批准后再同步，本机的记录才会被各处合并",
            en: "this PC is not enrolled by the county yet: an enrolment request is in the hub folder. Phone the county and read out this PC's key fingerprint \(fingerprint); once approved, sync again and this PC's records are merged everywhere")
    }
}

extension CheckReport.Problem {
    /// The problem, with what to do about it.
    public func message(_ language: Language) -> String {
        switch self {
        case let .keyReadable(path, mode):
            language.pick(
                zh: "\(path) 含本机的签名密钥，其他用户也能读取（权限 \(mode)），本账户无法更改：请由文件的所有者运行 chmod 600 \(path)。若这台电脑有别人的账户，他们可能已复制密钥：请县科协停用本机（ktx hub revoke）后新建副本",
                en: "\(path) holds this PC's signing key and is readable by other users (mode \(mode)), and this account cannot change it: its owner must run chmod 600 \(path). If others have accounts on this PC they may have copied the key: ask the county to revoke this replica (ktx hub revoke) and make a new one")
        case let .sqliteIntegrity(lines):
            language.pick(
                zh: "SQLite 完整性检查未通过（\(lines.joined(separator: "；"))）：请从备份恢复，或新建副本后从同步服务器拉取",
                en: "SQLite's integrity check failed (\(lines.joined(separator: "; "))): restore a backup, or make a new replica and pull from the hub")
        case .orphanChunk:
            language.pick(zh: "操作日志中有一段记录不属于任何已知副本", en: "a chunk of the log belongs to no known replica")
        case let .unreadableChunk(id, first, last):
            language.pick(
                zh: "副本 \(id.short) 第 \(first)–\(last) 条操作无法解读：请新建副本并从同步服务器拉取",
                en: "operations \(first)–\(last) of replica \(id.short) cannot be read: make a new replica and pull from the hub")
        case let .changedChunk(id, first, last):
            language.pick(
                zh: "副本 \(id.short) 第 \(first)–\(last) 条操作写入后被改动，不能再信任：请用最近的备份替换本数据库，或新建副本并从同步服务器拉取",
                en: "operations \(first)–\(last) of replica \(id.short) changed after they were written and cannot be trusted: put the newest backup in place of this database, or make a new replica and pull from the hub")
        case let .chunkGap(id, first):
            language.pick(zh: "副本 \(id.short) 的操作序号在 \(first) 处不连续", en: "the seqs of replica \(id.short) are not contiguous at \(first)")
        case let .refusedOperation(id, seq, reason):
            language.pick(
                zh: "副本 \(id.short) 第 \(seq) 条操作不符合操作规则（\(reason.message(.zh))），由旧版本写入",
                en: "operation \(seq) of replica \(id.short) breaks the operation rule (\(reason.message(.en))); written by an older version")
        case let .vectorMismatch(id, recorded, logged):
            language.pick(
                zh: "副本 \(id.short) 记为持有到第 \(recorded) 条，日志中却到第 \(logged) 条",
                en: "replica \(id.short) is recorded as held up to \(recorded), but the log holds up to \(logged)")
        case .tablesDiffer:
            language.pick(zh: "汇总表与操作日志重建的结果不一致：请运行 ktx rebuild 修正", en: "the tables differ from a rebuild from the log: run `ktx rebuild` to correct them")
        }
    }
}
