import SyncCore

/// Checks of user input shared by every command that writes.
public enum Validate {
    /// A one-line text the acceptance rule takes (`AcceptanceRule.isText(_:)`): 1 to 200
    /// scalars, no control or bidirectional-control characters.
    public static func text(_ value: String, field: InputField, allowEmpty: Bool = false) throws {
        if value.isEmpty && allowEmpty { return }
        guard AcceptanceRule.isText(value) else { throw KtxError.badText(field) }
    }

    /// ``text(_:field:allowEmpty:)`` for what only one edge has (a CSV column).
    public static func text(_ value: String, option: String, allowEmpty: Bool = false) throws {
        if value.isEmpty && allowEmpty { return }
        guard AcceptanceRule.isText(value) else { throw KtxError.badText(option) }
    }

    /// A year as typed: four digits, 1900 to 2999.
    public static func year(_ text: String) throws -> Int {
        guard text.count == 4, let y = Int(text), (1900...2999).contains(y) else { throw KtxError.badYear(text) }
        return y
    }

    /// A quarter as typed: 1 to 4 (the terminal's `--quarter`, the dashboard's `quarter`).
    public static func quarter(_ text: String) throws -> Int {
        guard let q = Int(text.trimmingSpaces()), (1...4).contains(q) else {
            throw KtxError(.badQuarter(text))
        }
        return q
    }

    /// Notes (备注, 偏差原因) as typed or pasted: line ends normalised; empty is allowed
    /// (it clears them).
    public static func notes(_ text: String) throws -> String {
        let notes = TypedInput.notes(text)
        guard notes.isEmpty || AcceptanceRule.isNotes(notes) else {
            throw KtxError(.badNotes(maxScalars: AcceptanceRule.maxNotesScalars))
        }
        return notes
    }

    /// A date as a clerk types it (2023-5-20, 2023/5/20, 2023年5月20日, full-width digits);
    /// an impossible one names what is wrong with it.
    public static func date(_ text: String) throws -> CalendarDate {
        switch TypedInput.date(text) {
        case .success(let date): return date
        case .failure(let problem): throw KtxError.badDate(text, problem)
        }
    }

    /// Why a date is probably a slip (``unlikely(_:today:)``); the edge that took it words it.
    public enum UnlikelyDate: Sendable, Equatable {
        /// More than 30 days after `today`.
        case ahead(today: CalendarDate)
        /// More than five years before today: this many years.
        case yearsAgo(Int)
    }

    /// A date that is probably a slip: more than 30 days ahead of `today`, or more than five
    /// years before it. It is taken (old records are entered late; plans early), with a
    /// warning that says so.
    public static func unlikely(_ date: CalendarDate, today: CalendarDate) -> UnlikelyDate? {
        if date.dayNumber > today.dayNumber + 30 { return .ahead(today: today) }
        if date.year < today.year - 5 { return .yearsAgo(today.year - date.year) }
        return nil
    }

    /// The catalog's kind named by its Chinese name, code or alias; a did-you-mean error otherwise.
    public static func kind(_ text: String, catalog: Catalog) throws -> ActivityKind {
        guard let kind = catalog.kind(named: text) else { throw KtxError.unknownKind(text, catalog: catalog) }
        return kind
    }

    /// The catalog's metric named by its Chinese name or code; a did-you-mean error otherwise.
    public static func metric(_ text: String, catalog: Catalog) throws -> Metric {
        guard let metric = catalog.metric(named: text) else { throw KtxError.unknownMetric(text, catalog: catalog) }
        return metric
    }

    /// Checks an amount of a metric: not negative unless allowed, within the metric's bound.
    public static func amount(_ amount: Int64, metric: Metric, allowNegative: Bool) throws {
        let shown = metric.format(amount)
        if !allowNegative && amount < 0 { throw KtxError.negativeValue(.metric(metric.code), shown) }
        if amount.magnitude > metric.maximumAmount.magnitude { throw KtxError.tooLarge(.metric(metric.code), shown) }
    }
}
