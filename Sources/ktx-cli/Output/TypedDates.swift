import Foundation
import Store
import SyncCore

/// Today, on this PC's calendar.
func localToday() -> CalendarDate {
    let parts = Calendar(identifier: .gregorian).dateComponents(in: .current, from: Date())
    // A system clock beyond the years a date may take (1900–2999) gives that range's edge.
    let y = min(2999, max(1900, parts.year ?? 2000)), m = parts.month ?? 1, d = parts.day ?? 1
    let text = "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    guard let today = CalendarDate(parsing: text) else { preconditionFailure("the calendar gave no real day: \(text)") }
    return today
}

/// Says on stderr when a typed date is probably a slip (far ahead, or years back); the
/// date is taken all the same.
func warnIfUnlikely(_ text: String?, _ language: Language, row: String? = nil) {
    guard let text, let date = try? Validate.date(text), let note = Validate.unlikely(date, today: localToday()) else { return }
    Console.error("ktx: " + (row.map { $0 + " " } ?? "") + unlikelyWords(date, note, language))
}

/// The warning for a date that is probably a slip, naming the command that corrects it.
func unlikelyWords(_ date: CalendarDate, _ note: Validate.UnlikelyDate, _ language: Language) -> String {
    switch note {
    case .ahead(let today):
        language.pick(zh: "注意：日期 \(date) 晚于今天（\(today)）；已照此记录，如写错了请用 ktx edit 编号 --date 更正",
                      en: "note: the date \(date) is after today (\(today)); recorded as given; if it is a slip, correct it with `ktx edit ID --date`")
    case .yearsAgo(let years):
        language.pick(zh: "注意：日期 \(date) 是 \(years) 年前；已照此记录，如写错了请用 ktx edit 编号 --date 更正",
                      en: "note: the date \(date) is \(years) years ago; recorded as given; if it is a slip, correct it with `ktx edit ID --date`")
    }
}
