import Foundation
@testable import HubStorage
@testable import Store
import SyncCore
import TestSupport
import Testing

/// The streamed pull's pages (``Store/hubPullPacked(after:limit:township:)``), which pass the
/// log's stored chunks on as they are, hold exactly what the JSON pages hold.
@Suite struct PackedPullTests {
    @Test func aPackedPageHoldsTheOperationsAndSignedRunsOfTheJSONPageFromAnyPointAtAnySize() async throws {
        let lab = ReplicaLab("packed-pull")
        defer { lab.remove() }
        let hub = try Store.openHub(at: lab.dir.file("hub.db"))
        var replicas: [ReplicaID] = []
        var runCount = 0
        for (name, township) in [("a", "河西镇"), ("b", "东街镇")] {
            let store = try lab.replica(name, township: township)
            for i in 0..<12 {
                let id = try store.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "活动 \(i)", quantities: ["attendance": 10]))
                try store.add(to: id, amount: 2)
            }
            let me = try store.identity().replica
            let held = try await store.versionVector()[me]
            try store.sealOwnRuns(upTo: held, size: 7)
            let seals = try store.runs(of: me, after: 0)
            let ops = try store.operations(of: me, after: 0, limit: Int(held))
            // A run a write, as pushes bring them: the hub's log holds a chunk a run.
            for seal in seals {
                let merger = try hub.merger()
                try merger.add(Array(ops[Int(seal.first - 1)..<Int(seal.last)]), townships: [me: township], seals: [me: [seal]])
                #expect(try merger.finish().applied == Int(seal.last - seal.first + 1))
            }
            replicas.append(me)
            runCount += seals.count
        }
        // A replica that never signed (its operations made before ktx signed): chunks of ten,
        // which pages cut anywhere.
        let legacy = try lab.replica("c", township: "城关镇")
        for i in 0..<12 {
            let id = try legacy.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "旧活动 \(i)", quantities: ["attendance": 3]))
            try legacy.add(to: id, amount: 1)
        }
        let c = try legacy.identity().replica
        let unsigned = try legacy.operations(of: c, after: 0, limit: 1_000)
        for start in stride(from: 0, to: unsigned.count, by: 10) {
            let merger = try hub.merger()
            try merger.add(Array(unsigned[start..<min(unsigned.count, start + 10)]), townships: [c: "城关镇"])
            #expect(try merger.finish().applied == min(10, unsigned.count - start))
        }
        replicas.append(c)
        let held = try await hub.versionVector()
        #expect(held[replicas[0]] > 30 && held[replicas[1]] > 30 && held[c] > 30)

        for afterFirst: Int64 in [0, 1, 6, 7, 8, 20, held[replicas[0]] - 1, held[replicas[0]]] {
            for (afterSecond, afterThird): (Int64, Int64) in [(0, 0), (9, 3), (held[replicas[1]], 13), (held[replicas[1]], 20)] {
                for limit in [1, 5, 8, 14, 1_000] {
                    var after = VersionVector()
                    after[replicas[0]] = afterFirst
                    after[replicas[1]] = afterSecond
                    after[c] = afterThird
                    let json = try await hub.hubPull(after: after, limit: limit)
                    let packed = try await hub.hubPullPacked(after: after, limit: limit)
                    var ops: [Op] = []
                    for frame in packed.frames {
                        let decoded = try OpChunk.decode(frame.packed, replica: frame.replica, firstSeq: frame.first)
                        #expect(decoded.count == frame.count)
                        ops += decoded
                        // A signed run goes in one frame: a page is cut only between frames.
                        for seal in frame.seals { #expect(frame.first <= seal.first && seal.last < frame.first + Int64(frame.count)) }
                    }
                    #expect(ops == json.runs.flatMap(\.operations), "after \(afterFirst)/\(afterSecond)/\(afterThird), limit \(limit)")
                    #expect(packed.frames.flatMap(\.seals) == json.runs.flatMap(\.seals))
                    #expect(packed.more == json.more)
                }
            }
        }
        // From the start, everything: each stored chunk (a run; ten unsigned operations) is a
        // frame of its own.
        let whole = try await hub.hubPullPacked(after: VersionVector(), limit: 1_000)
        #expect(whole.frames.count == runCount + (unsigned.count + 9) / 10)
        #expect(!whole.more)
    }
}
