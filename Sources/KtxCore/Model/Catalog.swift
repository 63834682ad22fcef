/// An activity kind from the catalog, e.g. 科技下乡 (`rural`).
public struct ActivityKind: Hashable, Sendable {
    /// The stable ASCII code stored in operations.
    public let code: String
    /// The Chinese name, as in the budget documents.
    public let name: String
    /// The English name.
    public let english: String
    /// Other ASCII spellings accepted on the command line.
    public let aliases: [String]

    /// A kind with its code, names and aliases.
    public init(code: String, name: String, english: String, aliases: [String]) {
        (self.code, self.name, self.english, self.aliases) = (code, name, english, aliases)
    }
}

/// A quantity an activity carries (a counter), e.g. attendance (参加人次).
public struct Metric: Hashable, Sendable {
    /// The stable ASCII code stored in operations and used as the JSON key.
    public let code: String
    /// The Chinese name.
    public let name: String
    /// The English name.
    public let english: String
    /// The unit, e.g. 人次, 个, 元.
    public let unit: String
    /// Stored units per displayed unit: 100 for yuan stored in fen, else 1.
    public let scale: Int64

    /// A metric with its code, names, unit and scale.
    public init(code: String, name: String, english: String, unit: String, scale: Int64) {
        (self.code, self.name, self.english, self.unit, self.scale) = (code, name, english, unit, scale)
    }

    /// The largest amount one operation may carry, in stored units.
    public var maximumAmount: Int64 { 1_000_000_000 * scale }

    /// Parses an amount typed by a user (`120`, `-5`, or for cost `1234.50`) into stored units;
    /// full-width digits (`１２０`) and thousands separators (`1,200`) are read too.
    /// Returns nil for anything that is not a number with at most the allowed decimals.
    public func parse(_ text: String) -> Int64? {
        var s = Substring(TypedInput.folded(text).trimmingSpaces())
        // 1,200 or 12,000,000: separators between groups of three digits only.
        if s.contains(",") {
            let groups = s.split(separator: ".", maxSplits: 1)[0].split(separator: ",", omittingEmptySubsequences: false)
            guard groups.dropFirst().allSatisfy({ $0.count == 3 }), let first = groups.first,
                  (1...3).contains(first.filter { $0.isNumber }.count) else { return nil }
            s = Substring(s.filter { $0 != "," })
        }
        var negative = false
        if s.first == "-" { negative = true; s = s.dropFirst() } else if s.first == "+" { s = s.dropFirst() }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2, let whole = parts.first, !whole.isEmpty,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }), whole.count <= 12
        else { return nil }
        let decimals = scale == 100 ? 2 : 0
        var fraction: Int64 = 0
        if parts.count == 2 {
            let f = parts[1]
            guard !f.isEmpty, f.count <= decimals, f.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            guard let digits = Int64(f + String(repeating: "0", count: decimals - f.count)) else { return nil }
            fraction = digits
        }
        guard let w = Int64(whole) else { return nil }
        let value = w * scale + fraction
        return negative ? -value : value
    }

    /// Why a typed amount is not one, when it can be told.
    public enum AmountSlip: Sendable, Equatable {
        /// A number with a unit written after it (`120人`): the unit.
        case unit(String)
        /// Decimals on a metric that counts whole things.
        case wholeNumber
        /// More than two decimals on an amount of money.
        case tooManyDecimals
    }

    /// Why a typed amount is not one, when it can be told (a unit written after it, decimals
    /// on a count, too many decimals).
    public func whyNotAnAmount(_ text: String) -> AmountSlip? {
        let t = TypedInput.folded(text).trimmingSpaces()
        let digits = t.prefix { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == ",") }
        let rest = t.dropFirst(digits.count).trimmingSpaces()
        if !digits.isEmpty, !rest.isEmpty, rest.unicodeScalars.allSatisfy({ !$0.isASCII && $0.properties.isAlphabetic }),
           parse(String(digits)) != nil {
            return .unit(String(rest))
        }
        if scale == 1, t.contains("."), parse(String(t.filter { $0 != "." })) != nil {
            return .wholeNumber
        }
        if scale == 100, let dot = t.firstIndex(of: "."), t[t.index(after: dot)...].count > 2 {
            return .tooManyDecimals
        }
        return nil
    }

    /// Formats stored units for display: `1234.50` for cost, `120` otherwise.
    public func format(_ value: Int64) -> String {
        guard scale == 100 else { return String(value) }
        let sign = value < 0 ? "-" : ""
        let m = value.magnitude
        let cents = m % 100
        return "\(sign)\(m / 100).\(cents < 10 ? "0" : "")\(cents)"
    }

    /// The value as a JSON number: an integer, or yuan with two decimals for cost.
    public func jsonNumber(_ value: Int64) -> Double { Double(value) / Double(scale) }
}

/// One quantity of an activity may not exceed another (满意人数 ≤ 调查人数).
public struct QuantityRule: Sendable, Equatable {
    /// The metric held down (满意人数).
    public let metric: String
    /// The metric it may not exceed (调查人数).
    public let atMost: String

    /// A rule: `metric` may not exceed `atMost`.
    public init(metric: String, atMost: String) {
        self.metric = metric
        self.atMost = atMost
    }

    /// By how much `quantities` exceed the rule (0 when kept).
    public func excess(_ quantities: [String: Int64]) -> Int64 {
        max(0, quantities[metric, default: 0] - quantities[atMost, default: 0])
    }
}

/// The activity catalog: every kind and metric ktx knows (`Schema/catalog.json`, read by
/// SyncCore as `Catalog.standard`).
public struct Catalog: Sendable {
    /// The catalog's version: a replica built with another rebuilds its tables.
    public let version: Int
    /// The activity kinds, in the catalog's order.
    public let kinds: [ActivityKind]
    /// The quantities, in the catalog's order.
    public let metrics: [Metric]
    /// Rules between two quantities of one activity (满意人数 ≤ 调查人数), checked where a
    /// clerk changes an activity; never on operations from other replicas (replicas must
    /// converge), whose breaches the report marks instead. Not part of `version`: they
    /// change no table.
    public let rules: [QuantityRule]

    /// A catalog of kinds, metrics and rules.
    public init(version: Int, kinds: [ActivityKind], metrics: [Metric], rules: [QuantityRule]) {
        (self.version, self.kinds, self.metrics, self.rules) = (version, kinds, metrics, rules)
    }

    /// The rules an activity's quantities break, each with the two metrics.
    public func brokenRules(_ quantities: [String: Int64]) -> [(rule: QuantityRule, metric: Metric, atMost: Metric)] {
        rules.compactMap { rule in
            guard let bounded = self.metric(code: rule.metric), let bound = self.metric(code: rule.atMost),
                  rule.excess(quantities) > 0 else { return nil }
            return (rule, bounded, bound)
        }
    }

    /// The bound on one addition to a metric this catalog does not know (a newer ktx's),
    /// in stored units: the largest any metric allows (10^9 yuan in fen). A metric added
    /// to the catalog later must not allow more, so every version accepts the same set.
    public static let unknownMetricBound: Int64 = 100_000_000_000

    /// Finds a kind by its Chinese name, code or alias (ASCII case-insensitive).
    public func kind(named text: String) -> ActivityKind? {
        let t = text.trimmingSpaces()
        let lower = t.lowercased()
        return kinds.first { $0.name == t || $0.code == lower || $0.aliases.contains(lower) || $0.english.lowercased() == lower }
    }

    /// Finds a kind by its stored code.
    public func kind(code: String) -> ActivityKind? { kinds.first { $0.code == code } }

    /// Finds a metric by its code or Chinese name.
    public func metric(named text: String) -> Metric? {
        let t = text.trimmingSpaces()
        let lower = t.lowercased()
        return metrics.first { $0.code == lower || $0.name == t }
    }

    /// Finds a metric by its stored code.
    public func metric(code: String) -> Metric? { metrics.first { $0.code == code } }

}
