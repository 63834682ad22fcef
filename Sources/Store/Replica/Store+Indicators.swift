import GRDB
import SyncCore

extension Store {
    /// Records the manual value of a performance indicator as an operation of this
    /// replica: it syncs like every other change, and the latest write wins everywhere.
    ///
    /// The caller checks that the indicator exists and is a manual one (the targets
    /// file says so); this checks only that the value is a plain decimal number.
    public func setIndicator(_ key: IndicatorKey, value text: String) throws {
        try setIndicator(key, value: text, checkingRights: true)
    }

    /// `checkingRights: false` writes as ktx before 0.4 did, whatever this replica's role: for
    /// tests of what receivers do with a township's indicator value, and of its recovery.
    func setIndicator(_ key: IndicatorKey, value text: String, checkingRights: Bool) throws {
        let value = text.trimmingSpaces()
        guard Change.isValidIndicatorValue(value) else { throw KtxError.badIndicatorValue(text) }
        try writeLocal("indicator", checkingRights: checkingRights) { _, batch in
            batch.emit(key.target, .indicator(value))
        }
    }

    /// The manual indicator values this replica holds, by key, for one year.
    public func indicatorValues(year: Int) throws -> [IndicatorKey: String] {
        try read("indicators") { db in try Self.indicatorTexts(db, table: "indicator_value", year: year) }
    }

    /// Rows of `indicator_value` or `indicator_note` for one year, by key (empty ones left out).
    private static func indicatorTexts(_ db: Database, table: String, year: Int) throws -> [IndicatorKey: String] {
        var out: [IndicatorKey: String] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT key, value FROM \(table) WHERE key LIKE ? AND value != ''",
                                    arguments: ["\(year)/%"]) {
            if let key = IndicatorKey(rawValue: row[0]) { out[key] = row[1] }
        }
        return out
    }

    /// Records the county's notes on an indicator (偏差原因分析及改进措施) as an operation of
    /// this replica: it syncs like a manual value; the latest entry wins; empty text clears it.
    /// - Returns: the notes as stored (line ends normalised), nil when cleared.
    @discardableResult
    public func setIndicatorNote(_ key: IndicatorKey, text: String) throws -> String? {
        let notes = try Validate.notes(text)
        try writeLocal("indicator-note") { _, batch in
            batch.emit(key.target, .set(.notes, notes))
        }
        return notes.isEmpty ? nil : notes
    }

    /// The county's notes on the indicators of one year, by key (empty ones left out).
    public func indicatorNotes(year: Int) throws -> [IndicatorKey: String] {
        try read("indicator-notes") { db in try Self.indicatorTexts(db, table: "indicator_note", year: year) }
    }
}
