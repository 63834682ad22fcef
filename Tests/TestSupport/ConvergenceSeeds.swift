import Foundation

/// The seeds a convergence test runs: `KTX_SEED=S` replays one, `KTX_SEEDS=N` runs N fresh
/// ones (from the clock), otherwise 0..<defaultCount.
public enum ConvergenceSeeds {
    public static func seeds(defaultCount: Int) -> [UInt64] {
        let env = ProcessInfo.processInfo.environment
        if let one = env["KTX_SEED"].flatMap(UInt64.init) { return [one] }
        guard let count = env["KTX_SEEDS"].flatMap(Int.init) else { return (0..<UInt64(defaultCount)).map { $0 } }
        let base = UInt64(Date().timeIntervalSince1970)
        return (0..<UInt64(count)).map { base &+ $0 }
    }
}
