import Foundation
import SyncCore

extension Catalog {
    /// A newer ktx's catalog, for tests: this one plus the kind `citizen` (公民科学) and the
    /// metric `volunteers` (志愿者人次).
    public static let newer: Catalog = {
        var json = String(decoding: try! JSONEncoder().encode(CatalogJSON(Catalog.standard)), as: UTF8.self)
        json = json.replacingOccurrences(of: #""kinds":["#, with: #""kinds":[{"code":"citizen","name":"公民科学","english":"Citizen science","aliases":[]},"#)
        json = json.replacingOccurrences(of: #""metrics":["#, with: #""metrics":[{"code":"volunteers","name":"志愿者人次","english":"volunteers","unit":"人次","scale":1},"#)
        return try! JSONDecoder().decode(Catalog.self, from: Data(json.utf8))
    }()
}

/// The catalog's JSON shape, to derive a newer catalog from the standard one.
private struct CatalogJSON: Encodable {
    struct Kind: Encodable { var code, name, english: String; var aliases: [String] }
    struct Metric: Encodable { var code, name, english, unit: String; var scale: Int64 }
    var version: Int
    var kinds: [Kind]
    var metrics: [Metric]

    init(_ c: Catalog) {
        version = c.version + 1
        kinds = c.kinds.map { Kind(code: $0.code, name: $0.name, english: $0.english, aliases: $0.aliases) }
        metrics = c.metrics.map { Metric(code: $0.code, name: $0.name, english: $0.english, unit: $0.unit, scale: $0.scale) }
    }
}
