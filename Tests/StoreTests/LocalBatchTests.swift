import Foundation
import KtxWords
import Store
import SyncCore
import Testing
import TestSupport

/// Many local changes in one transaction: all or none, each checked as if made alone.
@Suite struct LocalBatchTests {
    @Test func additionsAreCheckedAgainstTheRunningTotalAndWrittenAllOrNone() throws {
        let lab = ReplicaLab("add-all")
        defer { lab.remove() }
        let store = try lab.replica("a", township: "河西镇")
        let ids = try store.recordAll((0..<3).map {
            ActivityDraft(kind: "rural", date: "2023-05-0\($0 + 1)", title: "培训\($0)", quantities: ["attendance": 5])
        })
        let digest = try store.stateDigest()
        let counts = try store.operationCounts()

        // -8 after +5 leaves 2; the third takes the first below zero (10 - 8 - 3 = -1).
        let refused: [(additions: [Addition], index: Int, code: KtxError.Code)] = [
            ([Addition(activity: ids[0], amount: 5), Addition(activity: ids[0], amount: -8), Addition(activity: ids[0], amount: -3)], 2, .negativeResult),
            ([Addition(activity: ids[1], amount: 1), Addition(activity: ids[2], metric: "没有这个", amount: 1)], 1, .unknownMetric),
            ([Addition(activity: ids[1], amount: 1), Addition(activity: ActivityID(unchecked: "0123456789ab-9"), amount: 1)], 1, .unknownActivity),
        ]
        for (additions, index, code) in refused {
            let error = #expect(throws: DraftError.self) { try store.addAll(additions) }
            #expect(error?.index == index)
            #expect(error?.error.code == code)
            #expect(try store.stateDigest() == digest)
            #expect(try store.operationCounts().total == counts.total)
        }

        let totals = try store.addAll([Addition(activity: ids[0], amount: 5), Addition(activity: ids[0], amount: -8),
                                       Addition(activity: ids[1], metric: "受益学校数", amount: 2)])
        #expect(totals == [10, 2, 2])
        #expect(try store.activity(ids[0])?.quantities["attendance"] == 2)
        #expect(try store.activity(ids[1])?.quantities["schools"] == 2)
        #expect(try store.operationCounts().own == counts.own + 3)
    }
}
