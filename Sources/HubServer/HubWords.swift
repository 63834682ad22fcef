import HubStorage
import KtxWords
import SyncCore

// The words of the hub's 4xx answers to a push, in English: the `message` of
// `{"error":{"code","message"}}` is for logs and for whoever reads the raw answer; a client
// shows the code's words (``HubCode``) in its clerk's language.

extension HubAPI.Batch.Problem {
    /// What is wrong with the batch.
    var message: String {
        switch self {
        case .badReplica: "replica must be 32 hex digits"
        case .emptyBatch: "a batch holds at least one operation"
        case .badTownship: "township: \(RefusalReason.badText.message(.en))"
        case let .refused(operation, seq, reason): "operation \(operation) (seq \(seq)): \(reason.message(.en))"
        case let .gap(operation, seq, expected): "operation \(operation) has seq \(seq), expected \(expected): a batch must have no gaps"
        case let .futureTimestamp(operation):
            "operation \(operation) is dated in the future beyond the allowed clock skew: check the office PC's clock"
        }
    }
}

extension HubRejection {
    /// Why the push was refused.
    var message: String {
        switch self {
        case let .missingOperations(held): "the hub holds seq 1...\(held) of this replica; push from \(held + 1) first"
        case .tokenWithoutTownship: "this token has no township"
        case .countyPushWithoutTownship: "a county replica's push names the county's name in `township`"
        case .mayNotPush: "this token may not push: only township and county tokens push operations"
        case let .otherReplica(replica, owner, pusher):
            owner == nil
                ? "replica \(replica.hex) is the county's; this token may only push \(pusher ?? "the county")'s replicas"
                : "replica \(replica.hex) belongs to \(owner ?? ""); this token may only push \(pusher.map { $0 + "'s" } ?? "the county's") replicas"
        case let .countyOnly(operation, indicator):
            "operation \(operation) sets \(indicator ? "a manual indicator value" : "notes on an indicator"): only the county's replicas set them"
        case let .otherTownship(operation, township, own): "operation \(operation) assigns an activity to \(township); this replica writes only for \(own)"
        case let .otherActivity(activity, owner, own, byCreator):
            byCreator
                ? "activity \(activity) is named after a replica of \(owner); this replica may only change \(own)'s activities"
                : "activity \(activity) belongs to \(owner); this replica may only change \(own)'s activities"
        case let .unknownActivity(activity): "activity \(activity) is not on the hub yet: push the replica that recorded it first"
        case let .refused(seq, reason): "operation seq \(seq): \(reason.message(.en))"
        }
    }
}
