import SyncCore

// The words of the rules' verdicts (a refused operation, a held one, a skipped file), for the
// edges that show them.

extension RefusalReason {
    /// A one-line explanation for a person.
    public func message(_ language: Language) -> String {
        switch (self, language) {
        case (.malformed, .zh): "格式不是 ktx 操作"
        case (.malformed, .en): "not a ktx operation"
        case (.badSeq, .zh): "序号无效"
        case (.badSeq, .en): "bad sequence number"
        case (.badTimestamp, .zh): "时间戳不在 2000 至 2999 年之间"
        case (.badTimestamp, .en): "timestamp outside the years 2000 to 2999"
        case (.badTarget, .zh): "活动编号或指标键无效"
        case (.badTarget, .en): "malformed activity id or indicator key"
        case (.badText, .zh): "文字为空、过长或含控制字符"
        case (.badText, .en): "text empty, too long, or holding control characters"
        case (.badDate, .zh): "日期不是真实存在的日子"
        case (.badDate, .en): "a date that is not a real day"
        case (.badCode, .zh): "类型或指标代码格式无效"
        case (.badCode, .en): "malformed kind or metric code"
        case (.amountOutOfRange, .zh): "数量超出该指标允许的范围"
        case (.amountOutOfRange, .en): "amount outside the range its metric allows"
        case (.badIndicatorValue, .zh): "指标值不是非负数"
        case (.badIndicatorValue, .en): "indicator value is not a non-negative number"
        case (.unsigned, .zh): "没有签名，而该副本的操作都有签名：不是该副本写的"
        case (.unsigned, .en): "not signed, though its replica signs its operations: not written by it"
        case (.badSignature, .zh): "签名无效：文件被改动或伪造"
        case (.badSignature, .en): "invalid signature: altered or forged"
        case (.wrongKey, .zh): "签名密钥不是该副本的"
        case (.wrongKey, .en): "signed with a key that is not its replica's"
        case (.unverifiedKey, .zh): "签名密钥与副本编号不符，此处也没有登记可以核对：若是 0.3 以前建立的电脑，县科协批准它（同步文件夹先用 ktx hub init 管理）后再同步即可合并；否则是伪造的"
        case (.unverifiedKey, .en): "signed with a key its replica id is not derived from, and nothing here vouches for it: a PC set up before 0.3 merges once the county approves it (a hub folder first governed with `ktx hub init`); anything else is forged"
        case (.countyOnly, .zh): "设置了手工指标值：只有县科协的电脑可以设置"
        case (.countyOnly, .en): "sets a manual indicator value: only the county's PCs may"
        case (.otherActivity, .zh): "改动了其他乡镇的活动：每台电脑只能改本乡镇的活动"
        case (.otherActivity, .en): "changes another township's activity: a PC may change only its own township's"
        case (.otherTownship, .zh): "把活动改到其他乡镇：每台电脑只能为本乡镇记录"
        case (.otherTownship, .en): "moves an activity to another township: a PC records only for its own"
        case (.townshipOnly, .zh): "提交了年度数据：只有乡镇自己的电脑可以提交本乡镇的年度"
        case (.townshipOnly, .en): "submits a year: only a township's own PCs may submit its year"
        case (.forked, .zh): "同一副本的同一段序号有两份不同的记录：该数据库被复制到另一台电脑或从备份恢复过"
        case (.forked, .en): "two different runs for the same seqs of one replica: its database was copied to another PC or restored from a backup"
        }
    }
}

extension Refusal {
    /// A one-line message for a person.
    public func message(_ language: Language) -> String {
        language.pick(
            zh: "已拒收 \(source) 中副本 \(replica.short) 的第 \(seq) 条操作（\(reason.message(.zh))，\(reason.rawValue)）；该副本其后的操作暂不合并，其余照常同步",
            en: "refused operation \(seq) of replica \(replica.short) in \(source) (\(reason.message(.en)), \(reason.rawValue)); that replica's later operations wait, the rest synced")
    }
}

extension ClockPolicy {
    /// A duration in days and hours for a person, e.g. "1826 天 3 小时" / "1826 days 3 hours".
    public static func describe(millis: Int64, _ language: Language) -> String {
        let hours = max(0, millis) / 3_600_000
        let days = hours / 24, rest = hours % 24
        switch language {
        case .zh: return days > 0 ? "\(days) 天 \(rest) 小时" : "\(rest) 小时"
        case .en: return days > 0 ? "\(days) days \(rest) hours" : "\(rest) hours"
        }
    }
}

extension HeldOperation {
    /// A one-line message for a person.
    public func message(_ language: Language) -> String {
        let pc = language.pick(zh: "\(township.map { "“\($0)”" } ?? "")电脑（副本 \(replica.short)）",
                               en: "\(township.map { "\($0)'s " } ?? "")PC (replica \(replica.short))")
        switch cause {
        case .notEnrolled:
            return language.pick(
                zh: "暂不合并\(pc)第 \(seq) 条起的操作：该电脑尚未获县科协批准（县科协用 ktx hub approve 批准后，再同步即可）",
                en: "held operations of \(pc) from seq \(seq): the county has not enrolled that PC yet (once the county runs `ktx hub approve`, sync again)")
        case .revoked:
            return language.pick(
                zh: "暂不合并\(pc)第 \(seq) 条起的操作：县科协已停用该电脑",
                en: "held operations of \(pc) from seq \(seq): the county has revoked that PC")
        case .clock: break
        }
        let ahead = ClockPolicy.describe(millis: aheadMillis, language)
        return language.pick(
            zh: "暂不合并\(pc)第 \(seq) 条起的操作：其时间比本机时钟快 \(ahead)，该电脑的时钟可能不准，请该办公室校正时间后再同步",
            en: "held operations of \(pc) from seq \(seq): dated \(ahead) ahead of this PC's clock; that PC's clock is probably wrong: ask the office to set it right and sync again")
    }
}

extension HubWarning {
    /// A one-line message for a person.
    public func message(_ language: Language) -> String {
        // A detail that is a refusal's code is worded in the message's language; others are
        // facts for logs, as the hub found them.
        let detail = RefusalReason(rawValue: self.detail)?.message(language) ?? self.detail
        return switch (reason, language) {
        case (.damaged, .zh): "已跳过损坏的文件 \(file)（\(detail)）；删除它后，持有这些操作的副本再次同步即可补上"
        case (.damaged, .en): "skipped damaged file \(file) (\(detail)); delete it and the next sync of a replica holding these operations restores them"
        case (.foreign, .zh): "已跳过不认识的文件 \(file)（\(detail)）"
        case (.foreign, .en): "skipped foreign file \(file) (\(detail))"
        case (.roster, .zh): "同步文件夹里的登记名册 \(file) 无效（\(detail)）：已改用本机保存的县科协签名名册，并写回文件夹"
        case (.roster, .en): "the hub folder's roster \(file) is not valid (\(detail)): the county-signed roster this replica kept is used, and written back"
        case (.marker, .zh): "同步文件夹的标记文件 \(file) 不见了（\(detail)）：已按本机记下的县科协公钥写回"
        case (.marker, .en): "the hub folder's marker \(file) was \(detail): written back from the county key this PC pinned"
        case (.forged, .zh): "同步文件夹里的 \(file) 不是该电脑写的（\(detail)）：已忽略。有人往同步文件夹里放了文件，请告知县科协"
        case (.forged, .en): "\(file) in the hub folder was not written by the PC it names (\(detail)): ignored. Someone put it into the hub folder; tell the county"
        }
    }
}
