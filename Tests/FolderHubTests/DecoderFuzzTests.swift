import Crypto
import FolderHub
import Foundation
import HubStorage
import Store
import SyncCore
import TestSupport
import Testing

/// A seeded fuzzer for the ways operations come in: random and mutated folder files (with
/// their checksum made right again, so the decoder itself is tried, not only the checksum)
/// and pushed request bodies. Nothing may crash, and nothing the acceptance rule refuses
/// may ever be merged. `KTX_FUZZ=N` runs N seeds; a failure names its seed.
@Suite struct DecoderFuzzTests {
    static var seeds: [UInt64] {
        let count = ProcessInfo.processInfo.environment["KTX_FUZZ"].flatMap(Int.init) ?? 300
        return (0..<UInt64(count)).map { $0 &* 7919 &+ 17 }
    }

    static let replica = ReplicaID(high: 0x0123_4567_89AB_CDEF, low: 0x0123_4567_89AB_CDEF)

    /// Operations of every kind, some of them malformed.
    static func operations(_ rng: inout SeededGenerator) -> [Op] {
        let texts = ["果树修剪", "", "a\u{0}b", "培训\u{202E}exe", String(repeating: "长", count: 201), "村委会", "\"引号\"\\"]
        let kinds = ["rural", "bogus-kind", "citizen", "科技下乡", ""]
        let dates = ["2023-05-20", "2023-13-45", "2024-02-29", "2023-02-30", "x"]
        let metrics = ["attendance", "cost", "volunteers", "不存在的指标", ""]
        let amounts: [Int64] = [1, -5, 1_000_000_000, 1_000_000_001, .max, .min, 100_000_000_000]
        let base = HLCTimestamp(millis: 1_684_540_800_000, counter: 0).rawValue
        let stamps: [Int64] = [base, base + 7, .max, .min, 0, -1]
        let activity = ActivityID(replica: replica, seq: 1)
        let count = Int.random(in: 1...12, using: &rng)
        return (0..<count).map { i in
            let change: Change
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: change = .set(Field.allCases.randomElement(using: &rng)!, texts.randomElement(using: &rng)!)
            case 1: change = .set(.kind, kinds.randomElement(using: &rng)!)
            case 2: change = .set(.date, dates.randomElement(using: &rng)!)
            case 3: change = .add(metric: metrics.randomElement(using: &rng)!, amount: amounts.randomElement(using: &rng)!)
            default: change = Bool.random(using: &rng) ? .delete : .indicator(["92", "-1", "ninety"].randomElement(using: &rng)!)
            }
            let target = change.isIndicator ? ActivityID(unchecked: ["2023/rural/满意度", "rural"].randomElement(using: &rng)!) : activity
            let stamp = Int.random(in: 0..<8, using: &rng) == 0 ? stamps.randomElement(using: &rng)! : base + Int64(i)
            return Op(replica: replica, seq: Int64(i + 1), timestamp: HLCTimestamp(rawValue: stamp), activity: target, change: change)
        }
    }

    /// A byte string mutated a few times: flips, cuts, insertions, repeats.
    static func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...4, using: &rng) where !out.isEmpty {
            let at = Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<5, using: &rng) {
            case 0: out[at] ^= UInt8.random(in: 1...255, using: &rng)
            case 1: out.removeSubrange(at..<min(out.count, at + Int.random(in: 1...16, using: &rng)))
            case 2: out.insert(contentsOf: Array("[]{},\"\\-0123456789ex\u{0}".utf8).shuffled(using: &rng).prefix(Int.random(in: 1...6, using: &rng)), at: at)
            case 3: out.insert(contentsOf: out[at..<min(out.count, at + 20)], at: at)
            default: out[at] = [UInt8(ascii: "0"), UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "\""), 0x80].randomElement(using: &rng)!
            }
        }
        return out
    }

    /// Puts a new body under a file's header, with the checksum, length and count made right.
    static func refit(_ file: [UInt8], body: [UInt8], count: Int) throws -> [UInt8] {
        let lines = file.split(separator: UInt8(ascii: "\n"), maxSplits: 2, omittingEmptySubsequences: false)
        var header = try JSONDecoder().decode(OperationFile.Header.self, from: Data(lines[1]))
        header.bytes = body.count
        header.count = count
        header.sha256 = Hex.string(SHA256.hash(data: body))
        return Array(lines[0]) + [10] + Array(try JSONEncoder().encode(header)) + [10] + body
    }

    /// Every operation the store holds passes the rule.
    static func expectOnlyAccepted(_ store: Store, seed: UInt64) throws {
        for entry in try store.log() {
            #expect(AcceptanceRule.standard.check(entry.operation) == nil, "seed \(seed): merged \(entry.operation)")
        }
    }

    @Test(arguments: seeds)
    func mutatedFolderFilesNeverCrashNorMergeWhatTheRuleRefuses(seed: UInt64) throws {
        var rng = SeededGenerator(seed: seed)
        let lab = ReplicaLab("fuzz-\(seed)")
        defer { lab.remove() }
        let store = try lab.replica("r", township: "县科协")
        let ops = Self.operations(&rng)
        let file = OperationFile.encode(ops, township: "河西镇", writer: Self.replica)
        let body = Array(file.split(separator: 10, maxSplits: 2, omittingEmptySubsequences: false)[2])
        var candidates = [Self.mutate(file, &rng)]
        candidates.append(try Self.refit(file, body: Self.mutate(body, &rng), count: ops.count))
        for bytes in candidates {
            guard let (_, decoded) = try? OperationFile.decode(bytes, replica: Self.replica, first: 1, last: Int64(ops.count)) else { continue }
            let outcome = try store.merge(decoded, source: "fuzz")
            #expect(outcome.applied + outcome.heldBack + outcome.duplicates + outcome.refused.count == decoded.count, "seed \(seed)")
        }
        try Self.expectOnlyAccepted(store, seed: seed)
    }

    @Test(arguments: seeds)
    func mutatedPushBodiesNeverCrashTheHubNorMergeWhatTheRuleRefuses(seed: UInt64) async throws {
        var rng = SeededGenerator(seed: seed)
        let lab = ReplicaLab("fuzz-hub-\(seed)")
        defer { lab.remove() }
        let hub = try Store.openHub(at: lab.dir.file("hub.db"), wallClock: lab.clock)
        let ops = Self.operations(&rng)
        let body = Array(try JSONEncoder().encode(HubAPI.Batch(ops, township: "河西镇")))
        for bytes in [body, Self.mutate(body, &rng)] {
            guard let batch = try? JSONDecoder().decode(HubAPI.Batch.self, from: Data(bytes)),
                  let replica = ReplicaID(hex: batch.replica) else { continue }
            // What the push decoder takes, and what the codec alone takes: the store's own
            // gate must refuse whatever the rule refuses even when the decoder is bypassed.
            var candidates: [[Op]] = []
            if let (_, decoded) = try? batch.decoded(by: hub.rule, latestAllowed: .max) { candidates.append(decoded) }
            if let raw = try? batch.operations.map({ try $0.op(replica: replica) }) { candidates.append(raw) }
            try await Self.push(candidates, to: hub, replica: replica, township: batch.township)
        }
        try Self.expectOnlyAccepted(hub, seed: seed)
    }

    /// Pushes each candidate run as 河西镇's token would; a run refused whole is fine.
    static func push(_ candidates: [[Op]], to hub: Store, replica: ReplicaID, township: String?) async throws {
        for ops in candidates where !ops.isEmpty {
            do {
                _ = try await hub.hubAccept(ops, replica: replica, announcedTownship: township,
                                            caller: HubCaller(tokenID: 1, role: .township, township: "河西镇"))
            } catch is HubRejection {
                // refused whole: fine
            }
        }
    }

    @Test(arguments: seeds)
    func mutatedPackedPushesNeverCrashTheHubNorMergeWhatTheRuleRefuses(seed: UInt64) async throws {
        var rng = SeededGenerator(seed: seed)
        let lab = ReplicaLab("fuzz-packed-\(seed)")
        defer { lab.remove() }
        let hub = try Store.openHub(at: lab.dir.file("hub.db"), wallClock: lab.clock)
        let ops = Self.operations(&rng)
        let body = PullStream.encodePush(ops, township: "河西镇", seals: [])
        var mutated = Self.mutate(body, &rng)
        // Random bytes over a varint or a length, where a chunk's counts and the frame's seq are.
        for _ in 0..<Int.random(in: 1...3, using: &rng) where mutated.count > 30 {
            mutated[Int.random(in: 17..<mutated.count, using: &rng)] = [0xFF, 0x80, 0x7F, 0x00].randomElement(using: &rng)!
        }
        for bytes in [body, Self.mutate(body, &rng), mutated] {
            guard let run = try? PullStream.decodePush(bytes) else { continue }
            // What the hub's push takes after its checks, and what the decoder alone gives:
            // the store's own gate refuses whatever the rule refuses either way.
            var candidates = [run.operations]
            if let checked = try? HubAPI.Batch.checked(run.operations, township: run.township, by: hub.rule, latestAllowed: .max) {
                candidates.append(checked)
            }
            try await Self.push(candidates, to: hub, replica: run.replica, township: run.township)
        }
        try Self.expectOnlyAccepted(hub, seed: seed)
    }
}
