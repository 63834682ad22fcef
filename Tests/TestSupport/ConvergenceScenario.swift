import FolderHub
import Foundation
import KtxWords
import Store
import SyncCore

/// One random convergence scenario, fully determined by its seed: 2 to 5 replicas of two
/// townships and the county's, each PC's clock a few hours fast or slow, record, edit, add
/// and delete offline and sync in random orders through a hub, some syncs cut off part way
/// and some repeated; a database is copied to a new PC, or a PC restored from its backup
/// (after its last sync); then everyone syncs twice.
public struct ConvergenceScenario: Sendable {
    /// What the scenario ended with, for the test to check.
    public struct Outcome: Sendable {
        /// Each replica's state digest.
        public var digests: [String]
        /// Each replica's totals by township, kind and quarter.
        public var totals: [[TotalsRow]]
        /// Where the first replica's state differs from the merge rules applied to its log,
        /// or a replica running an older catalog, once upgraded and rebuilt, differs from the newer ones.
        public var ruleMismatches: [String]
        /// Which replicas run a newer ktx (``Catalog/newer``): totals agree within each group.
        public var newer: [Bool]
        /// Activities recorded by any office, and activities the first replica ends with
        /// (live or deleted): equal when nothing was lost or recorded twice.
        public var recorded: Int
        public var kept: Int

        /// Whether replicas of the same catalog have the same totals.
        public var totalsAgree: Bool {
            zip(totals, newer).allSatisfy { pair in pair.0 == totals[newer.firstIndex(of: pair.1)!] }
        }
    }

    /// Makes the hub connection a replica syncs through.
    public typealias HubFactory = @Sendable (Store) async throws -> any Hub

    public let seed: UInt64
    /// A hub folder someone with write access keeps putting files into, under offices' names
    /// at their next seqs, with no office's key: junk, unsigned runs, runs signed with another
    /// key. Nil: nobody does (the seeds' scenarios stay as they were).
    public let adversaryFolder: String?
    public static let townships = ["河西镇", "东街镇"]
    public static let county = "县科协"

    /// Whether the offices submit 2023 and the county approves, returns and accepts
    /// amendments, racing the edits (false: the seeds' scenarios stay as they were).
    public let yearClose: Bool

    public init(seed: UInt64, adversaryFolder: String? = nil, yearClose: Bool = false) {
        self.seed = seed
        self.adversaryFolder = adversaryFolder
        self.yearClose = yearClose
    }

    /// Writes a file no office wrote under `store`'s replica at its next seqs, once it has
    /// published its first signed run. (Before that, in a folder no county governs, nothing
    /// tells a receiver that has not seen the replica whether it signs: an unsigned first file
    /// is taken as a PC's from before 0.3. A governed folder's roster names every key.)
    static func forge(in folder: String, for store: Store, rng: inout SeededGenerator) throws {
        let me = try store.identity().replica
        let next = try store.publishedSeq() + 1
        guard next > 1 else { return }
        let count = Int64.random(in: 1...6, using: &rng)
        let stamp = HLCTimestamp(millis: 1_684_540_800_000 + Int64.random(in: 0...86_400_000, using: &rng), counter: 0)
        let ops = (next..<next + count).map { seq in
            Op(replica: me, seq: seq, timestamp: stamp, activity: ActivityID(replica: me, seq: next),
               change: .add(metric: "attendance", amount: Int64.random(in: -50...50, using: &rng)))
        }
        let writer = ReplicaID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) })!
        let bytes: [UInt8]
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: bytes = (0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 1: bytes = OperationFile.encode(ops, township: try store.identity().township, writer: writer)
        default:
            let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            bytes = OperationFile.encode(ops, township: try store.identity().township, writer: writer,
                                         seal: try Store.sealRuns(ops, key: key).first)
        }
        let dir = folder + "/ops/" + me.hex
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let name = OperationFile.name(first: next, last: next + count - 1,
                                      writer: Bool.random(using: &rng) ? writer : me)
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/" + name))
    }

    public func run(in lab: ReplicaLab, hub makeHub: HubFactory) async throws -> Outcome {
        var rng = SeededGenerator(seed: seed)
        var mismatches: [String] = []
        let count = Int.random(in: 2...5, using: &rng)
        var stores: [Store] = []
        var newer: [Bool] = []
        for i in 0..<count {
            let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let township = Self.townships[i % 2 == 0 || count == 2 ? 0 : 1]
            // Some offices already run a newer ktx, whose operations the others keep and relay.
            newer.append(i > 0 && Int.random(in: 0..<3, using: &rng) == 0)
            let skew = Int64.random(in: -3 * 3_600_000...3 * 3_600_000, using: &rng)
            stores.append(try Store.create(at: lab.dir.file("r\(i).db"), township: township,
                                           catalog: newer[i] ? .newer : .standard,
                                           wallClock: OffsetClock(lab.clock, offset: skew), key: key))
        }
        // The county's replica: the only one that enters manual indicator values.
        let county = try Store.create(at: lab.dir.file("county.db"), township: Self.county, role: .county, wallClock: lab.clock,
                                      key: (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) })
        stores.append(county)
        newer.append(false)
        let steps = Int.random(in: 10...40, using: &rng)
        var recorded = 0
        var backups: [Int: String] = [:]
        var files = stores.count
        for _ in 0..<steps {
            lab.clock.advance(by: Int64.random(in: 0...2, using: &rng))
            let store = stores.randomElement(using: &rng)!
            let trace = ProcessInfo.processInfo.environment["KTX_DEBUG_SEED"] != nil
            func note(_ s: String) { if trace { print("step", stores.firstIndex { $0.path == store.path } ?? -1, (try? store.identity().replica.short) ?? "", s) } }
            let mine = try store.identity().township
            let live = try store.activities().filter { $0.township == mine }
            let kinds = store.catalog.kinds.map(\.code)
            if yearClose, Int.random(in: 0..<4, using: &rng) == 0 {
                // The year's close racing the edits: a step where it is allowed, or refused
                // before writing where it is not (a county submitting, approving what it has
                // not seen submitted).
                let township = Self.townships.randomElement(using: &rng)!
                do {
                    switch Int.random(in: 0..<10, using: &rng) {
                    case 0..<4:
                        // An office submits (the county's PC may try too, and is refused).
                        let office = Int.random(in: 0..<5, using: &rng) == 0 ? county : stores.dropLast().randomElement(using: &rng)!
                        note("submit")
                        try office.submitYear(2023)
                        try await sync(office, makeHub, rng: &rng)
                    case 4..<7:
                        // The county syncs, then approves what it has seen submitted.
                        note("approve \(township)")
                        try await sync(county, makeHub, rng: &rng)
                        try county.approveYear(2023, township: township)
                    case 7: note("return \(township)"); try county.returnYear(2023, township: township, reason: "缺少签到表")
                    case 8:
                        // One activity's amendments, accepted by its id.
                        if let one = try county.amendments(year: 2023).randomElement(using: &rng) {
                            note("accept \(one.operation.activity.rawValue)")
                            try county.acceptAmendments(year: 2023, activities: [one.operation.activity])
                        }
                    default: note("accept"); try county.acceptAmendments(year: 2023)
                    }
                } catch let error as KtxError where error.isBadInput {
                    note("  refused: \(error.en)")
                }
                continue
            }
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<30:
                var quantities = ["attendance": Int64.random(in: 0...100, using: &rng), "schools": Int64.random(in: 0...2, using: &rng)]
                if store.catalog.metric(code: "volunteers") != nil { quantities["volunteers"] = Int64.random(in: 0...9, using: &rng) }
                recorded += 1
                note("record")
                try store.record(ActivityDraft(
                    kind: kinds.randomElement(using: &rng)!,
                    date: "2023-\(String(format: "%02d", Int.random(in: 1...12, using: &rng)))-15",
                    title: "活动\(rng.next() % 1000)",
                    quantities: quantities))
            case 30..<55 where !live.isEmpty:
                let target = live.randomElement(using: &rng)!
                let amount = Int64.random(in: -20...50, using: &rng)
                if (target.quantities["attendance"] ?? 0) + amount >= 0 {
                    try store.add(to: target.id, amount: amount)
                } else if (try? store.add(to: target.id, amount: amount)) != nil {
                    mismatches.append("a change making attendance negative was accepted")
                }
            case 55..<70 where !live.isEmpty:
                let target = live.randomElement(using: &rng)!
                switch Int.random(in: 0..<5, using: &rng) {
                case 0: try store.edit(target.id, ActivityEdit(title: "改\(rng.next() % 100)"))
                case 3: try store.edit(target.id, ActivityEdit(project: ["", "P1", "P2"].randomElement(using: &rng)!))
                case 1: try store.edit(target.id, ActivityEdit(date: "2023-0\(Int.random(in: 1...9, using: &rng))-01"))
                case 2: try store.edit(target.id, ActivityEdit(kind: kinds.randomElement(using: &rng)!))
                default: try store.edit(target.id, ActivityEdit(venue: "村\(rng.next() % 10)"))
                }
            case 70..<75 where !live.isEmpty:
                try store.delete(live.randomElement(using: &rng)!.id)
            case 80..<83:
                // The database is copied to a second PC, which goes on recording.
                let i = Int.random(in: 0..<stores.count - 1, using: &rng)
                if trace { print("copy", i) }
                try stores[i].checkpoint()
                let path = lab.dir.file("r\(files).db")
                files += 1
                try FileManager.default.copyItem(atPath: stores[i].path, toPath: path)
                stores.insert(try Store.open(at: path, catalog: stores[i].catalog,
                                             wallClock: OffsetClock(lab.clock, offset: Int64.random(in: -3_600_000...3_600_000, using: &rng))),
                              at: stores.count - 1)
                newer.insert(newer[i], at: newer.count - 1)
            case 83..<86:
                // A backup of a PC's database, restored later.
                let i = Int.random(in: 0..<stores.count - 1, using: &rng)
                if trace { print(backups[i] == nil ? "backup" : "restore", i) }
                if let backup = backups[i] {
                    // The PC's disk fails after its last sync; its backup comes back.
                    _ = try await SyncSession(store: stores[i], hub: try await makeHub(stores[i])).run()
                    stores[i] = try Store.open(at: backup, catalog: stores[i].catalog,
                                               wallClock: OffsetClock(lab.clock, offset: Int64.random(in: -3_600_000...3_600_000, using: &rng)))
                    backups[i] = nil
                } else {
                    try stores[i].checkpoint()
                    let path = lab.dir.file("r\(files).db")
                    files += 1
                    try FileManager.default.copyItem(atPath: stores[i].path, toPath: path)
                    backups[i] = path
                }
            case 86..<92 where adversaryFolder != nil:
                note("forge")
                try Self.forge(in: adversaryFolder!, for: stores.randomElement(using: &rng)!, rng: &rng)
            case 75..<80:
                let indicator = ["科技特派员覆盖率", "满意度"].randomElement(using: &rng)!
                try county.setIndicator(IndicatorKey(year: 2023, project: "rural", indicator: indicator), value: String(rng.next() % 101))
            default:
                note("sync")
                try await sync(store, makeHub, rng: &rng)
            }
        }
        for _ in 0..<2 {
            for store in stores.shuffled(using: &rng) {
                let report = try await SyncSession(store: store, hub: try await makeHub(store), batchSize: 3).run()
                if ProcessInfo.processInfo.environment["KTX_DEBUG_SEED"] != nil {
                    print("final sync", stores.firstIndex { $0.path == store.path } ?? -1, (try? store.identity().replica.short) ?? "",
                          "refused", report.refused.map { "\($0.replica.short)#\($0.seq) \($0.reason)" },
                          "held", report.held.map { "\($0.replica.short)#\($0.seq)" }, "warnings", report.warnings.map(\.detail),
                          "pushRefusals", report.pushRefusals.map(\.en), report.continuation.map { "continued as \($0.replica.short)" } ?? "")
                }
            }
        }
        if ProcessInfo.processInfo.environment["KTX_DEBUG_SEED"] != nil {
            for (i, store) in stores.enumerated() {
                let me = try store.identity().replica
                print("own log", i, try store.log().filter { $0.operation.replica == me }.map { "\($0.operation.seq):\($0.operation.timestamp.rawValue % 100000):\($0.operation.activity)" })
                print("vector", i, try store.identity().replica.short, try await store.versionVector().map { "\($0.key.short)=\($0.value)" }.sorted())
            }
        }
        mismatches += try checkAgainstMergeRules(stores[0], rng: &rng)
        for (i, store) in stores.enumerated() {
            // Per township (`total_cell`), summed over townships (`county_cell`) and over
            // projects and months (`township_cell`).
            for keys: [GroupKey] in [[.township, .kind, .month], [.kind, .month], [.township, .kind]] {
                if try await store.totals(by: keys) != store.totalsFromActivities(by: keys) {
                    mismatches.append("replica \(i): the kept totals by \(keys) differ from its activity rows")
                }
            }
        }
        var totals: [[TotalsRow]] = []
        for store in stores { totals.append(try await store.totals(by: [.township, .kind, .quarter])) }
        // An older office upgraded to the newer ktx counts what it kept and relayed.
        if let newest = newer.firstIndex(of: true) {
            for (i, store) in stores.enumerated() where !newer[i] {
                let upgraded = try Store.open(at: store.path, catalog: .newer, wallClock: lab.clock)
                if try await upgraded.totals(by: [.township, .kind, .quarter]) != totals[newest] {
                    mismatches.append("replica \(i), upgraded and rebuilt, differs from the newer replicas' totals")
                }
            }
        }
        let activities = Set(try stores[0].log().filter { !$0.operation.change.isIndicator && !YearClose.names($0.operation) }.map(\.operation.activity))
        if yearClose, ProcessInfo.processInfo.environment["KTX_DEBUG_SEED"] != nil {
            print("seed", seed, "standings", try stores[0].yearStandings(2023).map { "\($0.township)=\($0.standing.state)" },
                  "amendments", try stores[0].amendments(year: 2023).count)
        }
        return Outcome(digests: try stores.map { try $0.stateDigest() }, totals: totals,
                       ruleMismatches: mismatches, newer: newer, recorded: recorded, kept: activities.count)
    }

    /// Syncs one replica, sometimes cut off part way, sometimes twice in a row.
    func sync(_ store: Store, _ makeHub: HubFactory, rng: inout SeededGenerator) async throws {
        let batch = Int.random(in: 1...6, using: &rng)
        let hub = try await makeHub(store)
        if Int.random(in: 0..<4, using: &rng) == 0 {
            let cut = InterruptingHub(hub, calls: Int.random(in: 1...4, using: &rng))
            do { _ = try await SyncSession(store: store, hub: cut, batchSize: batch).run() } catch is InterruptingHub.Cut {}
        } else {
            let report = try await SyncSession(store: store, hub: hub, batchSize: batch).run()
            if ProcessInfo.processInfo.environment["KTX_DEBUG_SEED"] != nil, let c = report.continuation {
                print("  continued", c.previous.short, "as", c.replica.short, "after", c.published, "reissued", c.operations, "pushed", report.pushed)
            }
        }
        if Int.random(in: 0..<5, using: &rng) == 0 {
            _ = try await SyncSession(store: store, hub: try await makeHub(store), batchSize: batch).run()
        }
    }

    /// Recomputes totals and fields from the log with the pure merge rules, applied in a
    /// random order, and lists where the store differs.
    func checkAgainstMergeRules(_ store: Store, rng: inout SeededGenerator) throws -> [String] {
        var out: [String] = []
        var states: [ActivityID: ActivityState] = [:]
        // Amendments to an approved year are left out of its figures.
        let amendments = Set(try store.amendments(year: 2023).map { "\($0.operation.replica.hex):\($0.operation.seq)" })
        for entry in try store.log().shuffled(using: &rng) where !entry.operation.change.isIndicator
            && !YearClose.names(entry.operation) && !amendments.contains("\(entry.operation.replica.hex):\(entry.operation.seq)") {
            MergeRules.apply(entry.operation, to: &states[entry.operation.activity, default: ActivityState()])
        }
        // What this replica's catalog knows counts; a newer ktx's kinds and metrics do not.
        let live = states.values.filter { !$0.deleted && ($0[.kind].map { store.catalog.kind(code: $0) != nil } ?? true) }
        let expectedAttendance = live.reduce(Int64(0)) { $0 + ($1.quantities["attendance"] ?? 0) }
        let totals = try store.totals().first
        if totals?.activities != Int64(live.count) { out.append("activities \(totals?.activities ?? -1), rules give \(live.count)") }
        if (totals?.quantities["attendance"] ?? 0) != expectedAttendance {
            out.append("attendance \(totals?.quantities["attendance"] ?? 0), rules give \(expectedAttendance)")
        }
        for (id, state) in states where !state.deleted {
            let record = try store.activity(id)
            if record?.title != state[.title] || record?.date != state[.date] || record?.kind != state[.kind] {
                out.append("activity \(id) differs from the rules")
            }
        }
        return out
    }
}
