import Foundation
import KtxWords
import Store
import SyncCore
import Testing
import TestSupport

/// One test per merge rule of DESIGN.md, each through real replicas and a real folder hub.
@Suite struct MergeRuleTests {
    /// Two replicas of 河西镇 that both hold one activity recorded by the first.
    /// - Parameter largerFirst: nil for any ids; true for a's id the larger, false for b's.
    func twoOffices(_ lab: ReplicaLab, largerFirst: Bool? = nil,
                    title: String = "t", attendance: Int64 = 0) async throws -> (Store, Store, ActivityID) {
        let keys = ReplicaLab.orderedKeys(2)
        let a = try lab.replica("a", township: "河西镇", key: largerFirst == nil ? nil : keys[largerFirst! ? 1 : 0])
        let b = try lab.replica("b", township: "河西镇", key: largerFirst == nil ? nil : keys[largerFirst! ? 0 : 1])
        let id = try a.record(ActivityDraft(kind: "科技下乡", date: "2023-05-20", title: title, quantities: ["attendance": attendance]))
        try await lab.sync(a)
        try await lab.sync(b)
        return (a, b, id)
    }
    @Test func concurrentAttendanceAddsBothCount() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let (a, b, id) = try await twoOffices(lab, title: "果树修剪培训", attendance: 100)
        // Both offices add attendance while offline.
        try a.add(to: id, amount: 30)
        try b.add(to: id, amount: 12)
        try b.add(to: id, amount: -2)
        for store in [a, b, a] { try await lab.sync(store) }
        for store in [a, b] {
            #expect(try store.activity(id)?.quantities["attendance"] == 140)
            #expect(try await store.totals().first?.quantities["attendance"] == 140)
        }
    }

    @Test func sameTimestampEditsPickTheSameWinnerEverywhere() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let (a, b, id) = try await twoOffices(lab, largerFirst: false)
        // The clock stands still: both edits carry the same wall time, so the tie-break decides.
        lab.clock.set(1_700_000_000_000)
        try a.edit(id, ActivityEdit(title: "A 的标题"))
        try b.edit(id, ActivityEdit(title: "B 的标题"))
        let stampA = try #require(a.log(activity: id, limit: 1).first?.operation.timestamp)
        let stampB = try #require(b.log(activity: id, limit: 1).first?.operation.timestamp)
        #expect(stampA == stampB)
        for store in [b, a, b] { try await lab.sync(store) }
        #expect(try a.activity(id)?.title == "B 的标题")
        #expect(try b.activity(id)?.title == "B 的标题")
    }

    @Test func laterEditWinsOverEarlierEdit() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        // The earlier writer has the larger replica id: time decides before the tie-break.
        let (a, b, id) = try await twoOffices(lab, largerFirst: true)
        try a.edit(id, ActivityEdit(date: "2023-05-21"))
        lab.clock.advance(by: 1)
        try b.edit(id, ActivityEdit(date: "2023-05-22"))
        for store in [a, b, a] { try await lab.sync(store) }
        #expect(try a.activity(id)?.date == "2023-05-22")
        #expect(try b.activity(id)?.date == "2023-05-22")
    }

    @Test func deleteBeatsAConcurrentEdit() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let (a, b, id) = try await twoOffices(lab, attendance: 50)
        try a.delete(id)
        lab.clock.advance(by: 10)  // the edit is later than the delete, and still loses
        try b.edit(id, ActivityEdit(title: "later edit"))
        for store in [a, b, a] { try await lab.sync(store) }
        for store in [a, b] {
            #expect(try store.activity(id)?.deleted == true)
            #expect(try store.activities().isEmpty)
            #expect(try await store.totals().first?.activities == 0)
        }
    }

    @Test func deleteBeatsAConcurrentAddition() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let b = try lab.replica("b", township: "河西镇")
        let keep = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "keep", quantities: ["attendance": 7]))
        let gone = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "gone", quantities: ["attendance": 50]))
        try await lab.sync(a)
        try await lab.sync(b)
        try b.add(to: gone, amount: 25)
        try a.delete(gone)
        for store in [b, a, b] { try await lab.sync(store) }
        for store in [a, b] {
            #expect(try await store.totals().first?.quantities["attendance"] == 7)
            #expect(try store.activities().map(\.id) == [keep])
        }
        // The operations stay in the log.
        #expect(try a.log(activity: gone).count == b.log(activity: gone).count)
        #expect(try a.log(activity: gone).contains { $0.operation.change == .add(metric: "attendance", amount: 25) })
    }

    @Test func duplicateDeliveryChangesNothing() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let b = try lab.replica("b", township: "河西镇")
        let id = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t", quantities: ["attendance": 10]))
        try a.add(to: id, amount: 5)
        let ops = try a.operations(of: a.identity().replica, after: 0, limit: 100)
        let first = try b.merge(ops)
        let digest = try b.stateDigest()
        let again = try b.merge(ops)
        let shuffledSubset = try b.merge(ops.reversed().filter { $0.seq % 2 == 0 })
        #expect(first.applied == ops.count)
        #expect(again.applied == 0 && again.duplicates == ops.count)
        #expect(shuffledSubset.applied == 0)
        #expect(try b.stateDigest() == digest)
        #expect(try b.activity(id)?.quantities["attendance"] == 15)
        #expect(try await b.operationCounts().total == Int64(ops.count))
    }

    @Test func operationsInAnyOrderGiveTheSameState() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let b = try lab.replica("b", township: "东街镇")
        let ia = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "a", quantities: ["attendance": 10]))
        let ib = try b.record(ActivityDraft(kind: "museum", date: "2023-07-01", title: "b", quantities: ["attendance": 300]))
        try a.edit(ia, ActivityEdit(title: "a2"))
        try b.add(to: ib, amount: 20)
        let opsA = try a.operations(of: a.identity().replica, after: 0, limit: 100)
        let opsB = try b.operations(of: b.identity().replica, after: 0, limit: 100)
        let x = try lab.replica("x", township: "县科协")
        let y = try lab.replica("y", township: "县科协")
        try x.merge(opsA + opsB)
        try y.merge(opsB)
        try y.merge(Array(opsA.suffix(2)))  // held back: a gap before them
        try y.merge(opsA)
        #expect(try x.stateDigest() == y.stateDigest())
        #expect(try await x.totals(by: [.township]) == y.totals(by: [.township]))
    }

    @Test func rebuildFromTheLogGivesTheSameState() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let a = try lab.replica("a", township: "河西镇")
        let b = try lab.replica("b", township: "河西镇")
        let one = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "one", quantities: ["attendance": 10, "cost": 150_050]))
        let two = try a.record(ActivityDraft(kind: "youth", date: "2023-09-20", title: "two", quantities: ["schools": 2]))
        try await lab.sync(a)
        try await lab.sync(b)
        try b.edit(one, ActivityEdit(venue: "村委会"))
        try b.add(to: one, amount: 4)
        try a.delete(two)
        for store in [a, b, a] { try await lab.sync(store) }
        let before = try b.stateDigest()
        let totals = try await b.totals(by: [.township, .kind, .quarter])
        try b.rebuildMaterialized()
        #expect(try b.stateDigest() == before)
        #expect(try await b.totals(by: [.township, .kind, .quarter]) == totals)
        #expect(try b.activity(one)?.venue == "村委会")
    }

    /// A manual indicator value (`ktx indicator set`) is a register like a field: the later
    /// entry wins on every replica, whatever order they sync in, and a rebuild keeps it.
    @Test func theLaterIndicatorValueWinsEverywhere() async throws {
        let lab = ReplicaLab()
        defer { lab.remove() }
        let county = try lab.replica("county", township: "县科协", role: .county)
        // A second county PC (the county office has two).
        let town = try lab.replica("town", township: "县科协", role: .county)
        let key = IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率")
        try town.setIndicator(key, value: "88")
        lab.clock.advance(by: 1_000)
        try county.setIndicator(key, value: "92")     // later, though it syncs first
        try county.setIndicator(IndicatorKey(year: 2020, project: "rural", indicator: "引进科技人才"), value: "3")
        for store in [county, town, county] { try await lab.sync(store) }
        for store in [county, town] {
            #expect(try store.indicatorValues(year: 2023) == [key: "92"])
            #expect(try store.indicatorValues(year: 2020).count == 1)
        }
        #expect(try county.stateDigest() == town.stateDigest())
        try town.rebuildMaterialized()
        #expect(try town.indicatorValues(year: 2023) == [key: "92"])
        #expect(try county.stateDigest() == town.stateDigest())
        // Values are plain numbers; anything else is refused and changes nothing.
        let before = try town.stateDigest()
        for bad in ["", "九十", "92%", "-1", "1e5", "nan"] {
            #expect(throws: KtxError.self) { try town.setIndicator(key, value: bad) }
        }
        #expect(try town.stateDigest() == before)
    }
}
