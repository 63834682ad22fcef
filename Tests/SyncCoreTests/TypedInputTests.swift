import Foundation
import SyncCore
import Testing

/// What a clerk types is read as meant: the usual Chinese date forms, full-width digits from
/// an input method, and slips answered with the name probably meant.
@Suite struct TypedInputTests {
    @Test(arguments: ["2023-05-20", "2023-5-20", "2023/5/20", "2023/05/20", "2023.5.20", "2023年5月20日", "2023 年 5 月 20 日",
                      "２０２３－０５－２０", "２０２３年５月２０日", "20230520", " 2023-05-20 "])
    func usualFormsAreTheSameDay(typed: String) throws {
        #expect(try TypedInput.date(typed).get().description == "2023-05-20")
    }

    @Test func impossibleDatesNameWhatIsWrong() {
        #expect(TypedInput.date("2023-02-29") == .failure(.day(year: 2023, month: 2, day: 29, monthLength: 28)))
        #expect((try? TypedInput.date("2024-02-29").get())?.description == "2024-02-29")
        #expect(TypedInput.date("2023-04-31") == .failure(.day(year: 2023, month: 4, day: 31, monthLength: 30)))
        #expect(TypedInput.date("2023-00-10") == .failure(.month(0)))
        #expect(TypedInput.date("1850-01-01") == .failure(.year(1850)))
        for form in ["5/20/2023", "2023-5", "二〇二三年五月二十日", "2023-05-20T10:00", "23-05-20", ""] {
            #expect(TypedInput.date(form) == .failure(.form), "\(form)")
        }
    }

    @Test func fullWidthDigitsAndPunctuationFold() {
        #expect(TypedInput.folded("１２０") == "120")
        #expect(TypedInput.folded("township，kind") == "township,kind")
        #expect(TypedInput.folded("乡镇、类型") == "乡镇,类型")
        #expect(TypedInput.folded("科技下乡") == "科技下乡")
    }

    @Test func amountsAsTyped() throws {
        let attendance = try #require(Catalog.standard.metric(code: "attendance"))
        let cost = try #require(Catalog.standard.metric(code: "cost"))
        #expect(attendance.parse("１２０") == 120)
        #expect(attendance.parse("1,200") == 1200)
        #expect(attendance.parse("12,000,000") == 12_000_000)
        #expect(attendance.parse("1,20") == nil)
        #expect(attendance.parse("12,0000") == nil)
        #expect(cost.parse("1,200.50") == 120_050)
        #expect(cost.parse("１２００．５") == 120_050)
    }

    @Test func slipsFindTheNameMeant() {
        let kinds = Catalog.standard.kinds.map(\.name)
        #expect(TypedInput.nearest("科技下相", among: kinds) == "科技下乡")
        #expect(TypedInput.nearest("流动科技", among: kinds) == "流动科技馆")
        #expect(TypedInput.nearest("体育比赛", among: kinds) == nil)
        #expect(TypedInput.nearest("recrod", among: ["record", "remote", "report"]) == "record")
        #expect(TypedInput.nearest("sink", among: ["sync", "show", "status"]) == nil)
    }
}

/// The acceptance rule's date check reads bytes; it must take exactly the real days written
/// `YYYY-MM-DD` of 1900…2999, the set the old strict parser took.
@Suite struct CanonicalDateTests {
    @Test(arguments: [1899, 1900, 1999, 2000, 2023, 2024, 2100, 2999, 3000])
    func exactlyTheRealDaysWrittenCanonically(year: Int) {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "UTC")!
        for month in 0...13 {
            for day in 0...32 {
                let real = (1900...2999).contains(year) && (1...12).contains(month) && day >= 1
                    && gregorian.date(from: DateComponents(year: year, month: month, day: day))
                        .map { gregorian.component(.day, from: $0) == day } == true
                let canonical = String(format: "%04d-%02d-%02d", year, month, day)
                #expect(CalendarDate.isCanonical(canonical) == real, "\(canonical)")
                #expect((CalendarDate(parsing: canonical)?.description == canonical) == real)
                for other in ["\(year)-\(month)-\(day)", " " + canonical, canonical + " ", canonical.replacingOccurrences(of: "-", with: "/"),
                              "+" + canonical.dropFirst(), String(canonical.prefix(9)) + "x"] where other != canonical {
                    #expect(!CalendarDate.isCanonical(other), "\(other)")
                }
            }
        }
        #expect(!CalendarDate.isCanonical("２０２３-０５-２０"))
        #expect(!CalendarDate.isCanonical("2023-05-2\u{0301}"))
    }
}
