import GRDB
import SyncCore

extension Store {
    /// Records the manual value of a performance indicator as an operation of this
    /// replica: it syncs like every other change, and the latest write wins everywhere.
    ///
    /// The caller checks that the indicator exists and is a manual one (the targets
    /// file says so); this checks only that the value is a plain decimal number.
    public func setIndicator(_ key: IndicatorKey, value text: String) throws {
        let value = text.trimmingSpaces()
        guard Change.isValidIndicatorValue(value) else { throw KtxError.badIndicatorValue(text) }
        try writeLocal("indicator") { _, batch in
            batch.emit(key.target, .indicator(value))
        }
    }

    /// The manual indicator values this replica holds, by key, for one year.
    public func indicatorValues(year: Int) throws -> [IndicatorKey: String] {
        try read("indicators") { db in
            var out: [IndicatorKey: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM indicator_value WHERE key LIKE ?",
                                        arguments: ["\(year)/%"]) {
                if let key = IndicatorKey(rawValue: row[0]) { out[key] = row[1] }
            }
            return out
        }
    }
}
