import SyncCore

/// An activity as the replica currently sees it: merged fields and quantity totals.
public struct ActivityRecord: Hashable, Sendable {
    /// The activity's id.
    public var id: ActivityID
    /// The township it belongs to.
    public var township: String?
    /// The kind's catalog code.
    public var kind: String?
    /// `YYYY-MM-DD`.
    public var date: String?
    /// 标题.
    public var title: String?
    /// 地点.
    public var venue: String?
    /// The budget project's key (`rural`), if set.
    public var project: String?
    /// 备注: free notes, lines separated by `\n`.
    public var notes: String?
    /// Whether it was deleted (it then counts in no total).
    public var deleted: Bool
    /// Totals by metric code, in stored units (fen for cost).
    public var quantities: [String: Int64]

    /// An activity as merged.
    public init(id: ActivityID, township: String? = nil, kind: String? = nil, date: String? = nil, title: String? = nil,
                venue: String? = nil, project: String? = nil, notes: String? = nil, deleted: Bool = false,
                quantities: [String: Int64] = [:]) {
        self.id = id
        self.notes = notes
        self.township = township
        self.kind = kind
        self.date = date
        self.title = title
        self.venue = venue
        self.project = project
        self.deleted = deleted
        self.quantities = quantities
    }

    /// The value of a descriptive field.
    public subscript(field: Field) -> String? {
        switch field {
        case .township: township
        case .kind: kind
        case .date: date
        case .title: title
        case .venue: venue
        case .project: project
        case .notes: notes
        }
    }
}

/// What `ktx record` records: the descriptive fields and the starting quantities.
public struct ActivityDraft: Sendable {
    /// A kind by Chinese name, code or alias.
    public var kind: String
    /// `YYYY-MM-DD`.
    public var date: String
    /// 标题.
    public var title: String
    /// 地点.
    public var venue: String?
    /// The budget project, by key, code or name.
    public var project: String?
    /// 备注.
    public var notes: String?
    /// Starting quantities by metric code, in stored units; must not be negative.
    public var quantities: [String: Int64]

    /// A new activity as a clerk enters it.
    public init(kind: String, date: String, title: String, venue: String? = nil, project: String? = nil,
                notes: String? = nil, quantities: [String: Int64] = [:]) {
        self.notes = notes
        self.kind = kind
        self.date = date
        self.title = title
        self.venue = venue
        self.project = project
        self.quantities = quantities
    }
}

/// What `ktx edit` changes: each non-nil field is set.
public struct ActivityEdit: Sendable {
    /// A new title.
    public var title: String?
    /// A new date, as typed.
    public var date: String?
    /// A new venue; empty clears it.
    public var venue: String?
    /// A new kind, by Chinese name, code or alias.
    public var kind: String?
    /// A new project; empty clears it.
    public var project: String?
    /// 备注 (empty text clears it).
    public var notes: String?

    /// An edit of the fields given; the others stay.
    public init(title: String? = nil, date: String? = nil, venue: String? = nil, kind: String? = nil, project: String? = nil,
                notes: String? = nil) {
        self.notes = notes
        self.title = title
        self.date = date
        self.venue = venue
        self.kind = kind
        self.project = project
    }

    /// Whether the edit changes nothing.
    public var isEmpty: Bool { title == nil && date == nil && venue == nil && kind == nil && project == nil && notes == nil }
}

/// Which activities a query covers.
public struct ActivityFilter: Sendable, Hashable {
    /// A kind code.
    public var kind: String?
    /// Only this township's activities.
    public var township: String?
    /// Only activities dated in this year.
    public var year: Int?

    /// A filter; nil for each criterion not applied.
    public init(kind: String? = nil, township: String? = nil, year: Int? = nil) {
        self.kind = kind
        self.township = township
        self.year = year
    }

    /// Validates filter values as a user typed them (`--kind`, `--township`, `--year`, or the
    /// hub's query parameters).
    ///
    /// - Throws: `KtxError` `unknown-kind` or `bad-year`.
    public static func parse(kind: String?, township: String?, year: String?, catalog: Catalog) throws -> ActivityFilter {
        var filter = ActivityFilter(township: township)
        if let kind { filter.kind = try Validate.kind(kind, catalog: catalog).code }
        if let year { filter.year = try Validate.year(year) }
        return filter
    }
}
