/// A calendar date written `YYYY-MM-DD`, as activities carry it.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The year, 1900 to 2999.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int
    /// The day of the month.
    public let day: Int

    /// Parses `YYYY-MM-DD` strictly: a real day of a year from 1900 to 2999.
    public init?(parsing text: String) {
        // Stored and wire dates are exact; only typed ones may carry spaces around them.
        guard let date = Self.canonical(text) ?? Self.canonical(text.trimmingSpaces()) else { return nil }
        self = date
    }

    /// The date if `text` is exactly `YYYY-MM-DD` (as every stored and wire date is), read
    /// from its bytes: the merge checks a date on every field operation, and Foundation's
    /// trimming and `Character` tests cost more than the rest of the check.
    @inline(__always)
    static func canonical(_ text: String) -> CalendarDate? {
        var text = text
        return text.withUTF8 { b -> CalendarDate? in
            guard b.count == 10, b[4] == 0x2D, b[7] == 0x2D else { return nil }
            func number(_ from: Int, _ to: Int) -> Int? {
                var n = 0
                for i in from..<to {
                    let d = Int(b[i]) &- 0x30
                    guard d >= 0, d <= 9 else { return nil }
                    n = n * 10 + d
                }
                return n
            }
            guard let y = number(0, 4), let m = number(5, 7), let d = number(8, 10) else { return nil }
            guard (1900...2999).contains(y), (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y) else { return nil }
            return CalendarDate(year: y, month: m, day: d)
        }
    }

    private init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Whether `text` is a real day written exactly `YYYY-MM-DD`.
    public static func isCanonical(_ text: String) -> Bool { canonical(text) != nil }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (proleptic Gregorian), to compare dates by distance.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The quarter, 1 to 4.
    public var quarter: Int { (month + 2) / 3 }

    /// `YYYY-MM-DD`.
    public var description: String {
        "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }

    /// Earlier days first.
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}
