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

extension Language {
    /// A unit as a table in this language writes it after a number: Chinese units as they
    /// are (`38人次`), in English a word after a space (`38 person-times`); a unit it does not
    /// know stays as written.
    public func unit(_ chinese: String) -> String {
        guard self == .en else { return chinese }
        switch chinese {
        case "人次": return " person-times"
        case "人": return " people"
        case "个": return ""
        case "家": return " enterprises"
        case "台": return " units"
        case "次": return " times"
        case "所": return " schools"
        case "元": return " yuan"
        case "万元": return " 10k yuan"
        default: return chinese
        }
    }
}
