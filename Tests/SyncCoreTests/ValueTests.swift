import SyncCore
import Testing

@Suite struct ValueTests {
    @Test(arguments: [
        ("2023-05-20", "2023-05-20"), ("2024-02-29", "2024-02-29"), (" 2023-12-31 ", "2023-12-31"),
    ])
    func validDatesParse(text: String, expected: String) throws {
        #expect(try #require(CalendarDate(parsing: text)).description == expected)
    }

    @Test(arguments: ["2023-02-29", "2023-13-01", "2023-04-31", "2023-5-20", "20230520", "2023/05/20", "1899-01-01", "", "2023-05-2x"])
    func invalidDatesAreRefused(text: String) {
        #expect(CalendarDate(parsing: text) == nil)
    }

    @Test func quartersFollowTheMonth() {
        #expect([1, 3, 4, 6, 7, 9, 10, 12].map { CalendarDate(parsing: "2023-\($0 < 10 ? "0" : "")\($0)-01")!.quarter } == [1, 1, 2, 2, 3, 3, 4, 4])
    }

    @Test func amountsParseInStoredUnits() throws {
        let catalog = Catalog.standard
        let attendance = try #require(catalog.metric(named: "参加人次"))
        let cost = try #require(catalog.metric(named: "cost"))
        #expect(attendance.parse("120") == 120)
        #expect(attendance.parse("-5") == -5)
        #expect(attendance.parse("1.5") == nil)
        #expect(attendance.parse("12a") == nil)
        #expect(attendance.parse("") == nil)
        #expect(cost.parse("1200") == 120_000)
        #expect(cost.parse("1200.5") == 120_050)
        #expect(cost.parse("0.05") == 5)
        #expect(cost.parse("1.234") == nil)
        #expect(cost.format(120_050) == "1200.50")
        #expect(cost.format(-5) == "-0.05")
    }

    @Test func theCatalogHoldsTheCountysActivityKinds() throws {
        let catalog = Catalog.standard
        for name in ["科技下乡", "青少年科普日", "科技活动周", "流动科技馆", "全国科普日", "科技培训"] {
            let kind = try #require(catalog.kind(named: name), "\(name) is missing from Schema/catalog.json")
            #expect(catalog.kind(named: kind.code) == kind)
            #expect(kind.code.allSatisfy { $0.isASCII })
        }
        #expect(Set(catalog.kinds.map(\.code)).count == catalog.kinds.count)
        #expect(Set(catalog.metrics.map(\.code)).count == catalog.metrics.count)
    }

    @Test func activityIDsParseOnlyTheirOwnShape() {
        #expect(ActivityID(parsing: "3fa9c2d1b0e4-17")?.rawValue == "3fa9c2d1b0e4-17")
        #expect(ActivityID(parsing: "3FA9C2D1B0E4-17")?.rawValue == "3fa9c2d1b0e4-17")
        for bad in ["3fa9c2d1b0e4", "3fa9c2d1b0e4-0", "3fa9c2d1b0e4-x", "3fa9-17", "zzzzzzzzzzzz-1", "3fa9c2d1b0e4-017"] {
            #expect(ActivityID(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func languageFollowsTheExplicitChoiceThenLangThenChinese() {
        #expect(Language.resolve(explicit: .en, environment: ["LANG": "zh_CN.UTF-8"]) == .en)
        #expect(Language.resolve(explicit: nil, environment: ["LANG": "zh_CN.UTF-8"]) == .zh)
        #expect(Language.resolve(explicit: nil, environment: ["LANG": "en_US.UTF-8"]) == .en)
        #expect(Language.resolve(explicit: nil, environment: ["LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"]) == .en)
        #expect(Language.resolve(explicit: nil, environment: [:]) == .zh)
        #expect(Language.resolve(explicit: nil, environment: ["LANG": "C.UTF-8"]) == .zh)
    }
}
