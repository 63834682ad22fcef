import Foundation
import KtxWords
import Store
import SyncCore
import Testing
import TestSupport

/// Wrong clocks cannot spread or lock anyone out: an operation dated beyond the allowed skew
/// is held, not merged, and moves no clock; a PC whose clock was wrong is told, keeps what
/// it recorded, and syncs normally once the clock is right.
@Suite struct ClockTests {
    static let year2100: Int64 = 4_102_444_800_000
    static let year2031: Int64 = 1_924_992_000_000

    func draft(_ title: String, attendance: Int64 = 40) -> ActivityDraft {
        ActivityDraft(kind: "rural", date: "2023-05-20", title: title, quantities: ["attendance": attendance])
    }

    @Test func anOperationDated2100IsHeldNamedAndMovesNoOnesClock() async throws {
        let lab = ReplicaLab("clock2100")
        defer { lab.remove() }
        let wrong = ManualClock(Self.year2100)
        let a = try Store.create(at: lab.dir.file("a.db"), township: "河西镇", wallClock: wrong)
        let b = try lab.replica("b", township: "东街镇")
        let county = try lab.replica("county", township: "县科协")
        try a.record(draft("时钟错误的活动"))
        try await lab.sync(a)

        let report = try await lab.sync(b)
        #expect(report.pulled == 0)
        let held = try #require(report.held.first)
        #expect(held.replica == (try a.identity().replica))
        #expect(held.township == "河西镇")
        #expect(held.aheadMillis == Self.year2100 - lab.clock.nowMillis())
        #expect(held.message(.zh).hasPrefix("暂不合并“河西镇”电脑（副本 \(held.replica.short)）第 1 条起的操作：其时间比本机时钟快 "))

        // B's next operation is dated by B's clock, not 2100, and reaches the county.
        let id = try b.record(draft("东街镇的活动", attendance: 7))
        let stamp = try #require(try b.operations(of: b.identity().replica, after: 0, limit: 100).last).timestamp
        #expect(stamp.millis == lab.clock.nowMillis())
        try await lab.sync(b)
        let countyReport = try await lab.sync(county)
        #expect(countyReport.held.count == 1)
        #expect(try county.activity(id)?.quantities["attendance"] == 7)
        #expect(try await county.totals().first?.activities == 1)
    }

    @Test func aPCWhoseClockWasSetTo2031ThenFixedLosesNothingThroughAFolder() async throws {
        let lab = ReplicaLab("clock2031")
        defer { lab.remove() }
        let pcClock = ManualClock(lab.clock.nowMillis())
        let a = try Store.create(at: lab.dir.file("a.db"), township: "河西镇", wallClock: pcClock)
        let a2 = try lab.replica("a2", township: "河西镇")
        let b = try lab.replica("b", township: "东街镇")
        let county = try lab.replica("county", township: "县科协")
        try b.record(draft("东街镇的活动"))
        try await lab.sync(b)
        try await lab.sync(a)

        // The clock is set to 2031: what A records is kept back, and the clerk told.
        pcClock.set(Self.year2031)
        let id = try a.record(draft("2031 年记的活动", attendance: 120))
        try a.add(to: id, amount: 5)
        let wrongSync = try await lab.sync(a)
        let ahead = try #require(wrongSync.clockAheadOfOthers)
        #expect(ahead > 365 * 24 * 3_600_000)
        #expect(wrongSync.pushed == 0)
        try await lab.sync(county)
        #expect(try county.activity(id) == nil)

        // Fixed: the next sync re-stamps what never left the PC and everything arrives.
        pcClock.set(lab.clock.nowMillis() + 3_600_000)
        let fixed = try await lab.sync(a)
        let repair = try #require(fixed.clockRepair)
        #expect(repair.restamped == 6)
        #expect(repair.publishedAhead == 0)
        #expect(fixed.clockAheadOfOthers == nil)
        #expect(fixed.pushed == 6)

        // A later edit made with a right clock wins over what was recorded under the wrong one.
        lab.clock.advance(by: 2 * 3_600_000)
        try await lab.sync(a2)
        try a2.edit(id, ActivityEdit(title: "改正后的标题"))
        for store in [a2, a, b, county, a2, a, b, county] { try await lab.sync(store) }
        for store in [a, a2, b, county] {
            #expect(try store.activity(id)?.title == "改正后的标题")
            #expect(try store.activity(id)?.quantities["attendance"] == 125)
        }
        #expect(Set(try [a, a2, b, county].map { try $0.stateDigest() }).count == 1)
        #expect(try await county.totals().first?.activities == 2)
    }

    @Test func aClockDraggedByAnOlderVersionIsPutRightAndOnlyUnpublishedOperationsAreRestamped() async throws {
        let lab = ReplicaLab("clockdrag")
        defer { lab.remove() }
        let pcClock = ManualClock(Self.year2031)
        let a = try Store.create(at: lab.dir.file("a.db"), township: "河西镇", wallClock: pcClock)
        let published = try a.record(draft("已同步"))
        try await lab.sync(a)
        let kept = try a.record(draft("未同步"))
        pcClock.set(lab.clock.nowMillis())
        let repair = try #require(try a.repairClock())
        #expect(repair.publishedAhead == 5)
        #expect(repair.restamped == 5)
        #expect(try a.repairClock() == nil)
        let ops = try a.operations(of: a.identity().replica, after: 0, limit: 100)
        #expect(ops.filter { $0.activity == published }.allSatisfy { $0.timestamp.millis >= Self.year2031 })
        #expect(ops.filter { $0.activity == kept }.allSatisfy { $0.timestamp.millis < Self.year2031 })
        #expect(try a.check().isSound)
        #expect(try a.activity(kept)?.title == "未同步")
    }
}
