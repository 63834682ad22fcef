import Foundation
import FolderHub
import Reporting
import Store
import SyncCore

/// `ktx-bench scale [operations] [replicas] [runs]`: the province's figures (issue 14), each
/// beside its baseline measured in the same run. Defaults 10,000,000 operations over
/// 1,000,000 activities and 2,000 replicas (two per township), 3 runs.
///
/// - merge into an empty replica against the raw insert of the same rows (in this process,
///   as the main run's table does; the medians of `runs`);
/// - totals and the 2023 report on that replica against the same on a replica of a tenth
///   of the log (same replicas, a tenth of the activities and operations), built in this run;
/// - no-op syncs through a folder hub and over HTTP holding the whole log, against the raw
///   read of the version vector (one indexed `MAX(seq)` per replica);
/// - peak memory (VmHWM) of a merge of the trace, a full pull from the folder and a full pull
///   over HTTP, each in a process of its own, against the raw insert of the trace in one.
enum Scale {
    static let usage = """
        usage: swift run -c release --package-path Benchmarks ktx-bench scale [operations] [replicas] [runs]
          defaults: 10000000 operations over a tenth as many activities, 2000 replicas, 3 runs.
          About 5 minutes on 2 cores at the defaults (the run of 2026-11-23 took 4.5); needs several GB of free disk in $TMPDIR (the folder is removed at the end).
        """

    static func run(_ given: [String]) async throws {
        let numbers = given.compactMap(Int.init)
        guard numbers.count == given.count, numbers.count <= 3, numbers.allSatisfy({ $0 > 0 }) else {
            if given.contains(where: { $0 == "--help" || $0 == "-h" }) { print(usage); return }
            FileHandle.standardError.write(Data("ktx-bench scale: the arguments are up to three positive whole numbers\n\(usage)\n".utf8))
            exit(64)
        }
        let operations = numbers.count > 0 ? numbers[0] : 10_000_000
        let replicas = numbers.count > 1 ? numbers[1] : 2_000
        let runs = numbers.count > 2 ? numbers[2] : 3
        guard operations >= 100, replicas >= 2, operations / 10 >= replicas else {
            FileHandle.standardError.write(Data("ktx-bench scale: at least 100 operations, 2 replicas, and ten operations per replica\n\(usage)\n".utf8))
            exit(64)
        }

        step("workload: \(operations) operations over \(operations / 10) activities, \(replicas) replicas; and a tenth of it")
        var big = Workload(seed: 1, replicaCount: replicas, activityCount: operations / 10, operationCount: operations)
        try big.seal()
        var small = Workload(seed: 1, replicaCount: replicas, activityCount: operations / 100, operationCount: operations / 10)
        try small.seal()
        print("workload: \(big.count) operations, \(operations / 10) activities, \(replicas) replicas (seed 1), "
              + "\(big.seals.reduce(0) { $0 + $1.count }) signed runs; \(runs) runs, medians")
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB")

        let dir = FileManager.default.temporaryDirectory.path + "/ktx-bench-scale-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // KTX_KEEP=1 keeps the folder (the replica, the hubs) for profiling, e.g. `--child noop`.
        let keep = ProcessInfo.processInfo.environment["KTX_KEEP"] != nil
        defer { if keep { print("kept: \(dir)") } else { try? FileManager.default.removeItem(atPath: dir) } }
        let tracePath = "\(dir)/trace.jsonl"
        step("writing the trace")
        try Trace.write(big, to: tracePath)
        print("trace: \(Trace.size(tracePath) >> 20) MiB")

        // Merge against the raw insert, interleaved; only the first run's replica is kept.
        var raw: [Double] = []
        var merge: [Double] = []
        var replica: Store?
        for run in 0..<runs {
            step("run \(run + 1) of \(runs): raw insert, then merge")
            raw.append(seconds(try RawSQLite.insert(big, path: "\(dir)/raw-\(run).db")))
            let store = try Store.create(at: "\(dir)/merge-\(run).db", township: "镇0")
            merge.append(try time { try RoundRobin.merge(big, into: store) })
            if run == 0 { replica = store } else { try remove("\(dir)/merge-\(run).db"); try remove("\(dir)/raw-\(run).db") }
        }
        let a = replica!

        step("totals and the report, on the whole log and on a tenth of it")
        let tenth = try Store.create(at: "\(dir)/tenth.db", township: "镇0")
        try RoundRobin.merge(small, into: tenth)
        let targets = try TargetsParser.builtIn(year: 2023, catalog: .standard)!
        var totals: [Double] = [], totalsTenth: [Double] = []
        var report: [Double] = [], reportTenth: [Double] = []
        for _ in 0..<max(5, runs) {
            totals.append(try time { _ = try a.totals(by: [.township, .kind]) })
            totalsTenth.append(try time { _ = try tenth.totals(by: [.township, .kind]) })
            report.append(try time { _ = try ReportBuilder.build(targets, store: a, quarter: nil) })
            reportTenth.append(try time { _ = try ReportBuilder.build(targets, store: tenth, quarter: nil) })
        }
        let sameTotals = try await a.totals().first?.quantities["attendance"]
        // Where the report's time goes, on each replica (one call each).
        var maxima: Set<String> = []
        for indicator in targets.projects.flatMap(\.indicators) {
            if case let .max(metric) = indicator.computation { maxima.insert(metric) }
        }
        func parts(_ store: Store) throws -> String {
            let cells = try time { _ = try store.reportCells(year: 2023, throughMonth: 12, maxima: maxima) }
            let rules = try time { _ = try store.ruleBreaches(year: 2023) }
            let fresh = try time { _ = try store.freshness() }
            return "cells with the largest values of \(maxima.sorted().joined(separator: ",")) \(Table.ms(cells)), "
                + "rule breaches \(Table.ms(rules)), coverage \(Table.ms(fresh))"
        }
        let reportParts = (try parts(a), try parts(tenth))

        step("folder hub: the first push of everything, then no-op syncs")
        let hubPath = "\(dir)/hub"
        _ = try FileHub.create(at: hubPath)
        func folderSync() async throws -> SyncReport {
            try await SyncSession(store: a, hub: FileHub(path: hubPath, writer: try a.identity().replica)).run()
        }
        let firstPush = try await timeAsync { _ = try await folderSync() }
        let raw0 = try RawSQLite(path: "\(dir)/raw-0.db")
        var noop: [Double] = [], vectorReads: [Double] = []
        for _ in 0..<max(5, runs) {
            let start = ContinuousClock.now
            let report = try await folderSync()
            noop.append(seconds(ContinuousClock.now - start))
            guard report.pushed == 0 && report.pulled == 0 else { throw BenchError("the folder no-op sync moved operations") }
            vectorReads.append(try time { for r in 1...replicas { try raw0.query("SELECT MAX(seq) FROM op WHERE replica = ?", Int64(r)) } })
        }

        step("HTTP hub over the whole log: no-op syncs")
        let http = try await HTTPBench(workload: big, dir: dir)
        let httpNoop = try await http.noopSyncs(a, count: max(5, runs))

        step("peak memory, each in its own process: merge of the trace, folder pull, HTTP pull, raw insert")
        let mergeChild = try Child.spawn(["merge", tracePath, "\(dir)/rss-merge.db"])
        try remove("\(dir)/rss-merge.db")
        let pullChild = try Child.spawn(["pull", hubPath, "\(dir)/rss-pull.db"])
        let pulled = try Store.open(at: "\(dir)/rss-pull.db")
        let folderConverged = try pulled.stateDigest() == a.stateDigest()
        try remove("\(dir)/rss-pull.db")
        let httpChild = try Child.spawn(["pull-http", http.url, "\(dir)/rss-pull-http.db", http.token])
        let httpPulled = try Store.open(at: "\(dir)/rss-pull-http.db")
        let httpConverged = try httpPulled.stateDigest() == http.hub.stateDigest()
        try remove("\(dir)/rss-pull-http.db")
        let rawChild = try Child.spawn(["raw", tracePath, "\(dir)/rss-raw.db"])
        http.stop()

        let n = big.count
        let rawMedian = median(raw)
        print("")
        print("baselines, measured in this run: raw = the op-log rows inserted with SQLite's C API (one statement,")
        print("one transaction, WAL, synchronous=NORMAL); the tenth = the same figure on a replica of \(small.count) operations")
        print("(\(replicas) replicas); memory = the raw insert of the trace, read in pages, in its own process")
        print("")
        Table.row("figure (median of \(runs) runs; 5 for the fast ones)", "value", "baseline", "ratio", "goal")
        Table.row("raw SQLite insert of \(n) rows", Table.sec(rawMedian), Table.sec(rawMedian), "1.00x", "the limit")
        Table.row("merge into an empty replica (10k-op pages, Merger)", Table.sec(median(merge)), Table.sec(rawMedian),
                  Table.x(median(merge), rawMedian), "≤ 1.00x")
        Table.row("totals --by township,kind (the tenth)", Table.ms(median(totals)), Table.ms(median(totalsTenth)),
                  Table.x(median(totals), median(totalsTenth)), "as at 1,000,000")
        Table.row("report --year 2023, 4 projects (the tenth)", Table.ms(median(report)), Table.ms(median(reportTenth)),
                  Table.x(median(report), median(reportTenth)), "as at 1,000,000")
        Table.row("first push of all operations to a folder", Table.sec(firstPush), Table.sec(rawMedian), Table.x(firstPush, rawMedian), "")
        Table.row("no-op sync, folder hub (raw: read the vector)", Table.ms(median(noop)), Table.ms(median(vectorReads)),
                  Table.x(median(noop), median(vectorReads)), "≤ 20 ms")
        Table.row("no-op sync, HTTP hub (raw: read the vector)", Table.ms(median(httpNoop)), Table.ms(median(vectorReads)),
                  Table.x(median(httpNoop), median(vectorReads)), "≤ 30 ms")
        Table.row("full pull over HTTP into an empty replica (1 run)", Table.sec(httpChild.seconds), Table.sec(rawMedian),
                  Table.x(httpChild.seconds, rawMedian), "")
        Table.row("peak RSS, merge of the trace (raw: insert it)", Table.mib(mergeChild.maxRSSKiB), Table.mib(rawChild.maxRSSKiB),
                  Table.x(Double(mergeChild.maxRSSKiB), Double(rawChild.maxRSSKiB)), "≤ 143 MiB (150 MB)")
        Table.row("peak RSS, full pull from the folder", Table.mib(pullChild.maxRSSKiB), Table.mib(rawChild.maxRSSKiB),
                  Table.x(Double(pullChild.maxRSSKiB), Double(rawChild.maxRSSKiB)), "≤ 143 MiB (150 MB)")
        Table.row("peak RSS, full pull over HTTP", Table.mib(httpChild.maxRSSKiB), Table.mib(rawChild.maxRSSKiB),
                  Table.x(Double(httpChild.maxRSSKiB), Double(rawChild.maxRSSKiB)), "≤ 143 MiB (150 MB)")
        print("")
        print("runs (s): raw \(Table.list(raw)), merge \(Table.list(merge))")
        print("runs (ms): totals \(Table.list(totals, 1000, "%.1f")), tenth \(Table.list(totalsTenth, 1000, "%.1f")); "
              + "report \(Table.list(report, 1000, "%.1f")), tenth \(Table.list(reportTenth, 1000, "%.1f"))")
        print("report's parts: whole log: \(reportParts.0); the tenth: \(reportParts.1)")
        print("runs (ms): no-op folder \(Table.list(noop, 1000, "%.1f")), no-op HTTP \(Table.list(httpNoop, 1000, "%.1f")), "
              + "raw vector read \(Table.list(vectorReads, 1000, "%.2f"))")
        print("children (s): merge of the trace \(Table.sec(mergeChild.seconds)), folder pull \(Table.sec(pullChild.seconds)), "
              + "HTTP pull \(Table.sec(httpChild.seconds)), raw insert of the trace \(Table.sec(rawChild.seconds))")
        print("converged: folder pull \(folderConverged), HTTP pull \(httpConverged); attendance over live activities \(sameTotals ?? 0)")
    }

    static func remove(_ path: String) throws {
        for suffix in ["", "-wal", "-shm", ".seconds"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

/// The table's columns and number formats, shared by the main run and `scale`.
enum Table {
    static func row(_ name: String, _ value: String, _ baseline: String, _ ratio: String, _ goal: String) {
        func pad(_ s: String, _ n: Int, right: Bool = false) -> String {
            let fill = String(repeating: " ", count: max(0, n - displayWidth(s)))
            return right ? fill + s : s + fill
        }
        print(pad(name, 52) + pad(value, 13, right: true) + pad(baseline, 14, right: true) + pad(ratio, 9, right: true) + "  " + goal)
    }

    static func ms(_ s: Double) -> String { String(format: "%.1f ms", s * 1000) }
    static func sec(_ s: Double) -> String { String(format: "%.3f s", s) }
    static func x(_ a: Double, _ b: Double) -> String { String(format: a / b < 0.1 ? "%.3fx" : "%.2fx", a / b) }
    static func mib(_ kib: Int) -> String { "\(kib >> 10) MiB" }
    static func list(_ xs: [Double], _ scale: Double = 1, _ format: String = "%.3f") -> String {
        "[" + xs.map { String(format: format, $0 * scale) }.joined(separator: ", ") + "]"
    }
}
