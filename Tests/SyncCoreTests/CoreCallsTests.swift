import CoreCalls
import Foundation
import Testing
import TestSupport

@testable import SyncCore

/// The core's calls (the web app's door to KtxCore) answer as the core does, and their answers
/// are written out as conformance vectors: `node --test Tests/webapp` asks `ktx-core.wasm` the
/// same requests and must get the same bytes back (`.ci/run` sets `KTX_CONFORMANCE_OUT`).
@Suite struct CoreCallsTests {
    static let replicas = (0..<3).map { ReplicaID(bytes: Array(repeating: UInt8($0 * 40 + 7), count: 16)) }.compactMap { $0 }
    static let townships = ["河西镇", "东街镇", "  白 云 乡  "]
    static let titles = ["科技下乡：果树修剪", "青少年科普日", "a\u{202E}b", "", String(repeating: "长", count: 201), "line\nbreak", "emoji 🚜 ok"]

    /// Operations of one replica, as rows, from a seeded generator: sets, additions, deletes,
    /// on a few shared activities, with some texts the rule refuses.
    static func rows(_ replica: ReplicaID, count: Int, clean: Bool = false, _ rng: inout SeededGenerator) -> [[Any]] {
        var rows: [[Any]] = []
        let activities = (1...3).map { ActivityID(replica: replicas[$0 % replicas.count], seq: Int64($0)).rawValue }
        for seq in 1...Int64(count) {
            let hlc = HLCTimestamp(millis: 1_700_000_000_000 + Int64.random(in: 0..<100_000, using: &rng), counter: UInt16.random(in: 0..<3, using: &rng))
            let activity = activities.randomElement(using: &rng) ?? activities[0]
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...3:
                let field = ["township", "title", "date", "venue", "kind"].randomElement(using: &rng) ?? "title"
                let value = field == "township" ? (clean ? Array(townships.prefix(2)) : townships).randomElement(using: &rng) ?? "" :
                    field == "date" ? (clean ? ["2023-04-01", "2024-12-31"] : ["2023-04-01", "2023-02-30", "2024-12-31"]).randomElement(using: &rng) ?? "" :
                    field == "kind" ? (clean ? ["rural", "youth_day"] : ["rural", "youth_day", "Bad Code"]).randomElement(using: &rng) ?? "" :
                    (clean ? Array(titles.prefix(2)) + ["emoji 🚜 ok"] : titles).randomElement(using: &rng) ?? ""
                rows.append([seq, String(hlc.rawValue), activity, 0, field, value])
            case 4...7:
                let metric = (clean ? ["attendance", "cost", "unknown_metric"] : ["attendance", "cost", "unknown_metric", "BAD"]).randomElement(using: &rng) ?? "attendance"
                rows.append([seq, String(hlc.rawValue), activity, 1, metric, Int64.random(in: -500...(clean ? 100_000 : 2_000_000_000_000), using: &rng)])
            case 8:
                rows.append([seq, String(hlc.rawValue), activity, 2, "", NSNull()])
            default:
                rows.append([seq, String(hlc.rawValue), activity, 0, "notes", "备注 \(seq)"])
            }
        }
        return rows
    }

    static var metrics: [[String: Any]] { Catalog.standard.metrics.map { ["code": $0.code, "scale": $0.scale] } }

    /// The requests of the vectors: every call, seeded operations, and malformed requests.
    static func requests() -> [String] {
        var rng = SeededGenerator(seed: 20261207)
        var out: [Any] = []
        var logs: [[String: Any]] = []
        for replica in replicas {
            let rows = rows(replica, count: 40, &rng)
            out.append(["call": "check", "replica": replica.hex, "metrics": metrics, "rows": rows])
            out.append(["call": "check", "replica": replica.hex, "rows": rows])
            logs.append(["replica": replica.hex, "rows": Self.rows(replica, count: 60, clean: true, &rng)])
        }
        out.append(["call": "merge", "metrics": metrics, "logs": logs])
        out.append(["call": "merge", "metrics": metrics, "logs": Array(logs.reversed())])
        out.append(["call": "merge", "logs": logs])
        for last in ["0", "111411200000000000", String(HLCTimestamp(millis: 1_700_000_000_000, counter: UInt16.max).rawValue)] {
            for now: Int64 in [0, 1_700_000_000_000, 1_800_000_000_000] { out.append(["call": "tick", "last": last, "now": now]) }
        }
        for text in ["120", "1,200", "1234.5", "1234.567", "120人", "１２０", "12.5", "-5", "+7", "1,20", "", "abc", "99999999999999"] {
            for scale in [1, 100] { out.append(["call": "amount", "scale": scale, "text": text]) }
        }
        for text in ["2023-04-01", "2023/4/1", "2023年4月1日", "２０２３．４．１", "2023-02-30", "2023-13-01", "1899-01-01", "tomorrow"] {
            out.append(["call": "date", "text": text])
        }
        out.append(["call": "seal-message", "replica": replicas[0].hex, "first": 1, "last": 40,
                    "prev": String(repeating: "ab", count: 32), "digest": String(repeating: "cd", count: 32)])
        out.append(["call": "unpack", "replica": replicas[0].hex, "first": 1, "chunk": "00ff"])
        out += pageRequests(&rng)
        var texts = out.map { String(decoding: (try? JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys])) ?? Data(), as: UTF8.self) }
        texts += ["not json", "{\"call\":\"tick\"}", "{\"call\":\"nope\"}", "[1,2", "{\"call\":\"check\",\"replica\":\"xyz\",\"rows\":[]}",
                  "{\"call\":\"date\",\"text\":\"\\ud83d\\ude9c\"}", "{\"call\":\"date\",\"text\":\"\\ud83d\"}"]
        return texts
    }

    /// A page's replica in the order the app asks it: open, entries recorded, one corrected and
    /// one deleted, and the performance report of a year (whole, and through June) against a
    /// table with every kind of computation; the wasm answers them in the same order.
    static func pageRequests(_ rng: inout SeededGenerator) -> [Any] {
        var out: [Any] = [["call": "open", "replica": replicas[0].hex, "township": "河西镇", "metrics": metrics, "clock": "0"]]
        let now: Int64 = 1_700_000_000_000
        var ids: [String] = []
        for i in 0..<30 {
            var quantities: [String: String] = [:]
            for metric in ["attendance", "beneficiaries", "cost", "surveyed"] where Bool.random(using: &rng) {
                quantities[metric] = metric == "cost" ? "\(Int.random(in: 0...900, using: &rng)).\(Int.random(in: 10...99, using: &rng))" : String(Int.random(in: 0...300, using: &rng))
            }
            if let surveyed = quantities["surveyed"].flatMap({ Int($0) }) { quantities["satisfied"] = String(surveyed * 9 / 10) }
            out.append(["call": "record", "kind": ["rural", "youth_day", "training", "mobile_museum"].randomElement(using: &rng) ?? "rural",
                        "date": "2023-\(Int.random(in: 1...12, using: &rng))-\(Int.random(in: 1...28, using: &rng))", "title": "活动 \(i)",
                        "project": i % 5 == 0 ? "P1" : "", "quantities": quantities, "now": String(now + Int64(i) * 60_000)])
        }
        var probe: PageReplica?
        let answers = out.map { request in
            CoreCall.answer((try? JSONSerialization.data(withJSONObject: request)).map { Array($0) } ?? [], page: &probe)
        }
        ids = answers.compactMap { answer in try? JSONText.parse(Array(answer.utf8))["activity"]?.string }
        out.append(["call": "change", "activity": ids[0], "fields": ["date": "2023-11-30"], "add": ["attendance": "5"], "now": String(now + 3_600_000)])
        out.append(["call": "delete", "activity": ids[1], "now": String(now + 3_700_000)])
        func indicator(_ name: String, _ comparator: String, _ target: String, _ unit: String, _ computation: String) -> [String: Any] {
            ["level1": "产出指标", "level2": "数量指标", "name": name, "description": name, "comparator": comparator, "target": target,
             "targetText": target, "unit": unit, "computation": computation]
        }
        let targets: [String: Any] = ["year": 2023, "unit": "临西县科学技术协会本级", "projects": [
            ["key": "all", "name": "全部活动", "budget": "2", "kinds": ["rural", "youth_day", "training", "mobile_museum"],
             "plan": [["month": 3, "amount": "0.5"], ["month": 6, "amount": "1"], ["month": 12, "amount": "2"]],
             "indicators": [indicator("人次", "≥", "2000", "人次", "sum:attendance"), indicator("最多", "≥", "150", "人次", "max:attendance"),
                            indicator("次数", "≥", "12", "次", "count"), indicator("满意度", "≥", "90", "%", "ratio:satisfied/surveyed"),
                            indicator("成本", "≤", "0.5", "万元", "cost"), indicator("季度成本", "≤", "0.2", "万元", "cost_per_quarter"),
                            indicator("完成时间", "≤", "4", "季度", "quarter"), indicator("执行率", "≥", "95", "%", "budget_rate"),
                            indicator("覆盖率", "≥", "90", "%", "manual")]],
            ["key": "p1", "name": "编码项目", "kinds": ["rural"], "activityProject": "P1", "plan": [],
             "indicators": [indicator("人次", "≥", "100", "人次", "sum:attendance")]],
        ]]
        out.append(["call": "report", "targets": targets])
        out.append(["call": "report", "targets": targets, "through": 6])
        out.append(["call": "report", "targets": ["year": 2023, "projects": [["key": "x"]]]])
        return out
    }

    @Test func theCallsAnswerAsTheCoreDoes() throws {
        let requests = Self.requests()
        var vectors: [[String: String]] = []
        var page: PageReplica?
        for request in requests {
            let answer = CoreCall.answer(Array(request.utf8), page: &page)
            vectors.append(["request": request, "answer": answer])
            try expectAgreesWithTheCore(request, answer)
        }
        // Merging the logs in either order gives the same activities.
        let merges = vectors.filter { $0["request"]?.contains("\"merge\"") == true }.compactMap { $0["answer"] }
        #expect(merges.count == 3 && activities(merges[0]) == activities(merges[1]))
        #expect(merges.first?.contains("\"activities\":[{") == true)
        if let path = ProcessInfo.processInfo.environment["KTX_CONFORMANCE_OUT"] {
            let data = try JSONSerialization.data(withJSONObject: vectors, options: [.prettyPrinted, .sortedKeys])
            try data.write(to: URL(fileURLWithPath: path))
        }
    }

    func activities(_ answer: String) -> String? {
        answer.range(of: "\"activities\"").map { String(answer[$0.lowerBound...]) }
    }

    /// Each answer against the core (and SyncCore's Foundation decoding) asked directly.
    func expectAgreesWithTheCore(_ request: String, _ answer: String) throws {
        let req = (try? JSONSerialization.jsonObject(with: Data(request.utf8))) as? [String: Any]
        let ans = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
        switch req?["call"] as? String {
        case "check":
            guard let hex = req?["replica"] as? String, let replica = ReplicaID(hex: hex), let rows = req?["rows"] as? [[Any]] else {
                #expect(ans?["error"] as? String == "bad-request")
                return
            }
            let rule = req?["metrics"] == nil ? AcceptanceRule(catalog: Catalog(version: 0, kinds: [], metrics: [], rules: [])) : AcceptanceRule.standard
            let verdicts = ans?["verdicts"] as? [Any] ?? []
            #expect(verdicts.count == rows.count)
            for (row, verdict) in zip(rows, verdicts) {
                var wireRow = row
                wireRow[1] = Int64(row[1] as? String ?? "") ?? 0
                let wire = try JSONDecoder().decode(WireOp.self, from: JSONSerialization.data(withJSONObject: wireRow))
                let expected: String? = { do throws(RefusalReason) { _ = try wire.accepted(replica: replica, by: rule); return nil } catch { return error.rawValue } }()
                #expect((verdict as? String) == expected, "\(row)")
            }
        case "tick" where req?["last"] == nil || req?["now"] == nil:
            #expect(ans?["error"] as? String == "bad-request")
        case "tick":
            var clock = HybridClock(last: HLCTimestamp(rawValue: Int64(req?["last"] as? String ?? "") ?? 0))
            let next = clock.tick(now: req?["now"] as? Int64 ?? 0)
            #expect(ans?["hlc"] as? String == String(next.rawValue))
        case "amount":
            let scale = req?["scale"] as? Int64 ?? 1
            let metric = Metric(code: "x", name: "", english: "x", unit: "", scale: scale)
            #expect((ans?["amount"] as? Int64) == metric.parse(req?["text"] as? String ?? ""))
        case "date":
            if case .success(let day) = TypedInput.date(req?["text"] as? String ?? "") {
                #expect(ans?["date"] as? String == day.description)
            } else {
                #expect(ans?["problem"] != nil)
            }
        case "seal-message":
            let seal = RunSeal(first: 1, last: 40, prev: Array(repeating: 0xab, count: 32), digest: Array(repeating: 0xcd, count: 32), key: [], signature: [])
            #expect(ans?["message"] as? String == Hex.string(seal.message(replica: Self.replicas[0])))
        case "unpack":
            #expect(ans?["error"] as? String == "damaged")
        case "merge", "open", "record", "change", "delete":
            #expect(ans?["error"] == nil, "\(request) → \(answer)")
        case "report" where (req?["targets"] as? [String: Any])?["unit"] == nil:
            #expect(ans?["error"] as? String == "bad-targets")
        case "report":
            try expectReportAgrees(request, answer)
        default:
            #expect(ans?["error"] != nil, "\(request) → \(answer)")
        }
    }

    /// Packing rows and unpacking them gives the rows back, timestamps as strings.
    @Test func packedRowsComeBackAsTheyWent() throws {
        let replica = Self.replicas[1]
        var rng = SeededGenerator(seed: 7)
        let rows = Self.rows(replica, count: 25, &rng)
        let request = try JSONSerialization.data(withJSONObject: ["call": "pack", "replica": replica.hex, "rows": rows])
        let packed = try JSONSerialization.jsonObject(with: Data(CoreCall.answer(Array(request)).utf8)) as? [String: Any]
        let chunk = try #require(packed?["chunk"] as? String)
        let ops = try OpChunk.decode(try #require(Hex.bytes(chunk)), replica: replica, firstSeq: 1)
        #expect(ops.count == 25)
        let back = try JSONSerialization.data(withJSONObject: ["call": "unpack", "replica": replica.hex, "first": 1, "chunk": chunk])
        let unpacked = try JSONSerialization.jsonObject(with: Data(CoreCall.answer(Array(back)).utf8)) as? [String: Any]
        let returned = try #require(unpacked?["rows"] as? [[Any]])
        #expect(returned.count == rows.count)
        for (a, b) in zip(rows, returned) {
            #expect(String(describing: a[0]) == String(describing: b[0]) && (a[1] as? String) == (b[1] as? String) && (a[2] as? String) == (b[2] as? String))
        }
    }

    /// A report call's answer against the performance rules asked directly over the page's
    /// activities (read back with the `activities` call's state), with the targets as sent.
    func expectReportAgrees(_ request: String, _ answer: String) throws {
        let parsed = try JSONText.parse(Array(request.utf8))
        let targets = try #require(parsed["targets"].flatMap(TargetsText.targets))
        let ans = try JSONSerialization.jsonObject(with: Data(answer.utf8)) as? [String: Any]
        let projects = try #require(ans?["projects"] as? [[String: Any]], "\(answer)")
        #expect(projects.count == targets.projects.count)
        let all = try #require(projects.first)
        #expect((all["activities"] as? Int64 ?? 0) == 29 || parsed["through"] != nil)
        let statuses = (all["indicators"] as? [[String: Any]] ?? []).compactMap { $0["status"] as? String }
        #expect(statuses.count == 9 && statuses.last == "pending")
        // Values as the rules give them for sums the test adds up itself.
        let verdict = Performance.evaluate(targets.projects[0].indicators[0], actual: Double((all["indicators"] as? [[String: Any]])?.first?["actual"] as? String ?? "") ?? -1)
        #expect(statuses.first == verdict.status.rawValue)
    }
}
