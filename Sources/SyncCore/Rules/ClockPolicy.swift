/// How far ahead of a receiver's clock an operation may be dated, and what is said when one
/// is further ahead.
///
/// An operation dated beyond the allowed skew is neither merged nor allowed to move the
/// receiver's clock: it is held (left in the hub, asked for again at the next sync) and
/// reported, so one PC with a wrong clock can neither drag everyone's clock into the future
/// nor make its edits beat later ones. The skew is the same everywhere (the HTTP hub's
/// `--max-skew-hours` defaults to it), so replicas with right clocks agree.
public enum ClockPolicy {
    /// 24 hours, in milliseconds.
    public static let maxSkewMillis: Int64 = 24 * 3_600_000

    /// Through a folder there is no hub clock to ask: a PC keeps back its own operations
    /// dated more than this (a year) after the newest operation it has seen from any other
    /// office, since its clock is then almost certainly wrong (a wrong year). Shorter would
    /// keep back the work of an office that pulls rarely (a USB stick that comes once a
    /// quarter); a clock wrong by less is caught by the hubs and receivers it reaches
    /// (``maxSkewMillis``), whose hold ends by itself when their clocks catch up.
    public static let folderLeadMillis: Int64 = 366 * 24 * 3_600_000

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

/// An operation dated too far ahead of the receiver's clock: held, not merged, and
/// reported with the PC it came from. Its replica's later operations wait with it.
public struct HeldOperation: Hashable, Sendable {
    /// Where it arrived from: a file of a folder hub, a pulled page.
    public var source: String
    /// The replica that made it.
    public var replica: ReplicaID
    /// Its seq: the replica's operations from here on wait.
    public var seq: Int64
    /// The township of that replica, if known.
    public var township: String?
    /// How far ahead of the receiver's clock it is dated, in milliseconds (for ``Cause/clock``).
    public var aheadMillis: Int64
    /// Which clock it was found ahead of.
    public var cause: Cause

    /// Why an operation is held.
    public enum Cause: String, Hashable, Sendable {
        /// Dated beyond the allowed skew ahead of the receiver's clock.
        case clock
        /// Its replica is not enrolled by the county on a governed folder hub (or it changes
        /// an activity of a replica that is not).
        case notEnrolled = "not-enrolled"
        /// The county revoked its replica.
        case revoked
    }

    /// A held operation, with how far ahead it is and of which clock.
    public init(source: String, replica: ReplicaID, seq: Int64, township: String?, aheadMillis: Int64, cause: Cause = .clock) {
        self.source = source
        self.replica = replica
        self.seq = seq
        self.township = township
        self.aheadMillis = aheadMillis
        self.cause = cause
    }

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
