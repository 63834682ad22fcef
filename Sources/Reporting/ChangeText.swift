import Store
import SyncCore

/// Field names and one-line descriptions of operations, in the user's language: what
/// `ktx log` prints and the dashboard's activity history shows.
public struct ChangeText: Sendable {
    /// The language of every word.
    public let language: Language
    /// The catalog that names kinds and metrics.
    public let catalog: Catalog

    /// Words in a language, with a catalog's names.
    public init(language: Language, catalog: Catalog) {
        self.language = language
        self.catalog = catalog
    }

    /// A field's name in the language.
    public func field(_ field: Field) -> String {
        switch (field, language) {
        case (.township, .zh): "乡镇"
        case (.kind, .zh): "类型"
        case (.date, .zh): "日期"
        case (.title, .zh): "标题"
        case (.venue, .zh): "地点"
        case (.project, .zh): "项目"
        case (.notes, .zh): "备注"
        case (_, .en): field.rawValue
        }
    }

    /// One line: the lines of notes joined.
    public func describe(_ change: Change) -> String {
        switch change {
        case let .set(field, value):
            return "\(self.field(field)) = \(field == .kind ? catalog.kindName(code: value, language) : value.replacingOccurrences(of: "\n", with: " / "))"
        case let .add(code, amount):
            let metric = catalog.metric(code: code)
            let name = metric.map { $0.displayName(language) } ?? code
            let shown = metric?.format(amount) ?? String(amount)
            return "\(name) \(amount >= 0 ? "+" : "")\(shown)"
        case .delete:
            return language.pick(zh: "删除", en: "deleted")
        case let .indicator(value):
            return language.pick(zh: "指标值 = \(value)", en: "indicator value = \(value)")
        case let .newerField(name, value):
            return language.pick(zh: "\(name)（新版字段）= ", en: "\(name) (a newer ktx's field) = ") + value.replacingOccurrences(of: "\n", with: " / ")
        }
    }
}
