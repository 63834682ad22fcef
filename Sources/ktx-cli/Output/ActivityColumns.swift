import SyncCore

/// The columns of an activity file, defined once: `ktx export` writes them (in this order,
/// the catalog's metrics before 备注) and `ktx import` reads them by any of their names.
enum ActivityColumn: CaseIterable {
    case id, date, township, kind, title, venue, project, notes

    /// The English header: the `ktx record` option's name.
    var english: String {
        switch self {
        case .id: "id"
        case .date: "date"
        case .township: "township"
        case .kind: "kind"
        case .title: "title"
        case .venue: "venue"
        case .project: "project"
        case .notes: "notes"
        }
    }

    /// The Chinese header `ktx export --lang zh` writes.
    var chinese: String {
        switch self {
        case .id: "编号"
        case .date: "日期"
        case .township: "乡镇"
        case .kind: "类型"
        case .title: "标题"
        case .venue: "地点"
        case .project: "项目"
        case .notes: "备注"
        }
    }

    /// Every name an import takes for it: the two headers and the words a clerk's own
    /// spreadsheet uses.
    var names: [String] {
        let others: [String] = switch self {
        case .kind: ["活动类型"]
        case .date: ["活动日期"]
        case .title: ["活动名称", "名称"]
        case .venue: ["活动地点"]
        case .project: ["项目编码"]
        case .notes: ["说明"]
        case .id, .township: []
        }
        return [english, chinese] + others
    }

    /// The column a header names (case and surrounding spaces aside); nil for another.
    init?(header: String) {
        let h = header.trimmingSpaces().lowercased()
        guard let found = Self.allCases.first(where: { $0.names.contains(h) }) else { return nil }
        self = found
    }

    /// The header of an exported file in `language`, the catalog's metrics before 备注.
    static func header(_ language: Language, metrics: [Metric]) -> [String] {
        let fields = allCases.filter { $0 != .notes }
        return language == .zh
            ? fields.map(\.chinese) + metrics.map(\.name) + [notes.chinese]
            : fields.map(\.english) + metrics.map(\.code) + [notes.english]
    }
}
