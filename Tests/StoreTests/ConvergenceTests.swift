import FolderHub
import Foundation
import Store
import SyncCore
import Testing
import TestSupport

/// The convergence property through a folder hub: whatever replicas do offline, and
/// however their syncs are ordered, repeated or cut off, once everyone has synced
/// everyone holds the same state, and it is what the merge rules give for the log.
@Suite struct ConvergenceTests {
    /// Seeds of the default run. KTX_SEEDS=N runs N other scenarios, KTX_SEED=S replays one.
    /// (In lanes run in parallel, each lane's seeds one after another.)
    static var lanes: [[UInt64]] { ConvergenceSeeds.lanes(defaultCount: 500) }

    @Test(arguments: lanes)
    func replicasConverge(seeds: [UInt64]) async throws {
        for seed in seeds {
            let lab = ReplicaLab("conv-\(seed)")
            defer { lab.remove() }
            let outcome = try await ConvergenceScenario(seed: seed).run(in: lab) { store in
                try lab.hub(for: store, durable: false)
            }
            #expect(Set(outcome.digests).count == 1, "seed \(seed): replicas diverged")
            #expect(outcome.totalsAgree, "seed \(seed): totals differ")
            #expect(outcome.ruleMismatches.isEmpty, "seed \(seed): \(outcome.ruleMismatches)")
            #expect(outcome.recorded == outcome.kept, "seed \(seed): \(outcome.recorded) activities recorded, \(outcome.kept) kept")
        }
    }

    /// The same with an adversary who keeps writing junk, unsigned and wrongly signed files
    /// under offices' names at their next seqs (someone with write access to the shared
    /// folder, no key): every honest office's records still reach everyone, nothing is lost.
    /// The year's close racing the edits (issue 30): offices submit 2023 while they keep
    /// recording, the county approves, returns and accepts amendments in between, syncs cut
    /// off and repeated in any order. Every replica ends with the same steps, the same approved
    /// figures and the same amendments; each one's tables equal the merge rules applied to its
    /// log without the amendments its approvals leave out.
    @Test(arguments: ConvergenceSeeds.lanes(defaultCount: 60))
    func approvalsRacingEditsConverge(seeds: [UInt64]) async throws {
        for seed in seeds {
            let lab = ReplicaLab("year-\(seed)")
            defer { lab.remove() }
            let outcome = try await ConvergenceScenario(seed: seed, yearClose: true).run(in: lab) { store in
                try lab.hub(for: store, durable: false)
            }
            #expect(Set(outcome.digests).count == 1, "seed \(seed): replicas diverged")
            #expect(outcome.totalsAgree, "seed \(seed): totals differ")
            #expect(outcome.ruleMismatches.isEmpty, "seed \(seed): \(outcome.ruleMismatches)")
            #expect(outcome.recorded == outcome.kept, "seed \(seed): \(outcome.recorded) activities recorded, \(outcome.kept) kept")
        }
    }

    @Test(arguments: ConvergenceSeeds.lanes(defaultCount: 60))
    func replicasConvergeWhileSomeoneForgesFilesInTheFolder(seeds: [UInt64]) async throws {
        for seed in seeds {
            let lab = ReplicaLab("adv-\(seed)")
            defer { lab.remove() }
            let folder = lab.dir.file("hub")
            _ = try FileHub.create(at: folder)
            let outcome = try await ConvergenceScenario(seed: seed, adversaryFolder: folder).run(in: lab) { store in
                try lab.hub(for: store, durable: false)
            }
            #expect(Set(outcome.digests).count == 1, "seed \(seed): replicas diverged")
            #expect(outcome.totalsAgree, "seed \(seed): totals differ")
            #expect(outcome.ruleMismatches.isEmpty, "seed \(seed): \(outcome.ruleMismatches)")
            #expect(outcome.recorded == outcome.kept, "seed \(seed): \(outcome.recorded) activities recorded, \(outcome.kept) kept")
        }
    }

    /// A known defect, kept in view until it is fixed: a PC's database copied to a second PC,
    /// the copy syncs first, then someone overwrites the copy's first file in the folder with
    /// junk. The original reads from its confirmed seq, finds only junk, stops at the gap and
    /// never sees the copy's later runs (signed with the same key), so it does not continue
    /// under a new replica; both copies' later records are refused everywhere as `forked`.
    /// When copy detection looks past a gap, this known issue stops being recorded and the
    /// test fails: then make it an ordinary expectation.
    ///
    /// Seed 1796639933 (found 2026-12-07, 300 seeds after this session's changes) looks like
    /// the same family: a copied PC and forged files under the original's name; at the end the
    /// original holds seqs 1–26 and every other replica 1–20, and each final sync sets aside
    /// files "by the office it names". Not yet traced to the line; the likely cause is the
    /// second fix named above (an office trusts that the folder still holds what it confirmed).
    @Test(arguments: [UInt64(1_796_627_153), 1_796_639_933])
    func aCopiedPCWhoseFileAVandalReplacedStillReachesTheCounty(seed: UInt64) async throws {
        let lab = ReplicaLab("adv-known-\(seed)")
        defer { lab.remove() }
        let folder = lab.dir.file("hub")
        _ = try FileHub.create(at: folder)
        let outcome = try await ConvergenceScenario(seed: seed, adversaryFolder: folder).run(in: lab) { store in
            try lab.hub(for: store, durable: false)
        }
        withKnownIssue("copy detection stops at a gap a vandal made in the copy's runs") {
            #expect(Set(outcome.digests).count == 1, "seed \(seed): replicas diverged")
        }
    }
}
