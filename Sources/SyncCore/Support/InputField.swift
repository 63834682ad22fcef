/// A field of input as the core knows it: its key, as JSON and the operation log spell it.
/// The core never names a field in words; each edge does, as its people see it there
/// (``FieldNames``): `--title` in a terminal, 标题 in a form, `title` in JSON.
public struct InputField: Hashable, Sendable {
    /// The key: `title`, `venue`, a metric's code such as `attendance`.
    public let key: String

    public init(_ key: String) { self.key = key }

    public static let title = InputField("title")
    public static let venue = InputField("venue")
    public static let project = InputField("project")
    public static let township = InputField("township")
    public static let reason = InputField("reason")
    public static let kind = InputField("kind")
    public static let date = InputField("date")

    /// A quantity of the catalog, by its code.
    public static func metric(_ code: String) -> InputField { InputField(code) }
}

/// How an edge names the fields its people type: an error about a field is worded with it.
public struct FieldNames: Sendable {
    public let name: @Sendable (InputField, Language) -> String

    public init(_ name: @escaping @Sendable (InputField, Language) -> String) { self.name = name }

    /// A terminal's: the command's option, `--title`.
    public static let options = FieldNames { field, _ in "--\(field.key)" }

    /// JSON's: the key, `title`.
    public static let keys = FieldNames { field, _ in field.key }
}
