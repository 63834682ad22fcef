/// A JSON value whose objects keep their keys in the order given, so output is stable
/// and readable (group keys first, then counts, then metrics in catalog order).
public enum JSONValue: Sendable {
    case string(String)
    /// A number, as its JSON literal (`120`, `1234.50`).
    case number(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// An integer, written exactly (never through a double).
    public static func int(_ v: some BinaryInteger) -> JSONValue { .number(String(v)) }
    /// A string, or `null` for nil.
    public static func optional(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }

    /// Serialises with two-space indentation, one array element or object member per line.
    public func render(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        let inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case let .string(s): return Self.quote(s)
        case let .number(n): return n
        case let .bool(b): return b ? "true" : "false"
        case .null: return "null"
        case let .array(items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.render(indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "]"
        case let .object(members):
            if members.isEmpty { return "{}" }
            return "{\n" + members.map { inner + Self.quote($0.0) + ": " + $0.1.render(indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + pad + "}"
        }
    }

    /// A JSON string literal, escaped as operation files escape it.
    public static func quote(_ s: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 2)
        OperationRow.appendJSONString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
