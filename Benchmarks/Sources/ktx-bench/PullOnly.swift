import Foundation
import Store

/// `ktx-bench pull [operations] [activities] [replicas] [runs]`: only the full pull over HTTP
/// into an empty replica, each run beside a raw insert of the same rows made just before it
/// (the main run's figure, without its other phases: for profiling and for quick comparisons).
enum PullOnly {
    static func run(_ arguments: [Int]) async throws {
        let operationCount = arguments.count > 0 ? arguments[0] : 1_000_000
        let activityCount = arguments.count > 1 ? arguments[1] : 100_000
        let replicaCount = arguments.count > 2 ? arguments[2] : 20
        let runs = max(1, arguments.count > 3 ? arguments[3] : 5)
        var workload = Workload(seed: 1, replicaCount: replicaCount, activityCount: activityCount, operationCount: operationCount)
        try workload.seal()
        let dir = FileManager.default.temporaryDirectory.path + "/ktx-bench-pull-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        print("full pull over HTTP of \(workload.count) operations, \(activityCount) activities, \(replicaCount) replicas; \(runs) runs")
        let http = try await HTTPBench(workload: workload, dir: dir)
        defer { http.stop() }
        var raw: [Double] = []
        var pulls: [Double] = []
        for run in 0..<runs {
            raw.append(seconds(try RawSQLite.insert(workload, path: "\(dir)/raw-\(run).db")))
            let fresh = try Store.create(at: "\(dir)/pull-\(run).db", township: "县科协")
            let sync = try await http.sync(fresh)
            guard sync.report.pulled == workload.count else { throw BenchError("the pull took \(sync.report.pulled) of \(workload.count) operations") }
            pulls.append(sync.seconds)
            for file in ["raw-\(run).db", "pull-\(run).db", "pull-\(run).db-wal", "pull-\(run).db-shm"] {
                try? FileManager.default.removeItem(atPath: "\(dir)/\(file)")
            }
        }
        func list(_ xs: [Double]) -> String { xs.map { String(format: "%.3f", $0) }.joined(separator: ", ") }
        print("raw insert: median \(String(format: "%.3f", median(raw))) s [\(list(raw))]")
        print("HTTP full pull: median \(String(format: "%.3f", median(pulls))) s [\(list(pulls))], "
              + "\(String(format: "%.2f", median(pulls) / median(raw)))x the raw insert")
    }
}
