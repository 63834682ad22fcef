/// What a clerk really types, made into what ktx stores: full-width digits and punctuation
/// (from a Chinese input method) folded to ASCII, dates in the usual Chinese forms, and
/// near misses answered with the name that was probably meant.
public enum TypedInput {
    /// Full-width ASCII (U+FF01…U+FF5E) and the ideographic space folded to ASCII:
    /// `２０２３－０５－２０` → `2023-05-20`, `１２０` → `120`, `township，kind` → `township,kind`.
    /// Also the ideographic full stop and enumeration comma, which an input method types for
    /// `.` and `,` in a number or a list.
    public static func folded(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: out.append(Unicode.Scalar(UInt8(scalar.value - 0xFEE0)))
            case 0x3000: out.append(" ")
            case 0x3001: out.append(",")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// Notes as typed or pasted from a spreadsheet cell: line ends made `\n`, tabs made
    /// spaces, spaces at either end dropped. Full-width text is kept (it is prose).
    public static func notes(_ text: String) -> String {
        // "\r\n" is one Character.
        String(text.map { $0 == "\r\n" || $0 == "\r" ? "\n" : $0 == "\t" ? " " : $0 }).trimmingSpaces()
    }

    /// Why a typed date is not a day.
    public enum DateProblem: Error, Equatable, Sendable {
        /// Not in any form ktx reads.
        case form
        /// A month that does not exist (13).
        case month(Int)
        /// A day the month does not have (2023-02-30): the month's length is given.
        case day(year: Int, month: Int, day: Int, monthLength: Int)
        /// A year outside 1900…2999.
        case year(Int)
    }

    /// Reads a date typed as `2023-05-20`, `2023-5-20`, `2023/5/20`, `2023.5.20`,
    /// `2023年5月20日`, `20230520`, or any of these in full-width digits.
    public static func date(_ text: String) -> Result<CalendarDate, DateProblem> {
        let t = folded(text).trimmingSpaces()
        var numbers: [Substring] = []
        if t.utf8.count == 8, t.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
            numbers = [t.prefix(4), t.dropFirst(4).prefix(2), t.suffix(2)]
        } else if t.hasSuffix("日"), t.contains("年"), t.contains("月") {
            numbers = t.dropLast().split(omittingEmptySubsequences: false) { $0 == "年" || $0 == "月" }
                .map { Substring($0.trimmingSpaces()) }
        } else {
            for separator: Character in ["-", "/", "."] where t.contains(separator) {
                numbers = t.split(separator: separator, omittingEmptySubsequences: false)
                break
            }
        }
        guard numbers.count == 3, numbers[0].count == 4, (1...2).contains(numbers[1].count), (1...2).contains(numbers[2].count),
              numbers.allSatisfy({ $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } }),
              let y = Int(numbers[0]), let m = Int(numbers[1]), let d = Int(numbers[2])
        else { return .failure(.form) }
        guard (1900...2999).contains(y) else { return .failure(.year(y)) }
        guard (1...12).contains(m) else { return .failure(.month(m)) }
        let length = CalendarDate.daysIn(month: m, year: y)
        guard (1...length).contains(d) else { return .failure(.day(year: y, month: m, day: d, monthLength: length)) }
        guard let date = CalendarDate(parsing: String(y) + "-" + two(m) + "-" + two(d)) else { return .failure(.form) }
        return .success(date)
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }

    /// The candidate closest to what was typed, if it is near enough to be a slip: at most
    /// one edit for short words (a wrong character in 科技下相), two for longer ones.
    public static func nearest(_ typed: String, among candidates: [String]) -> String? {
        let t = Array(folded(typed).trimmingSpaces().lowercased())
        guard !t.isEmpty else { return nil }
        var best: (String, Int)?
        for candidate in candidates {
            let c = Array(candidate.lowercased())
            let distance = editDistance(t, c)
            let allowed = max(t.count, c.count) <= 4 ? 1 : 2
            if distance <= allowed, distance < best?.1 ?? .max { best = (candidate, distance) }
        }
        return best?.0
    }

    /// Levenshtein distance, with a swap of two neighbours counted as one edit (recrod).
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
