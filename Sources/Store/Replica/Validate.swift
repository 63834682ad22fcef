import SyncCore

/// Checks of user input shared by every command that writes.
public enum Validate {
    /// A one-line text the acceptance rule takes (``AcceptanceRule/isText(_:)``): 1 to 200
    /// scalars, no control or bidirectional-control characters.
    public static func text(_ value: String, option: String, allowEmpty: Bool = false) throws {
        if value.isEmpty && allowEmpty { return }
        guard AcceptanceRule.isText(value) else { throw KtxError.badText(option) }
    }

    /// A year as typed: four digits, 1900 to 2999.
    public static func year(_ text: String) throws -> Int {
        guard text.count == 4, let y = Int(text), (1900...2999).contains(y) else { throw KtxError.badYear(text) }
        return y
    }

    public static func date(_ text: String) throws -> CalendarDate {
        guard let date = CalendarDate(parsing: text) else { throw KtxError.badDate(text) }
        return date
    }

    public static func kind(_ text: String, catalog: Catalog) throws -> ActivityKind {
        guard let kind = catalog.kind(named: text) else { throw KtxError.unknownKind(text, catalog: catalog) }
        return kind
    }

    public static func metric(_ text: String, catalog: Catalog) throws -> Metric {
        guard let metric = catalog.metric(named: text) else { throw KtxError.unknownMetric(text, catalog: catalog) }
        return metric
    }

    public static func amount(_ amount: Int64, metric: Metric, allowNegative: Bool) throws {
        let shown = metric.format(amount)
        if !allowNegative && amount < 0 { throw KtxError.negativeValue("--\(metric.code)", shown) }
        if amount.magnitude > metric.maximumAmount.magnitude { throw KtxError.tooLarge("--\(metric.code)", shown) }
    }
}
