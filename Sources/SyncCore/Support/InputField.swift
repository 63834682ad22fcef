/// A field of input as the core knows it: its key, as JSON and the operation log spell it.
/// The core never names a field in words; each edge does, as its people see it there
/// (``FieldNames``): `--title` in a terminal, 标题 in a form, `title` in JSON.
public struct InputField: Hashable, Sendable {
    /// The key: `title`, `venue`, a metric's code such as `attendance`.
    public let key: String

    /// A field by its key, the name it has in JSON.
    public init(_ key: String) { self.key = key }

    /// An activity's title (标题).
    public static let title = InputField("title")
    /// An activity's venue (地点).
    public static let venue = InputField("venue")
    /// An activity's budget project (项目).
    public static let project = InputField("project")
    /// A replica's or an activity's township (乡镇).
    public static let township = InputField("township")
    /// The reason the county gives when it returns a year (退回原因).
    public static let reason = InputField("reason")
    /// An activity's kind (类型).
    public static let kind = InputField("kind")
    /// An activity's date (日期).
    public static let date = InputField("date")

    /// A quantity of the catalog, by its code.
    public static func metric(_ code: String) -> InputField { InputField(code) }
}

/// How an edge names the fields its people type: an error about a field is worded with it.
public struct FieldNames: Sendable {
    /// The field's name for a person, in a language.
    public let name: @Sendable (InputField, Language) -> String
    /// Whether the edge is a terminal, where an error may name the `ktx` command that mends
    /// it; a page or a JSON answer says what to do in its own terms instead.
    public let terminal: Bool

    /// Names as an edge words them (`--title` in a terminal, 标题 on a page).
    public init(terminal: Bool = false, _ name: @escaping @Sendable (InputField, Language) -> String) {
        self.name = name
        self.terminal = terminal
    }

    /// A terminal's: the command's option, `--title`.
    public static let options = FieldNames(terminal: true) { field, _ in "--\(field.key)" }

    /// JSON's: the key, `title`.
    public static let keys = FieldNames { field, _ in field.key }
}
