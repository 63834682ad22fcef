import Foundation
import Testing

/// Words live at the edges: below them an error is a code and its facts (`Detail`), worded by
/// `KtxWords` for the terminal, the pages and the hub's answers alike.
@Suite struct LayerTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources")

    /// The targets below the edges. (Reporting renders the forms in both languages and words
    /// its own mistakes of a targets file; the CLI, the pages and the hub's server are edges.)
    static let below = ["SyncCore", "Store", "FolderHub", "HubStorage", "HubClient", "HubPostgres"]

    @Test func noLayerBelowTheEdgesWordsAnError() throws {
        var worded: [String] = []
        for target in Self.below {
            let folder = Self.sources.appendingPathComponent(target)
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            #expect(!files.isEmpty, "\(target)")
            for file in files {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                // `KtxError(.code, zh: …` on one line, or with `zh:` on the next.
                let flat = text.replacingOccurrences(of: "\n", with: " ")
                if flat.range(of: #"KtxError\(\.[A-Za-z]+,\s*zh:"#, options: .regularExpression) != nil {
                    worded.append("\(target)/\(file)")
                }
            }
        }
        #expect(worded.isEmpty, "errors worded below the edges: \(worded)")
    }

    /// Nor are the verdicts below the edges worded there (a refused or held operation, a
    /// skipped file, a check's findings, a hub's refusal of a push): they are facts, and
    /// `KtxWords` or the hub's server words them.
    @Test func noLayerBelowTheEdgesWordsAVerdict() throws {
        var worded: [String] = []
        for target in Self.below {
            let folder = Self.sources.appendingPathComponent(target)
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
            for file in files where file != "Support/Language.swift" {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for pattern in [#"pick\(zh:"#, #"func message\(_ language: Language\)"#, #"\.message\(\.(en|zh)\)"#]
                where text.range(of: pattern, options: .regularExpression) != nil {
                    worded.append("\(target)/\(file): \(pattern)")
                }
            }
        }
        #expect(worded.isEmpty, "verdicts worded below the edges: \(worded)")
    }
}
