import Foundation
import SyncCore

/// Writing to the terminal.
enum Console {
    /// Writes a line to standard output.
    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Writes a line to standard error.
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Writes warnings to standard error, at most `limit` of them, then one line that
    /// counts the rest: a hub folder flooded with foreign files must not flood the clerk.
    static func warnings(_ lines: [String], language: Language, limit: Int = 5, listedBy: String? = "ktx sync --format json") {
        for line in limited(lines, language: language, limit: limit, listedBy: listedBy) { error("ktx: " + line) }
    }

    /// The first `limit` lines, and one that counts the rest.
    static func limited(_ lines: [String], language: Language, limit: Int = 5, listedBy: String? = "ktx sync --format json") -> [String] {
        let rest = lines.count - limit
        guard rest > 0 else { return lines }
        let zhList = listedBy.map { "；\($0) 列出全部" } ?? ""
        let enList = listedBy.map { "; `\($0)` lists every one" } ?? ""
        return Array(lines.prefix(limit)) + [language.pick(
            zh: "……另有 \(rest) 条同类提示未显示（共 \(lines.count) 条\(zhList)）",
            en: "… and \(rest) more like these (\(lines.count) in all\(enList))")]
    }

    /// Whether standard input is a terminal (a person who can answer a question).
    static var stdinIsTerminal: Bool { isatty(0) == 1 }

    /// A question on stderr, without a line break, for the answer to follow.
    static func prompt(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Whether standard error is a terminal (for progress lines).
    static var stderrIsTerminal: Bool { isatty(2) == 1 }
}
