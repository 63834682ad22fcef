import Foundation
import Store
import SyncCore
import Testing
import TestSupport

/// The convergence property: whatever replicas do offline, and however their syncs are
/// ordered, repeated or cut off, once everyone has synced everyone holds the same state,
/// and that state is what the merge rules give for the set of operations.
@Suite struct ConvergenceTests {
    /// Seeds of the default run. Set KTX_SEEDS=N to run N other scenarios, KTX_SEED=S to replay one.
    static var seeds: [UInt64] {
        let env = ProcessInfo.processInfo.environment
        if let one = env["KTX_SEED"].flatMap(UInt64.init) { return [one] }
        let count = env["KTX_SEEDS"].flatMap(Int.init) ?? 500
        let base: UInt64 = env["KTX_SEEDS"] == nil ? 0 : UInt64(Date().timeIntervalSince1970)
        return (0..<UInt64(count)).map { base &+ $0 }
    }

    @Test(arguments: seeds)
    func replicasConverge(seed: UInt64) async throws {
        try await ConvergenceScenario(seed: seed).run()
    }
}

/// One random scenario, fully determined by its seed.
struct ConvergenceScenario {
    let seed: UInt64

    func run() async throws {
        var rng = SeededGenerator(seed: seed)
        let lab = ReplicaLab("conv-\(seed)")
        defer { lab.remove() }
        let count = Int.random(in: 2...5, using: &rng)
        let townships = ["河西镇", "东街镇"]
        var stores: [Store] = []
        for i in 0..<count {
            let id = ReplicaID(high: rng.next(), low: rng.next())
            stores.append(try lab.replica("r\(i)", township: townships[i % 2 == 0 || count == 2 ? 0 : 1], id: id))
        }
        let kinds = Catalog.standard.kinds.map(\.code)
        let steps = Int.random(in: 10...40, using: &rng)
        for _ in 0..<steps {
            lab.clock.advance(by: Int64.random(in: 0...2, using: &rng))
            let store = stores.randomElement(using: &rng)!
            let mine = try store.identity().township
            let live = try store.activities().filter { $0.township == mine }
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<30:
                try store.record(ActivityDraft(
                    kind: kinds.randomElement(using: &rng)!,
                    date: "2023-\(String(format: "%02d", Int.random(in: 1...12, using: &rng)))-15",
                    title: "活动\(rng.next() % 1000)",
                    quantities: ["attendance": Int64.random(in: 0...100, using: &rng), "schools": Int64.random(in: 0...2, using: &rng)]))
            case 30..<55 where !live.isEmpty:
                let target = live.randomElement(using: &rng)!
                let amount = Int64.random(in: -20...50, using: &rng)
                if (target.quantities["attendance"] ?? 0) + amount >= 0 {
                    try store.add(to: target.id, amount: amount)
                } else {
                    #expect(throws: KtxError.self) { try store.add(to: target.id, amount: amount) }
                }
            case 55..<70 where !live.isEmpty:
                let target = live.randomElement(using: &rng)!
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: try store.edit(target.id, ActivityEdit(title: "改\(rng.next() % 100)"))
                case 1: try store.edit(target.id, ActivityEdit(date: "2023-0\(Int.random(in: 1...9, using: &rng))-01"))
                case 2: try store.edit(target.id, ActivityEdit(kind: kinds.randomElement(using: &rng)!))
                default: try store.edit(target.id, ActivityEdit(venue: "村\(rng.next() % 10)"))
                }
            case 70..<75 where !live.isEmpty:
                try store.delete(live.randomElement(using: &rng)!.id)
            default:
                try await sync(store, lab: lab, rng: &rng)
            }
        }
        // Everyone syncs twice, in random orders: the first round puts every operation in
        // the hub, the second brings every replica everything.
        for _ in 0..<2 {
            for store in stores.shuffled(using: &rng) { try await lab.sync(store, batchSize: 3, durable: false) }
        }
        let digests = try stores.map { try $0.stateDigest() }
        #expect(Set(digests).count == 1, "seed \(seed): replicas diverged")
        let totals = try stores.map { try $0.totals(by: [.township, .kind, .quarter]) }
        #expect(totals.allSatisfy { $0 == totals[0] }, "seed \(seed): totals differ")
        try checkAgainstMergeRules(stores[0], rng: &rng)
    }

    /// Syncs one replica, sometimes cut off part way, sometimes twice in a row.
    func sync(_ store: Store, lab: ReplicaLab, rng: inout SeededGenerator) async throws {
        let batch = Int.random(in: 1...6, using: &rng)
        let hub = try lab.hub(for: store, durable: false)
        if Int.random(in: 0..<4, using: &rng) == 0 {
            let cut = InterruptingHub(hub, calls: Int.random(in: 1...4, using: &rng))
            do { try await SyncSession(store: store, hub: cut, batchSize: batch).run() } catch is InterruptingHub.Cut {}
        } else {
            try await SyncSession(store: store, hub: hub, batchSize: batch).run()
        }
        if Int.random(in: 0..<5, using: &rng) == 0 {
            try await SyncSession(store: store, hub: try lab.hub(for: store, durable: false), batchSize: batch).run()
        }
    }

    /// Recomputes the totals from the log with the pure merge rules, applied in a random
    /// order, and compares them with the store's.
    func checkAgainstMergeRules(_ store: Store, rng: inout SeededGenerator) throws {
        var states: [ActivityID: ActivityState] = [:]
        for entry in try store.log().shuffled(using: &rng) {
            MergeRules.apply(entry.operation, to: &states[entry.operation.activity, default: ActivityState()])
        }
        let live = states.values.filter { !$0.deleted }
        let expectedAttendance = live.reduce(Int64(0)) { $0 + ($1.quantities["attendance"] ?? 0) }
        let totals = try #require(try store.totals().first)
        #expect(totals.activities == Int64(live.count), "seed \(seed)")
        #expect((totals.quantities["attendance"] ?? 0) == expectedAttendance, "seed \(seed)")
        for (id, state) in states where !state.deleted {
            let record = try #require(try store.activity(id))
            #expect(record.title == state[.title] && record.date == state[.date] && record.kind == state[.kind], "seed \(seed)")
        }
    }
}
