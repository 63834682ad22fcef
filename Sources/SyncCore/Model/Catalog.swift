import Foundation
import KtxSchema

/// An activity kind from the catalog, e.g. 科技下乡 (`rural`).
public struct ActivityKind: Hashable, Sendable, Decodable {
    /// The stable ASCII code stored in operations.
    public let code: String
    /// The Chinese name, as in the budget documents.
    public let name: String
    /// The English name.
    public let english: String
    /// Other ASCII spellings accepted on the command line.
    public let aliases: [String]

    /// The name to show in the given language.
    public func displayName(_ language: Language) -> String { language == .zh ? name : english }
}

/// A quantity an activity carries (a counter), e.g. attendance (参加人次).
public struct Metric: Hashable, Sendable, Decodable {
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

    /// The name to show in the given language.
    public func displayName(_ language: Language) -> String { language == .zh ? name : english }

    /// The largest amount one operation may carry, in stored units.
    public var maximumAmount: Int64 { 1_000_000_000 * scale }

    /// Parses an amount typed by a user (`120`, `-5`, or for cost `1234.50`) into stored units.
    /// Returns nil for anything that is not a number with at most the allowed decimals.
    public func parse(_ text: String) -> Int64? {
        var s = Substring(text.trimmingSpaces())
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
            fraction = Int64(f + String(repeating: "0", count: decimals - f.count))!
        }
        guard let w = Int64(whole) else { return nil }
        let value = w * scale + fraction
        return negative ? -value : value
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

/// The activity catalog: every kind and metric ktx knows, from `Schema/catalog.json`.
public struct Catalog: Sendable, Decodable {
    public let version: Int
    public let kinds: [ActivityKind]
    public let metrics: [Metric]

    /// The bound on one addition to a metric this catalog does not know (a newer ktx's),
    /// in stored units: the largest any metric allows (10^9 yuan in fen). A metric added
    /// to the catalog later must not allow more, so every version accepts the same set.
    public static let unknownMetricBound: Int64 = 100_000_000_000

    /// The catalog compiled into this binary.
    public static let standard: Catalog = {
        do {
            return try JSONDecoder().decode(Catalog.self, from: Data(KtxSchema.catalogJSON))
        } catch {
            fatalError("Schema/catalog.json does not decode: \(error)")
        }
    }()

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

    /// The kind's display name for a stored code; the code itself if the catalog lacks it.
    public func kindName(code: String?, _ language: Language) -> String {
        guard let code else { return "" }
        return kind(code: code)?.displayName(language) ?? code
    }
}
