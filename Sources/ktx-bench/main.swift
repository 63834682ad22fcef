import Foundation
import Reporting
import Store
import SyncCore

// ktx-bench: every figure with its baseline measured in the same run (issue 5).
// Usage: swift run -c release ktx-bench [operations] [activities] [replicas] [runs]
//        (internal: ktx-bench --child merge TRACE DB | --child pull HUB DB)

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "--child" {
    try await Child.run(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

let arguments = CommandLine.arguments.dropFirst().compactMap(Int.init)
let operationCount = arguments.count > 0 ? arguments[0] : 1_000_000
let activityCount = arguments.count > 1 ? arguments[1] : 100_000
let replicaCount = arguments.count > 2 ? arguments[2] : 20
let runs = max(2, arguments.count > 3 ? arguments[3] : 3)

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
let clock = ContinuousClock()
func time(_ body: () throws -> Void) rethrows -> Double {
    let start = clock.now
    try body()
    return seconds(clock.now - start)
}
func timeAsync(_ body: () async throws -> Void) async rethrows -> Double {
    let start = clock.now
    try await body()
    return seconds(clock.now - start)
}

let workload = Workload(seed: 1, replicaCount: replicaCount, activityCount: activityCount, operationCount: operationCount)
print("workload: \(workload.count) operations, \(activityCount) activities, \(replicaCount) replicas (seed 1); \(runs) runs, medians")
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")

let dir = FileManager.default.temporaryDirectory.path + "/ktx-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }
let tracePath = ProcessInfo.processInfo.environment["KTX_TRACE"] ?? "\(dir)/trace.jsonl"
try Trace.write(workload, to: tracePath)
print("trace: \(tracePath) (\(Trace.size(tracePath) >> 20) MiB)")

// MARK: Raw insert and merge

var raw: [Double] = []
var merge: [Double] = []
var stores: [Store] = []
for run in 0..<runs {
    raw.append(seconds(try RawSQLite.insert(workload, path: "\(dir)/raw-\(run).db")))
    // Merge as a pull delivers it: pages of 10,000 operations, round-robin over replicas,
    // into one Merger (which writes in large transactions), into an empty replica.
    let store = try Store.create(at: "\(dir)/merge-\(run).db", township: "县科协")
    merge.append(try time { try RoundRobin.merge(workload, into: store) })
    stores.append(store)
}
let rawMedian = median(raw)
let rawRate = Double(workload.count) / rawMedian

// MARK: Local record

// One transaction per clerk action, as `ktx record` and `ktx attend` do.
let recordStore = try Store.create(at: "\(dir)/record.db", township: "镇0")
let recordCount = 2_000
let recordTime = try time {
    for i in 0..<recordCount {
        let id = try recordStore.record(ActivityDraft(kind: "科技下乡", date: "2023-05-20", title: "活动\(i)",
                                                      quantities: ["attendance": 30]))
        try recordStore.add(to: id, amount: 5)
    }
}
let recordOps = Int(try recordStore.operationCounts().own)
// Batched: 1,000 activities per transaction (recordAll, as `ktx import`), then their
// attendance, 1,000 additions per transaction (addAll).
let batchStore = try Store.create(at: "\(dir)/record-batch.db", township: "镇0")
let batchTime = try time {
    for page in 0..<20 {
        let ids = try batchStore.recordAll((0..<1_000).map {
            ActivityDraft(kind: "科技下乡", date: "2023-05-20", title: "活动\(page)-\($0)", quantities: ["attendance": 30])
        })
        try batchStore.addAll(ids.map { Addition(activity: $0, amount: 5) })
    }
}
let batchOps = Int(try batchStore.operationCounts().own)

// MARK: Totals and the year report

let attendanceBeforeDelta = try stores[0].totals().first?.quantities["attendance"] ?? 0
let a = stores[0], b = stores[1]
var totalsTimes: [Double] = []
var reportTimes: [Double] = []
let targets = try TargetsParser.builtIn(year: 2023, catalog: .standard)!
for _ in 0..<max(5, runs) {
    totalsTimes.append(try time { _ = try a.totals(by: [.township, .kind]) })
    reportTimes.append(try time { _ = try ReportBuilder.build(targets, store: a, quarter: nil) })
}

// MARK: Folder hub: first push, no-op sync, delta sync

let hubPath = "\(dir)/hub"
func folderSync(_ store: Store) async throws -> SyncReport {
    try await SyncSession(store: store, hub: FileHub(path: hubPath, writer: try store.identity().replica)).run()
}
let firstPush = try await timeAsync { _ = try await folderSync(a) }
_ = try await folderSync(b)
var noop: [Double] = []
for _ in 0..<max(5, runs) { noop.append(try await timeAsync { _ = try await folderSync(a) }) }

// MARK: HTTP hub: no-op sync and a full pull

// The hub's database holds the same operations (merged directly, not timed); the server
// runs in this process on a free port, the client is AsyncHTTPClient as in `ktx sync`.
let http = try await HTTPBench.run(workload: workload, dir: dir, replica: a, runs: max(5, runs))

let before = Trace.folderBytes(hubPath)
let ownBefore = try a.operationCounts().own
for i in 0..<20 {
    try a.record(ActivityDraft(kind: "科技下乡", date: "2023-11-20", title: "新活动\(i)", quantities: ["attendance": 40]))
}
let deltaOps = try a.operations(of: try a.identity().replica, after: ownBefore, limit: 1_000)
let deltaPush = try await timeAsync { _ = try await folderSync(a) }
let deltaPull = try await timeAsync { _ = try await folderSync(b) }
let deltaBytes = Trace.folderBytes(hubPath) - before
var opBytes = 0
for op in deltaOps {
    var row: [UInt8] = []
    OperationFile.appendRow(op, to: &row)
    opBytes += row.count + 1
}
let converged = try a.stateDigest() == b.stateDigest()

// MARK: Peak memory, each in its own process

let mergeChild = try Child.spawn(["merge", tracePath, "\(dir)/rss-merge.db"])
let pullChild = try Child.spawn(["pull", hubPath, "\(dir)/rss-pull.db"])

// MARK: Peers

let peers = Peers.run(trace: tracePath)

// MARK: Table

func row(_ name: String, _ value: String, _ baseline: String, _ ratio: String, _ goal: String) {
    func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
        let w = displayWidth(s)
        let fill = String(repeating: " ", count: max(0, n - w))
        return right ? fill + s : s + fill
    }
    print(pad(name, 50) + pad(value, 14, right: true) + pad(baseline, 16, right: true) + pad(ratio, 10, right: true) + "  " + goal)
}
let ms = { (s: Double) in String(format: "%.1f ms", s * 1000) }
let sec = { (s: Double) in String(format: "%.3f s", s) }
print("")
row("figure", "value", "baseline", "ratio", "goal")
row("raw SQLite insert (C API, 1 txn, WAL, NORMAL)", sec(rawMedian), sec(rawMedian), "1.00x", "the limit")
row("merge into an empty replica (10k-op pages, Merger)", sec(median(merge)), sec(rawMedian),
    String(format: "%.2fx", median(merge) / rawMedian), "≤ 1.00x")
let recordRate = Double(recordOps) / recordTime
row("record + attend, 1 txn per action (\(recordOps) ops)", String(format: "%.0f op/s", recordRate), String(format: "%.0f op/s", rawRate),
    String(format: "%.1f%%", recordRate / rawRate * 100), "")
let batchRate = Double(batchOps) / batchTime
row("recordAll + addAll, 1,000 per txn (\(batchOps) ops)", String(format: "%.0f op/s", batchRate), String(format: "%.0f op/s", rawRate),
    String(format: "%.1f%%", batchRate / rawRate * 100), "≥ 25%")
row("totals --by township,kind", ms(median(totalsTimes)), sec(rawMedian), "", "≤ 20 ms")
row("report --year 2023 (4 projects)", ms(median(reportTimes)), sec(rawMedian), "", "≤ 50 ms")
row("first push of all operations to a folder", sec(firstPush), sec(rawMedian), String(format: "%.2fx", firstPush / rawMedian), "")
row("no-op sync, folder hub", ms(median(noop)), "", "", "≤ 20 ms")
row("no-op sync, HTTP hub", ms(median(http.noop)), "", "", "≤ 30 ms")
row("full pull over HTTP into an empty replica", sec(http.pull), sec(rawMedian), String(format: "%.2fx", http.pull / rawMedian), "")
row("delta sync: push 100 ops, folder", ms(deltaPush), "", "", "")
row("delta sync: pull 100 ops, folder", ms(deltaPull), "", "", "")
row("delta sync: bytes written for \(deltaOps.count) ops", "\(deltaBytes) B", "\(opBytes) B",
    String(format: "%.2fx", Double(deltaBytes) / Double(max(1, opBytes))), "≤ 4x")
row("peak RSS, merge of the trace (own process)", "\(mergeChild.maxRSSKiB >> 10) MiB", "", "", "≤ 150 MB")
row("peak RSS, full pull from the folder (own process)", "\(pullChild.maxRSSKiB >> 10) MiB", "", "", "≤ 150 MB")
let ktxEndToEnd = mergeChild.seconds
row("ktx end to end (merge + totals, durable)", sec(ktxEndToEnd), "", "", "")
for peer in peers {
    if let s = peer.seconds {
        row("  vs \(peer.name)", sec(s), "", String(format: "%.2fx", ktxEndToEnd / s), "< 1.00x")
    } else {
        row("  vs \(peer.name)", "n/a", "", "", peer.note)
    }
}
print("")
print("runs (s): raw \(raw.map { String(format: "%.3f", $0) }), merge \(merge.map { String(format: "%.3f", $0) })")
print("no-op folder syncs (ms): \(noop.map { String(format: "%.1f", $0 * 1000) })")
print("replicas converged after the delta: \(converged)")
print("ktx attendance over live activities before the delta: \(attendanceBeforeDelta) (each peer prints its own; they must agree)")
for peer in peers where peer.seconds != nil { print("  \(peer.name): \(peer.note)") }
print("no-op HTTP syncs (ms): \(http.noop.map { String(format: "%.1f", $0 * 1000) }); HTTP pull converged: \(http.converged)")
