import SyncCore
import Testing
import TestSupport

/// A batch is folded into the store instead of its operations: it must say exactly what
/// applying them one by one says, whatever their order.
@Suite struct BatchDeltaTests {
    /// Operations of three replicas over a handful of activities: field writes with
    /// colliding timestamps (the replica id breaks the tie), additions to several metrics
    /// (more than the batch scans before it hashes), negative corrections, deletes and
    /// indicator values.
    func operations(seed: UInt64) -> [Op] {
        var rng = SeededGenerator(seed: seed)
        let replicas = (0..<3).map { ReplicaID(high: UInt64($0) + 1, low: 0xABC) }
        let activities = (1...6).map { ActivityID(replica: replicas[0], seq: Int64($0)) }
        let metrics = (0..<20).map { "m\($0)" } + ["attendance", "人数"]
        var seqs = [Int64](repeating: 0, count: replicas.count)
        return (0..<600).map { _ in
            let r = Int.random(in: 0..<replicas.count, using: &rng)
            seqs[r] += 1
            let change: Change
            switch Int.random(in: 0..<100, using: &rng) {
            case ..<45: change = .add(metric: metrics.randomElement(using: &rng)!, amount: Int64.random(in: -20...50, using: &rng))
            case ..<90: change = .set(Field.allCases.randomElement(using: &rng)!, "v\(Int.random(in: 0..<1000, using: &rng))")
            case ..<93: change = .delete
            default: change = .indicator("\(Int.random(in: 0...100, using: &rng))")
            }
            let target: ActivityID
            if case .indicator = change {
                target = ActivityID(unchecked: "2023/rural/覆盖率")
            } else {
                target = activities.randomElement(using: &rng)!
            }
            return Op(replica: replicas[r], seq: seqs[r], timestamp: HLCTimestamp(millis: Int64.random(in: 1...40, using: &rng), counter: 0),
                      activity: target, change: change)
        }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func aBatchSaysWhatItsOperationsSayOneByOne(seed: UInt64) {
        var ops = operations(seed: seed)
        var expected: [ActivityID: ActivityState] = [:]
        var indicator: Register?
        for op in ops {
            if case let .indicator(value) = op.change {
                indicator = MergeRules.winner(indicator, Register(value: value, stamp: op.stamp))
            } else {
                MergeRules.apply(op, to: &expected[op.activity, default: ActivityState()])
            }
        }
        var rng = SeededGenerator(seed: seed + 100)
        ops.shuffle(using: &rng)
        let batch = BatchDelta(ops)

        #expect(batch.activityCount == expected.count)
        #expect(batch.indicators == ["2023/rural/覆盖率": indicator!])
        for slot in 0..<batch.activityCount {
            var state = ActivityState()
            MergeRules.apply(fieldsOf: slot, in: batch, to: &state)
            for (metric, amount) in batch.additions(slot) {
                #expect(state.quantities[metric] == nil, "a metric listed twice")
                state.quantities[metric] = amount
            }
            #expect(batch.hasAdditions(slot) == !state.quantities.isEmpty)
            let id = batch.ids[slot]
            #expect(state == expected[id], "\(id)")
        }
        // Written in the order of the store's keys.
        #expect(batch.slotsByID().map { batch.ids[$0] } == expected.keys.sorted())
    }
}
