import Foundation

/// The seeds a convergence test runs: `KTX_SEED=S` replays one, `KTX_SEEDS=N` runs N fresh
/// ones (from the clock; `KTX_SEED_BASE=B` replays the N of an earlier run, whose first seed
/// was B), otherwise 0..<defaultCount.
public enum ConvergenceSeeds {
    public static func seeds(defaultCount: Int) -> [UInt64] {
        let env = ProcessInfo.processInfo.environment
        if let one = env["KTX_SEED"].flatMap(UInt64.init) { return [one] }
        guard let count = env["KTX_SEEDS"].flatMap(Int.init) else { return (0..<UInt64(defaultCount)).map { $0 } }
        let base = env["KTX_SEED_BASE"].flatMap(UInt64.init) ?? UInt64(Date().timeIntervalSince1970)
        return (0..<UInt64(count)).map { base &+ $0 }
    }

    /// The same seeds in at most `lanes` groups, each run one after another: the groups run
    /// in parallel, so the number of replicas open at once stays bounded however many seeds
    /// run (thousands of scenarios at once ran out of file descriptors).
    public static func lanes(defaultCount: Int, lanes: Int = 12) -> [[UInt64]] {
        let all = seeds(defaultCount: defaultCount)
        var out = Array(repeating: [UInt64](), count: min(lanes, all.count))
        for (i, seed) in all.enumerated() { out[i % out.count].append(seed) }
        return out
    }
}
