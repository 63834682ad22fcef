import Foundation
import KtxSchema

// The catalog as `Schema/catalog.json` writes it, and the names it gives in each language.

extension ActivityKind: Decodable {
    enum CodingKeys: String, CodingKey { case code, name, english, aliases }

    /// Reads a kind of `catalog.json`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(code: try c.decode(String.self, forKey: .code), name: try c.decode(String.self, forKey: .name),
                  english: try c.decode(String.self, forKey: .english), aliases: try c.decode([String].self, forKey: .aliases))
    }

    /// The name to show in the given language.
    public func displayName(_ language: Language) -> String { language == .zh ? name : english }
}

extension Metric: Decodable {
    enum CodingKeys: String, CodingKey { case code, name, english, unit, scale }

    /// Reads a metric of `catalog.json` (its `option`, for the CLI, is the CatalogOptions
    /// plugin's to read).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(code: try c.decode(String.self, forKey: .code), name: try c.decode(String.self, forKey: .name),
                  english: try c.decode(String.self, forKey: .english), unit: try c.decode(String.self, forKey: .unit),
                  scale: try c.decode(Int64.self, forKey: .scale))
    }

    /// The name to show in the given language.
    public func displayName(_ language: Language) -> String { language == .zh ? name : english }
}

extension QuantityRule: Decodable {
    enum CodingKeys: String, CodingKey {
        case metric
        case atMost = "at_most"
    }

    /// Reads a rule of `catalog.json`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(metric: try c.decode(String.self, forKey: .metric), atMost: try c.decode(String.self, forKey: .atMost))
    }
}

extension Catalog: Decodable {
    enum CodingKeys: String, CodingKey { case version, kinds, metrics, rules }

    /// Reads `catalog.json`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(version: try c.decode(Int.self, forKey: .version), kinds: try c.decode([ActivityKind].self, forKey: .kinds),
                  metrics: try c.decode([Metric].self, forKey: .metrics),
                  rules: try c.decodeIfPresent([QuantityRule].self, forKey: .rules) ?? [])
    }

    /// The catalog compiled into this binary.
    public static let standard: Catalog = {
        do {
            return try JSONDecoder().decode(Catalog.self, from: Data(KtxSchema.catalogJSON))
        } catch {
            fatalError("Schema/catalog.json does not decode: \(error)")
        }
    }()

    /// The kind's display name for a stored code; the code itself if the catalog lacks it.
    public func kindName(code: String?, _ language: Language) -> String {
        guard let code else { return "" }
        return kind(code: code)?.displayName(language) ?? code
    }
}
