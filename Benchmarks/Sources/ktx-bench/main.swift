import Foundation
import Reporting
import HubStorage
import Store
import FolderHub
import SyncCore

// ktx-bench: every figure with its baseline measured in the same run (issue 5).
// (internal: ktx-bench --child merge|merge-rr|record|pull|pull-http|raw|trace …, see Harness.swift)

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "hub-load" {
    try await PushLoad.run(CommandLine.arguments.dropFirst(2).compactMap(Int.init))
    exit(0)
}

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "hub-open-load" {
    try await OpenLoad.run(CommandLine.arguments.dropFirst(2).compactMap(Int.init))
    exit(0)
}

if CommandLine.arguments.count > 3 && CommandLine.arguments[1] == "--serve-hub" {
    try await OpenLoad.serve(path: CommandLine.arguments[2], port: Int(CommandLine.arguments[3]) ?? 0,
                             postgres: CommandLine.arguments.count > 4 ? CommandLine.arguments[4] : nil)
    exit(0)
}

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "--child" {
    try await Child.run(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

let benchStart = ContinuousClock.now
/// A progress line on stderr (the table goes to stdout at the end).
func step(_ what: String) {
    let elapsed = ContinuousClock.now - benchStart
    FileHandle.standardError.write(Data("[\(String(format: "%5.0f", Double(elapsed.components.seconds))) s] \(what)\n".utf8))
}

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

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "pull" {
    try await PullOnly.run(CommandLine.arguments.dropFirst(2).compactMap(Int.init))
    exit(0)
}

if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "scale" {
    try await Scale.run(Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

let usage = """
    usage: swift run -c release --package-path Benchmarks ktx-bench [operations] [activities] [replicas] [runs]
      defaults: 1000000 operations over 100000 activities, 20 replicas, 3 runs (at least 3:
      each figure is a median). Run from the package root (the peers script is found there).
      KTX_TRACE=path keeps the operation trace. A full run takes about 7 minutes on 2 cores.
    also: ktx-bench hub-load [clients] [operations-per-client]   (township clients pushing at once)
          taskset -c 1 ktx-bench hub-open-load [rate …]          (pushes on a schedule, the hub pinned to core 0)
          ktx-bench scale [operations] [replicas] [runs]         (the province: 10,000,000 operations)
          ktx-bench pull [operations] [activities] [replicas] [runs]   (only the full pull over HTTP)
    """
let givenArguments = Array(CommandLine.arguments.dropFirst())
let arguments = givenArguments.compactMap(Int.init)
guard arguments.count == givenArguments.count, arguments.count <= 4, arguments.allSatisfy({ $0 > 0 }) else {
    if givenArguments.contains(where: { $0 == "--help" || $0 == "-h" }) {
        print(usage)
        exit(0)
    }
    FileHandle.standardError.write(Data(("ktx-bench: the arguments are up to four positive whole numbers\n" + usage + "\n").utf8))
    exit(64)
}
let operationCount = arguments.count > 0 ? arguments[0] : 1_000_000
let activityCount = arguments.count > 1 ? arguments[1] : 100_000
let replicaCount = arguments.count > 2 ? arguments[2] : 20
let runs = max(3, arguments.count > 3 ? arguments[3] : 3)
guard operationCount >= activityCount * 4, replicaCount >= 2 else {
    FileHandle.standardError.write(Data("ktx-bench: each activity takes 4 recording operations (operations ≥ 4 × activities) and there must be at least 2 replicas\n\(usage)\n".utf8))
    exit(64)
}
var workload = Workload(seed: 1, replicaCount: replicaCount, activityCount: activityCount, operationCount: operationCount)
try workload.seal()
print("workload: \(workload.count) operations, \(activityCount) activities, \(replicaCount) replicas (seed 1); \(runs) runs, medians")
print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")

let dir = FileManager.default.temporaryDirectory.path + "/ktx-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: dir) }
let tracePath = ProcessInfo.processInfo.environment["KTX_TRACE"] ?? "\(dir)/trace.jsonl"
try Trace.write(workload, to: tracePath)
print("trace: \(tracePath) (\(Trace.size(tracePath) >> 20) MiB)")

// MARK: Raw insert and merge

step("raw insert and merge, \(runs) runs each")

var raw: [Double] = []
var merge: [Double] = []
var unsignedMerge: [Double] = []
var stores: [Store] = []
for run in 0..<runs {
    // The same operations without their signatures: the difference is what verifying costs.
    let plain = try Store.create(at: "\(dir)/plain-\(run).db", township: "镇0")
    unsignedMerge.append(try time { try RoundRobin.merge(workload, into: plain, signed: false) })
    raw.append(seconds(try RawSQLite.insert(workload, path: "\(dir)/raw-\(run).db")))
    // Merge as a pull delivers it: pages of 10,000 operations, round-robin over replicas,
    // into one Merger (which writes in large transactions), into an empty replica.
    // 镇0: the first of these replicas also records the delta and pushes it to the HTTP
    // hub, which takes operations only from a township's own token.
    let store = try Store.create(at: "\(dir)/merge-\(run).db", township: "镇0")
    merge.append(try time { try RoundRobin.merge(workload, into: store) })
    stores.append(store)
}
// MARK: Local record

step("local record, \(runs) runs")

// One transaction per clerk action, as `ktx record` and `ktx attend` do; then batched:
// 1,000 activities per transaction (recordAll, as `ktx import`), then their attendance,
// 1,000 additions per transaction (addAll). A fresh replica for each run.
var recordRates: [Double] = []
var batchRates: [Double] = []
var recordOps = 0, batchOps = 0
for run in 0..<runs {
    let store = try Store.create(at: "\(dir)/record-\(run).db", township: "镇0")
    let t = try time {
        for i in 0..<2_000 {
            let id = try store.record(ActivityDraft(kind: "科技下乡", date: "2023-05-20", title: "活动\(i)",
                                                    quantities: ["attendance": 30]))
            try store.add(to: id, amount: 5)
        }
    }
    recordOps = Int(try store.operationCounts().own)
    recordRates.append(Double(recordOps) / t)
    let batched = try Store.create(at: "\(dir)/record-batch-\(run).db", township: "镇0")
    let tb = try time {
        for page in 0..<20 {
            let ids = try batched.recordAll((0..<1_000).map {
                ActivityDraft(kind: "科技下乡", date: "2023-05-20", title: "活动\(page)-\($0)", quantities: ["attendance": 30])
            })
            try batched.addAll(ids.map { Addition(activity: $0, amount: 5) })
        }
    }
    batchOps = Int(try batched.operationCounts().own)
    batchRates.append(Double(batchOps) / tb)
}

// MARK: Totals and the year report, against one SQL aggregate over the raw rows

let attendanceBeforeDelta = try stores[0].totals().first?.quantities["attendance"] ?? 0
let a = stores[0], b = stores[1]
let raw0 = try RawSQLite(path: "\(dir)/raw-0.db")
var totalsTimes: [Double] = []
var reportTimes: [Double] = []
var aggregateTimes: [Double] = []
let targets = try TargetsParser.builtIn(year: 2023, catalog: .standard)!
for _ in 0..<max(5, runs) {
    totalsTimes.append(try time { _ = try a.totals(by: [.township, .kind]) })
    reportTimes.append(try time { _ = try ReportBuilder.build(targets, store: a, quarter: nil) })
    aggregateTimes.append(try time { try raw0.query("SELECT field, SUM(value) FROM op WHERE kind = 1 GROUP BY field") })
}

// MARK: Folder hub: first push, no-op sync

step("folder hub: first push, no-op syncs")

let hubPath = "\(dir)/hub"
_ = try FileHub.create(at: hubPath)
func folderSync(_ store: Store) async throws -> SyncReport {
    try await SyncSession(store: store, hub: FileHub(path: hubPath, writer: try store.identity().replica)).run()
}
let firstPush = try await timeAsync { _ = try await folderSync(a) }
_ = try await folderSync(b)
// The least a sync reads: the version vector (one indexed read per replica), raw.
@MainActor func rawVectorRead() throws -> Double {
    try time { for r in 1...replicaCount { try raw0.query("SELECT MAX(seq) FROM op WHERE replica = ?", Int64(r)) } }
}
var noop: [Double] = []
var vectorReads: [Double] = []
for _ in 0..<max(5, runs) {
    noop.append(try await timeAsync { _ = try await folderSync(a) })
    vectorReads.append(try rawVectorRead())
}

// MARK: HTTP hub: no-op sync, full pulls

step("HTTP hub: no-op syncs, \(runs) full pulls")

let http = try await HTTPBench(workload: workload, dir: dir)
let httpNoop = try await http.noopSyncs(a, count: max(5, runs))
var httpPulls: [Double] = []
var httpReplica: Store?
for run in 0..<runs {
    let fresh = try Store.create(at: "\(dir)/http-pull-\(run).db", township: "县科协")
    httpPulls.append(try await http.sync(fresh).seconds)
    httpReplica = fresh
}
let httpConverged = try httpReplica!.stateDigest() == http.hub.stateDigest()

// MARK: Delta sync: 100 new operations, through the folder and over HTTP

step("delta syncs")

struct Delta {
    var push: Double, pull: Double, bytes: Int
}
var folderDeltas: [Delta] = []
var httpDeltas: [Delta] = []
var rawInserts: [Double] = []
var opBytes: [Int] = []
var deltaCount = 0
for round in 0..<runs {
    let before = Trace.folderBytes(hubPath)
    let ownBefore = try a.operationCounts().own
    for i in 0..<20 {
        try a.record(ActivityDraft(kind: "科技下乡", date: "2023-11-20", title: "新活动\(round)-\(i)", quantities: ["attendance": 40]))
    }
    let ops = try a.operations(of: try a.identity().replica, after: ownBefore, limit: 1_000)
    deltaCount = ops.count
    opBytes.append(ops.reduce(0) { total, op in
        var row: [UInt8] = []
        OperationRow.append(op, to: &row)
        return total + row.count + 1
    })
    let push = try await timeAsync { _ = try await folderSync(a) }
    let pull = try await timeAsync { _ = try await folderSync(b) }
    folderDeltas.append(Delta(push: push, pull: pull, bytes: Trace.folderBytes(hubPath) - before))
    let httpPush = try await http.sync(a)
    let httpPull = try await http.sync(httpReplica!)
    guard httpPush.report.pushed == ops.count, httpPull.report.pulled == ops.count else {
        throw BenchError("the HTTP delta moved \(httpPush.report.pushed) / \(httpPull.report.pulled) operations, not \(ops.count)")
    }
    httpDeltas.append(Delta(push: httpPush.seconds, pull: httpPull.seconds, bytes: httpPush.bytes + httpPull.bytes))
    // The floor: the same rows inserted raw, one transaction.
    rawInserts.append(try time {
        try raw0.exec("BEGIN")
        try raw0.insert(ops, replica: Int64(replicaCount + 1))
        try raw0.exec("COMMIT")
    })
}
let converged = try a.stateDigest() == b.stateDigest() && a.stateDigest() == httpReplica!.stateDigest()

// MARK: The hub under 32 concurrent connections

step("HTTP hub under 32 concurrent connections (totals, pull pages)")

let load = HubLoad(url: http.url, token: http.token, connections: 32, duration: .seconds(5))
let pullPageSize = 1_000
let pullBody = #"{"after":{},"limit":\#(pullPageSize)}"#
let loadTotals = try await load.run(.GET, "/v1/totals?by=township,kind,quarter")
let loadPull = try await load.run(.POST, "/v1/pull", body: pullBody)
let directTotals = try await HubLoad.direct(200) { _ = try await http.hub.totals(by: [.township, .kind, .quarter]) }
let directPull = try await HubLoad.direct(200) { _ = try await http.hub.hubPull(after: VersionVector(), limit: pullPageSize) }

// MARK: Peak memory and the end-to-end merge, each in its own process

step("peak memory and end to end, each in its own process")

var mergeChildren: [Child.Result] = []
var pullChildren: [Child.Result] = []
var httpPullChildren: [Child.Result] = []
var rawChildren: [Child.Result] = []
for run in 0..<runs {
    mergeChildren.append(try Child.spawn(["merge", tracePath, "\(dir)/rss-merge-\(run).db"]))
    pullChildren.append(try Child.spawn(["pull", hubPath, "\(dir)/rss-pull-\(run).db"]))
    httpPullChildren.append(try Child.spawn(["pull-http", http.url, "\(dir)/rss-pull-http-\(run).db", http.token]))
    rawChildren.append(try Child.spawn(["raw", tracePath, "\(dir)/rss-raw-\(run).db"]))
}
http.stop()

// MARK: Peers

step("peer engines (pip may install loro, automerge, pycrdt first)")

let peers = Peers.run(trace: tracePath, runs: runs)

// MARK: Table

let row = Table.row
func median(_ xs: [Int]) -> Int { xs.sorted()[xs.count / 2] }
let ms = Table.ms, sec = Table.sec, x = Table.x, mib = Table.mib
let rawMedian = median(raw)
let rawRate = Double(workload.count) / rawMedian
let rawRSS = median(rawChildren.map(\.maxRSSKiB))
print("")
print("baselines, measured in this run: raw = the op-log rows inserted with SQLite's C API (one statement,")
print("one transaction, WAL, synchronous=NORMAL); for reads, the same raw database; for memory, the")
print("raw insert of the trace in its own process")
print("")
row("figure (median of \(runs) runs; 5 for the fast ones)", "value", "baseline", "ratio", "goal")
row("raw SQLite insert of \(workload.count) rows", sec(rawMedian), sec(rawMedian), "1.00x", "the limit")
row("merge into an empty replica (10k-op pages, Merger)", sec(median(merge)), sec(rawMedian), x(median(merge), rawMedian), "≤ 1.00x")
row("  of which verifying \(workload.seals.reduce(0) { $0 + $1.count }) signed runs (vs unsigned)", sec(median(merge) - median(unsignedMerge)),
    sec(median(unsignedMerge)), x(median(merge), median(unsignedMerge)), "")
row("record + attend, 1 txn per action (\(recordOps) ops)", String(format: "%.0f op/s", median(recordRates)), String(format: "%.0f op/s", rawRate),
    String(format: "%.1f%%", median(recordRates) / rawRate * 100), "")
row("recordAll + addAll, 1,000 per txn (\(batchOps) ops)", String(format: "%.0f op/s", median(batchRates)), String(format: "%.0f op/s", rawRate),
    String(format: "%.1f%%", median(batchRates) / rawRate * 100), "≥ 25%")
row("totals --by township,kind (raw: SUM over all rows)", ms(median(totalsTimes)), ms(median(aggregateTimes)),
    x(median(totalsTimes), median(aggregateTimes)), "≤ 20 ms")
row("report --year 2023, 4 projects (raw: the same SUM)", ms(median(reportTimes)), ms(median(aggregateTimes)),
    x(median(reportTimes), median(aggregateTimes)), "≤ 50 ms")
row("first push of all operations to a folder", sec(firstPush), sec(rawMedian), x(firstPush, rawMedian), "")
row("no-op sync, folder hub (raw: read the vector)", ms(median(noop)), ms(median(vectorReads)), x(median(noop), median(vectorReads)), "≤ 20 ms")
row("no-op sync, HTTP hub (raw: read the vector)", ms(median(httpNoop)), ms(median(vectorReads)), x(median(httpNoop), median(vectorReads)), "≤ 30 ms")
row("full pull over HTTP into an empty replica", sec(median(httpPulls)), sec(rawMedian), x(median(httpPulls), rawMedian), "")
let rawInsert = median(rawInserts)
row("delta: push \(deltaCount) ops, folder (raw: insert them)", ms(median(folderDeltas.map(\.push))), ms(rawInsert), x(median(folderDeltas.map(\.push)), rawInsert), "")
row("delta: pull \(deltaCount) ops, folder (raw: insert them)", ms(median(folderDeltas.map(\.pull))), ms(rawInsert), x(median(folderDeltas.map(\.pull)), rawInsert), "")
row("delta: bytes written to the folder", "\(median(folderDeltas.map(\.bytes))) B", "\(median(opBytes)) B",
    x(Double(median(folderDeltas.map(\.bytes))), Double(median(opBytes))), "≤ 4x")
row("delta: push \(deltaCount) ops, HTTP (raw: insert them)", ms(median(httpDeltas.map(\.push))), ms(rawInsert), x(median(httpDeltas.map(\.push)), rawInsert), "")
row("delta: pull \(deltaCount) ops, HTTP (raw: insert them)", ms(median(httpDeltas.map(\.pull))), ms(rawInsert), x(median(httpDeltas.map(\.pull)), rawInsert), "")
row("delta: HTTP body bytes, push + pull", "\(median(httpDeltas.map(\.bytes))) B", "\(median(opBytes)) B",
    x(Double(median(httpDeltas.map(\.bytes))), Double(median(opBytes))), "≤ 4x")
row("hub, 32 connections: totals by 3 keys, req/s", String(format: "%.0f/s", loadTotals.perSecond),
    String(format: "%.0f/s", directTotals.perSecond), "", "no timeouts (\(loadTotals.timeouts), errors \(loadTotals.errors))")
row("hub, 32 connections: totals by 3 keys, p99 (raw: direct)", ms(loadTotals.p99), ms(directTotals.p99), x(loadTotals.p99, directTotals.p99), "≤ 50 ms")
row("hub, 32 connections: pull pages of \(pullPageSize), req/s", String(format: "%.0f/s", loadPull.perSecond),
    String(format: "%.0f/s", directPull.perSecond), "", "no timeouts (\(loadPull.timeouts), errors \(loadPull.errors))")
row("hub, 32 connections: pull pages, p99 (raw: direct)", ms(loadPull.p99), ms(directPull.p99), x(loadPull.p99, directPull.p99), "≤ 50 ms")
row("peak RSS, merge of the trace (raw: insert it)", mib(median(mergeChildren.map(\.maxRSSKiB))), mib(rawRSS),
    x(Double(median(mergeChildren.map(\.maxRSSKiB))), Double(rawRSS)), "≤ 143 MiB (150 MB)")
row("peak RSS, full pull from the folder", mib(median(pullChildren.map(\.maxRSSKiB))), mib(rawRSS),
    x(Double(median(pullChildren.map(\.maxRSSKiB))), Double(rawRSS)), "≤ 143 MiB (150 MB)")
row("peak RSS, full pull over HTTP", mib(median(httpPullChildren.map(\.maxRSSKiB))), mib(rawRSS),
    x(Double(median(httpPullChildren.map(\.maxRSSKiB))), Double(rawRSS)), "≤ 143 MiB (150 MB)")
let ktxEndToEnd = median(mergeChildren.map(\.seconds))
row("ktx end to end (parse, merge, totals, durable)", sec(ktxEndToEnd), "", "", "")
for peer in peers {
    if let s = peer.seconds {
        row("  vs \(peer.name)", sec(s), "", x(ktxEndToEnd, s), "< 1.00x")
    } else {
        row("  vs \(peer.name)", "n/a", "", "", peer.note)
    }
}
func list(_ xs: [Double], _ scale: Double = 1, _ format: String = "%.3f") -> String { Table.list(xs, scale, format) }
print("")
print("runs (s): raw \(list(raw)), merge \(list(merge)), end to end \(list(mergeChildren.map(\.seconds)))")
print("runs (op/s): record \(list(recordRates, 1, "%.0f")), batched \(list(batchRates, 1, "%.0f"))")
print("runs (ms): totals \(list(totalsTimes, 1000, "%.1f")), report \(list(reportTimes, 1000, "%.1f")), raw SUM \(list(aggregateTimes, 1000, "%.1f"))")
print("runs (ms): no-op folder \(list(noop, 1000, "%.1f")), no-op HTTP \(list(httpNoop, 1000, "%.1f")), raw vector read \(list(vectorReads, 1000, "%.2f"))")
print("runs (s): HTTP full pull \(list(httpPulls))")
print("runs (MiB): merge \(mergeChildren.map { $0.maxRSSKiB >> 10 }), folder pull \(pullChildren.map { $0.maxRSSKiB >> 10 }), HTTP pull \(httpPullChildren.map { $0.maxRSSKiB >> 10 }), raw \(rawChildren.map { $0.maxRSSKiB >> 10 })")
print("replicas converged after the deltas (folder and HTTP): \(converged); HTTP full pull converged: \(httpConverged)")
print("ktx attendance over live activities before the delta: \(attendanceBeforeDelta) (each peer prints its own; they must agree)")
for peer in peers where peer.seconds != nil { print("  \(peer.name): \(peer.note)") }
