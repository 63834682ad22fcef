import Foundation
@testable import Store
import SyncCore
import Testing
import TestSupport

/// Steps of the year's close outside their writer's rights are refused by every receiver, as
/// a ktx that did not check them at home would have written them: a township approving or
/// returning a year, a county PC submitting one, a township submitting under another PC's id.
@Suite struct YearCloseRightsTests {
    @Test func stepsOutsideTheirWritersRightsAreRefusedEverywhere() async throws {
        let lab = ReplicaLab("year-rights")
        defer { lab.remove() }
        let folder = try StuckReplicaTests.Folder(lab)
        let hexi = try lab.replica("hx", township: "河西镇")
        let dongjie = try lab.replica("dj", township: "东街镇")
        for office in [hexi, dongjie] {
            _ = try office.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "培训", quantities: ["attendance": 10]))
            try await folder.sync(office)
            try await folder.approve(office)
            try await folder.sync(office)
        }
        try await folder.sync(folder.county)
        let approve = YearClose.Step(action: .approve, year: 2023, township: "东街镇")
        // Refused at home first, then written as an older ktx would.
        #expect(throws: KtxError.self) { try hexi.writeYearStep(approve, checkingRights: true) }
        try hexi.writeYearStep(approve, checkingRights: false)
        let submit = YearClose.Step(action: .submit, year: 2023)
        #expect(throws: KtxError.self) { try folder.county.writeYearStep(submit, checkingRights: true) }
        try folder.county.writeYearStep(submit, checkingRights: false)
        // 东街镇's PC submits under 河西镇's PC's id.
        let other = ActivityID(replica: try hexi.identity().replica, seq: 99)
        #expect(throws: KtxError.self) { try dongjie.writeYearStep(submit, target: other, checkingRights: true) }
        try dongjie.writeYearStep(submit, target: other, checkingRights: false)
        for store in [hexi, folder.county, dongjie] { try await StuckReplicaTests.publishAsOlderKtx(store, to: try folder.hub(for: store)) }

        let receiver = try lab.replica("reader", township: "县科协")
        let report = try await folder.sync(receiver)
        let reasons = Set(report.refused.map(\.reason))
        #expect(reasons == [.countyOnly, .townshipOnly, .otherActivity], "\(report.refused)")
        // None of them stands anywhere.
        #expect(try receiver.yearStandings(2023).allSatisfy { $0.standing.state == .notSubmitted })
    }
}
