import Foundation
import Store
import SyncCore

/// A seeded workload: R replicas of T townships over A activities, O operations in all.
/// Each activity is first recorded (4 field writes) by one replica of its township; the
/// rest are 70 % attendance additions, 25 % field edits and 5 % deletes, by replicas of
/// the activity's township.
struct Workload {
    let replicas: [ReplicaID]
    let townships: [String]
    /// Operations per replica, in seq order.
    var operations: [[Op]]
    /// Each replica's raw signing key (its id is derived from it, as every new replica's is).
    let keys: [[UInt8]]
    /// Each replica's operations sealed into signed runs, as it would publish them (made
    /// lazily: not timed).
    private(set) var seals: [[RunSeal]] = []

    var count: Int { operations.reduce(0) { $0 + $1.count } }

    init(seed: UInt64, replicaCount: Int, activityCount: Int, operationCount: Int) {
        var rng = SplitMix(seed: seed)
        let keys = (0..<replicaCount).map { _ in (0..<32).map { _ in UInt8(truncatingIfNeeded: rng.next()) } }
        let replicas = keys.map { try! Store.replicaID(forKey: $0) }
        let townships = (0..<replicaCount).map { "镇\($0 / 2)" }  // replicas 2k and 2k+1 share a township
        var ops = Array(repeating: [Op](), count: replicaCount)
        // Dated just before now, as a county's real log is (a PC whose operations are a
        // year past every other office's keeps them back, taking its clock for wrong).
        var clock = Int64(Date().timeIntervalSince1970 * 1000) - Int64(operationCount) - 3_600_000
        var activities: [(ActivityID, Int)] = []
        activities.reserveCapacity(activityCount)
        let kinds = ["rural", "youth", "week", "museum", "national", "training"]
        func emit(_ r: Int, _ activity: ActivityID, _ change: Change) {
            clock += 1
            let seq = Int64(ops[r].count + 1)
            ops[r].append(Op(replica: replicas[r], seq: seq, timestamp: HLCTimestamp(millis: clock, counter: 0),
                             activity: activity, change: change))
        }
        for i in 0..<activityCount {
            let r = i % replicaCount
            let id = ActivityID(replica: replicas[r], seq: Int64(ops[r].count + 1))
            emit(r, id, .set(.township, townships[r]))
            emit(r, id, .set(.kind, kinds[Int(rng.next() % 6)]))
            emit(r, id, .set(.date, "2023-\(String(format: "%02d", 1 + Int(rng.next() % 12)))-15"))
            emit(r, id, .set(.title, "活动\(i)"))
            activities.append((id, r))
        }
        var made = activityCount * 4
        while made < operationCount {
            let (id, owner) = activities[Int(rng.next() % UInt64(activities.count))]
            let partner = owner ^ 1
            let r = rng.next() % 2 == 0 || partner >= replicaCount ? owner : partner
            let dice = rng.next() % 100
            if dice < 70 {
                emit(r, id, .add(metric: "attendance", amount: Int64(1 + rng.next() % 50)))
            } else if dice < 95 {
                emit(r, id, .set(.title, "改\(rng.next() % 1000)"))
            } else {
                emit(r, id, .delete)
            }
            made += 1
        }
        self.replicas = replicas
        self.townships = townships
        self.operations = ops
        self.keys = keys
    }

    /// Seals every replica's operations into signed runs of 5,000 (not timed).
    mutating func seal() throws {
        seals = try operations.indices.map { try Store.sealRuns(operations[$0], key: keys[$0]) }
    }

    /// Replica `r`'s signed runs starting within `seqs`, by replica, as a merger takes them
    /// (none when the workload is not sealed).
    func seals(of r: Int, startingIn seqs: ClosedRange<Int64>) -> [ReplicaID: [RunSeal]] {
        let runs = seals.isEmpty ? [] : seals[r].filter { seqs.contains($0.first) }
        return runs.isEmpty ? [:] : [replicas[r]: runs]
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
