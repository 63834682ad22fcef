import Foundation
import Store
import SyncCore

// ktx-bench: figures with their baseline measured in the same run (issue 5, first part).
// Usage: swift run -c release ktx-bench [operations] [activities] [replicas] [runs]

let arguments = CommandLine.arguments.dropFirst().compactMap(Int.init)
let operationCount = arguments.count > 0 ? arguments[0] : 1_000_000
let activityCount = arguments.count > 1 ? arguments[1] : 100_000
let replicaCount = arguments.count > 2 ? arguments[2] : 20
let runs = arguments.count > 3 ? arguments[3] : 3

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

let workload = Workload(seed: 1, replicaCount: replicaCount, activityCount: activityCount, operationCount: operationCount)
print("workload: \(workload.count) operations, \(activityCount) activities, \(replicaCount) replicas (seed 1); \(runs) runs, medians")

let dir = FileManager.default.temporaryDirectory.path + "/ktx-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }

var raw: [Double] = []
var merge: [Double] = []
var totals: [Double] = []
for run in 0..<runs {
    let rawPath = "\(dir)/raw-\(run).db"
    raw.append(seconds(try RawSQLite.insert(workload, path: rawPath)))

    // Merge as a pull delivers it: pages of 10,000 operations, round-robin over replicas,
    // each page one transaction, into an empty replica.
    let store = try Store.create(at: "\(dir)/merge-\(run).db", township: "县科协")
    let clock = ContinuousClock()
    let start = clock.now
    var cursors = Array(repeating: 0, count: replicaCount)
    var done = false
    while !done {
        done = true
        for r in 0..<replicaCount where cursors[r] < workload.operations[r].count {
            let end = min(cursors[r] + 10_000, workload.operations[r].count)
            try store.merge(Array(workload.operations[r][cursors[r]..<end]),
                            townships: [workload.replicas[r]: workload.townships[r]])
            cursors[r] = end
            done = false
        }
    }
    merge.append(seconds(clock.now - start))
    let t0 = clock.now
    _ = try store.totals(by: [.township, .kind])
    totals.append(seconds(clock.now - t0))
}

let rawMedian = median(raw)
let mergeMedian = median(merge)
func row(_ name: String, _ secs: Double, _ rate: Double?, _ ratio: String) {
    let cells = [name.padding(toLength: 46, withPad: " ", startingAt: 0),
                 String(format: "%10.3f", secs), rate.map { String(format: "%14.0f", $0) } ?? String(repeating: " ", count: 14),
                 ratio.count < 10 ? String(repeating: " ", count: 10 - ratio.count) + ratio : ratio]
    print(cells.joined(separator: " "))
}
print("measure".padding(toLength: 46, withPad: " ", startingAt: 0) + "    seconds          ops/s     vs raw")
row("raw SQLite insert (C API, 1 txn, WAL, NORMAL)", rawMedian, Double(workload.count) / rawMedian, "1.00x")
row("merge into empty replica (10k-op pages)", mergeMedian, Double(workload.count) / mergeMedian, String(format: "%.2fx", mergeMedian / rawMedian))
row("totals --by township,kind", median(totals), nil, "")
print("runs (s): raw \(raw.map { String(format: "%.3f", $0) }), merge \(merge.map { String(format: "%.3f", $0) })")
