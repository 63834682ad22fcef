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
            Self.expectConverged(try await Self.forgedFolderOutcome(seed: seed, lab: "adv"), seed: seed)
        }
    }

    /// The outcome of the scenario whose folder someone forges files in.
    static func forgedFolderOutcome(seed: UInt64, lab name: String) async throws -> ConvergenceScenario.Outcome {
        let lab = ReplicaLab("\(name)-\(seed)")
        defer { lab.remove() }
        let folder = lab.dir.file("hub")
        _ = try FileHub.create(at: folder)
        return try await ConvergenceScenario(seed: seed, adversaryFolder: folder).run(in: lab) { store in
            try lab.hub(for: store, durable: false)
        }
    }

    /// Every replica holds the same state and totals, the rules agree, and no activity is lost.
    static func expectConverged(_ outcome: ConvergenceScenario.Outcome, seed: UInt64) {
        #expect(Set(outcome.digests).count == 1, "seed \(seed): replicas diverged")
        #expect(outcome.totalsAgree, "seed \(seed): totals differ")
        #expect(outcome.ruleMismatches.isEmpty, "seed \(seed): \(outcome.ruleMismatches)")
        #expect(outcome.recorded == outcome.kept, "seed \(seed): \(outcome.recorded) activities recorded, \(outcome.kept) kept")
    }

    /// A known defect, kept in view until it is fixed (seed 1796644526, found 2026-12-07 in a
    /// run of 2,000 seeds): a PC's database copied to a second PC; the copy published its seq 24
    /// while a vandal's junk stood in place of the original's run `24-26` (same name: the copy
    /// shares the replica's). The original wrote its run again at its next sync, so the folder
    /// holds two validly signed runs for seq 24; the copy, whose 24 is confirmed, never finds it
    /// is a copy and refuses the original's 25 as `forked`. The fix is copy detection that
    /// compares what the folder holds of its replica below what it confirmed. When it is fixed,
    /// this known issue stops being recorded and the test fails: then make it an ordinary
    /// expectation (below).
    ///
    /// Seed 1796649508 (found 2026-12-07, 2,000 seeds; it diverges the same way on the build
    /// before this session's changes): after the copy, the original publishes its run `20-25`;
    /// a vandal writes unsigned junk under that very name; the copy's next sync sets the junk
    /// aside (the name is free again), sees nothing of its replica past 19, so no copy, and
    /// publishes its own `20-26`. The original has confirmed its 20–25, which no file holds now;
    /// the copy's run covers those seqs, so the folder's names never show the loss, and the
    /// original refuses the copy's 26 as `forked` (traced with a print in `continueIfCopied`:
    /// the copy saw hub 19, local 26, confirmed 19). Writing the original's run again would
    /// leave two signed histories of seqs 20–25 in the folder: it needs the same fork rule.
    @Test(arguments: [UInt64(1_796_644_526), 1_796_649_508])
    func aCopiedPCWhoseFileAVandalReplacedStillReachesTheCounty(seed: UInt64) async throws {
        let outcome = try await Self.forgedFolderOutcome(seed: seed, lab: "adv-known")
        withKnownIssue("copy detection stops at a gap a vandal made in the copy's runs") {
            #expect(Set(outcome.digests).count == 1, "seed \(seed): replicas diverged")
        }
    }

    /// Two seeds that were known defects until 2026-12-07. 1796639933: a vandal wrote junk under
    /// the name of the original's genuine run `20-23` (a copied PC shares its replica's name);
    /// every reader skipped it and stopped at 20 for good, while the original, whose folder
    /// names still counted the run, never wrote it again. 1796627153: the copy synced first, then
    /// junk replaced the copy's first file; the original read from its confirmed seq, found only
    /// junk, stopped at the gap and never saw the copy's later runs, so it never continued under
    /// a new replica. Now each sync checks that the folder's files of its own runs still hold
    /// them (`Hub.firstLostRun`) and writes again what someone wrote over: the gap closes and
    /// copy detection sees the copy's runs.
    @Test(arguments: [UInt64(1_796_639_933), 1_796_627_153])
    func aRunAVandalWroteOverIsWrittenAgainAndEveryoneConverges(seed: UInt64) async throws {
        Self.expectConverged(try await Self.forgedFolderOutcome(seed: seed, lab: "adv-overwritten"), seed: seed)
    }
}
