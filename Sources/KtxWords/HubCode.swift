import SyncCore

/// The stable codes an HTTP hub answers a refusal with (`{"error": {"code", "message"}}`), in
/// words for a person in either language. The hub's `message` is English for logs; a client
/// shows the code's words, so a Chinese message never carries English inside.
public enum HubCode {
    /// The words for `code`; nil for a code this version does not know (a newer hub's).
    public static func words(_ code: String, _ language: Language) -> String? {
        if let reason = RefusalReason(rawValue: code) { return reason.message(language) }
        switch (HubErrorCode(rawValue: code), language) {
        case (.futureTimestamp, .zh): return "操作的时间比服务器时钟快太多：电脑时间可能不准"
        case (.futureTimestamp, .en): return "operations dated too far ahead of the hub's clock: the PC's clock is probably wrong"
        case (.otherReplica, .zh): return "该电脑属于另一个乡镇（或县科协）：这个令牌不能代它推送"
        case (.otherReplica, .en): return "that PC belongs to another township (or the county): this token may not push for it"
        case (.forbidden, .zh): return "这个令牌不能做此操作"
        case (.forbidden, .en): return "this token may not do this"
        case (.missingTownship, .zh): return "推送没有写明所属乡镇"
        case (.missingTownship, .en): return "the push does not name its township"
        case (.missingOperations, .zh), (.gap, .zh): return "服务器缺少这台电脑更早的操作：请先推送更早的"
        case (.missingOperations, .en), (.gap, .en): return "the hub lacks this PC's earlier operations: push those first"
        case (.badReplica, .zh): return "副本编号无效"
        case (.badReplica, .en): return "malformed replica id"
        case (.malformedOps, .zh), (.malformedJSON, .zh), (.badField, .zh): return "请求的格式无效"
        case (.malformedOps, .en), (.malformedJSON, .en), (.badField, .en): return "the request is malformed"
        case (.tooLarge, .zh): return "请求太大"
        case (.tooLarge, .en): return "the request is too large"
        case (.unavailable, .zh): return "服务器暂时不可用（数据库连不上）"
        case (.unavailable, .en): return "the hub is unavailable for now (its database cannot be reached)"
        default: return nil
        }
    }
}
