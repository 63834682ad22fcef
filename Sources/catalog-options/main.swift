import Foundation

// Writes the quantity options of `ktx record` from the catalog: one `--CODE <value>` option
// per metric, with its help in both languages, in the catalog's order. Run by the
// CatalogOptions build plugin: `catalog-options Schema/catalog.json OUTPUT.swift`.

struct Failure: Error, CustomStringConvertible {
    let description: String
}

func generate(catalog: URL) throws -> String {
    let data = try Data(contentsOf: catalog)
    guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any],
          let metrics = root["metrics"] as? [[String: Any]]
    else { throw Failure(description: "\(catalog.path): no metrics") }
    var options: [String] = []
    var given: [String] = []
    for metric in metrics {
        guard let code = metric["code"] as? String, code.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }),
              let option = metric["option"] as? [String: String],
              let value = option["value"], let en = option["help_en"], let zh = option["help_zh"]
        else { throw Failure(description: "\(catalog.path): a metric without code or option (value, help_en, help_zh): \(metric)") }
        options.append("""
                /// `--\(code)`: \(en)
                @Option(parsing: .unconditional, help: ArgumentHelp(L(\(literal(en)), \(literal(zh))), valueName: \(literal(value))))
                var \(code): String?
            """)
        given.append("(\(literal(code)), \(code))")
    }
    return """
        // Generated from Schema/catalog.json by the CatalogOptions build plugin: do not edit.
        import ArgumentParser

        /// The quantities `ktx record` takes, one option per metric of the catalog.
        struct QuantityOptions: ParsableArguments {
        \(options.joined(separator: "\n"))

            /// The quantities given, by metric code, in the catalog's order.
            var given: [(code: String, text: String)] {
                let all: [(String, String?)] = [\(given.joined(separator: ", "))]
                return all.compactMap { code, text in text.map { (code, $0) } }
            }
        }

        """
}

/// A Swift string literal of `text`.
func literal(_ text: String) -> String {
    "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: catalog-options CATALOG.json OUTPUT.swift\n".utf8))
    exit(64)
}
do {
    let source = try generate(catalog: URL(fileURLWithPath: arguments[1]))
    try source.write(to: URL(fileURLWithPath: arguments[2]), atomically: true, encoding: .utf8)
} catch {
    FileHandle.standardError.write(Data("catalog-options: \(error)\n".utf8))
    exit(1)
}
