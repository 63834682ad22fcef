/// The language of messages, table headers and reports.
public enum Language: String, Sendable, CaseIterable {
    case zh, en

    /// Chooses the language: an explicit choice first, then `LC_ALL`, `LC_MESSAGES` or
    /// `LANG` (`zh_*` gives Chinese, `en_*` English), else Chinese.
    public static func resolve(explicit: Language?, environment: [String: String]) -> Language {
        if let explicit { return explicit }
        for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            guard let value = environment[key], !value.isEmpty else { continue }
            if value.hasPrefix("zh") { return .zh }
            if value.hasPrefix("en") { return .en }
        }
        return .zh
    }

    /// Picks the text for this language.
    public func pick(zh: String, en: String) -> String { self == .zh ? zh : en }
}
