import GRDB
import SyncCore

/// An activity whose merged quantities break a catalog rule (满意人数 more than 调查人数):
/// possible when edits from two PCs merge, or in records made before the rule. Reports
/// mark them; nobody's operations are refused for it, so every replica converges.
public struct RuleBreach: Sendable, Equatable {
    /// The activity.
    public var activity: ActivityID
    /// Its township.
    public var township: String?
    /// The rule it breaks.
    public var rule: QuantityRule
    /// The merged total of the rule's metric (满意人数).
    public var value: Int64
    /// The merged total it may not exceed (调查人数).
    public var limit: Int64

    /// A breach of a rule on one activity.
    public init(activity: ActivityID, township: String?, rule: QuantityRule, value: Int64, limit: Int64) {
        self.activity = activity
        self.township = township
        self.rule = rule
        self.value = value
        self.limit = limit
    }
}

extension Store {
    /// The live activities of `year` (every year when nil) that break a rule, in id order.
    public func ruleBreaches(year: Int? = nil) throws -> [RuleBreach] {
        let rules = catalog.rules
        guard !rules.isEmpty else { return [] }
        return try read("rules") { db in
            var out: [RuleBreach] = []
            for rule in rules {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT a.id, a.township, m.value, COALESCE(l.value, 0)
                    FROM quantity m
                    JOIN activity a ON a.id = m.activity AND a.deleted = 0
                    LEFT JOIN quantity l ON l.activity = m.activity AND l.metric = ?
                    WHERE m.metric = ? AND m.value > COALESCE(l.value, 0) AND (? IS NULL OR substr(a.date, 1, 4) = ?)
                    """, arguments: [rule.atMost, rule.metric, year.map(String.init), year.map(String.init)])
                for row in rows {
                    guard let id = ActivityID(parsing: row[0]) else { continue }
                    out.append(RuleBreach(activity: id, township: row[1], rule: rule, value: row[2], limit: row[3]))
                }
            }
            return out.sorted { ($0.activity, $0.rule.metric) < ($1.activity, $1.rule.metric) }
        }
    }
}
