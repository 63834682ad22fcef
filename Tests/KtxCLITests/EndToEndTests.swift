import Foundation
import Testing
import TestSupport

/// Runs the built `ktx` binary the way township clerks and county staff do.
@Suite struct EndToEndTests {
    @Test func threeTownshipsAndACountyEndWithTheSameTotals() throws {
        let dir = TemporaryDirectory("e2e")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path)
        let offices = ["河西镇", "东街镇", "尖冢镇"]
        _ = try ktx.ok(["init", "--db", "county.db", "--township", "县科协"])
        let made = try ktx.ok(["hub", "init", "hub", "--db", "county.db", "--lang", "en"])
        #expect(made.hasPrefix("made hub folder \(dir.path)/hub, governed by this replica (县科协), county key "))
        for (i, township) in offices.enumerated() {
            let id = try ktx.ok(["init", "--db", "t\(i).db", "--township", township])
            #expect(id.count == 32)
            try ktx.ok(["remote", "add", "county", "hub", "--db", "t\(i).db"])
        }
        try ktx.ok(["remote", "add", "county", "hub", "--db", "county.db"])

        // Offline: each township records its activities.
        var expectedAttendance = 0
        var expectedSchools = 0
        for (i, _) in offices.enumerated() {
            let db = ["--db", "t\(i).db"]
            let rural = try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-0\(i + 3)-10", "--title", "果树修剪培训",
                                    "--venue", "村委会", "--attendance", "\(100 + i)", "--techniques", "1"] + db)
            let youth = try ktx.ok(["record", "--kind", "youth", "--date", "2023-09-2\(i)", "--title", "青少年科普日进校园",
                                    "--attendance", "300", "--schools", "2"] + db)
            try ktx.ok(["attend", rural, "25"] + db)
            try ktx.ok(["attend", rural, "-5"] + db)
            try ktx.ok(["edit", youth, "--title", "青少年科普日（更正）"] + db)
            let mistake = try ktx.ok(["record", "--kind", "museum", "--date", "2023-07-01", "--title", "录错了",
                                      "--attendance", "999"] + db)
            try ktx.ok(["delete", mistake, "--yes"] + db)
            expectedAttendance += 100 + i + 20 + 300
            expectedSchools += 2
        }
        // Sync in turn; the first township syncs again to pick up the others.
        // Their first syncs leave enrolment requests, which the county approves.
        for i in [0, 1, 2] { try ktx.ok(["sync", "--db", "t\(i).db"]) }
        let requests = try ktx.ok(["hub", "requests", "hub", "--db", "county.db", "--format", "json"])
        #expect(offices.allSatisfy { requests.contains("\"township\": \"\($0)\"") })
        try ktx.ok(["hub", "approve", "county", "--all", "--db", "county.db"])
        for i in [0, 1, 2, 0, 1] { try ktx.ok(["sync", "--db", "t\(i).db"]) }
        let countySync = try ktx.ok(["sync", "--db", "county.db", "--format", "json"])
        #expect(countySync.contains("\"pushed\": 0"))

        let dbs = (0..<3).map { "t\($0).db" } + ["county.db"]
        for by in [[], ["--by", "township,kind,quarter"], ["--by", "month"]] {
            let outputs = try dbs.map { try ktx.ok(["totals", "--format", "json", "--db", $0] + by) }
            #expect(Set(outputs).count == 1, "totals \(by) differ between replicas")
        }
        let totals = try JSONSerialization.jsonObject(with: Data(try ktx.ok(["totals", "--format", "json", "--db", "county.db"]).utf8)) as! [[String: Any]]
        #expect(totals.count == 1)
        #expect(totals[0]["activities"] as? Int == 6)
        #expect(totals[0]["attendance"] as? Int == expectedAttendance)
        #expect(totals[0]["schools"] as? Int == expectedSchools)
        #expect(totals[0]["techniques"] as? Int == 3)

        let grouped = try JSONSerialization.jsonObject(with: Data(try ktx.ok(["totals", "--by", "township,kind", "--format", "json", "--db", "t2.db"]).utf8)) as! [[String: Any]]
        let first = try #require(grouped.first { $0["township"] as? String == "东街镇" && $0["kind"] as? String == "科技下乡" })
        #expect(first["attendance"] as? Int == 121)
        #expect(Array(first.keys).contains("quarter") == false)

        // Every replica also agrees on the full state, and `ktx status` says nothing is unsynced.
        let digests = try dbs.map { try ktx.ok(["status", "--format", "json", "--db", $0]) }
            .map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(Set(digests.map { $0["state_digest"] as! String }).count == 1)
    }

    @Test func theDatabaseComesFromKtxDBThenXDGDataHome() throws {
        let dir = TemporaryDirectory("env")
        defer { dir.remove() }
        let viaXDG = KtxProcess(workingDirectory: dir.path, environment: ["XDG_DATA_HOME": dir.file("xdg")])
        _ = try viaXDG.ok(["init", "--township", "河西镇"])
        #expect(FileManager.default.fileExists(atPath: dir.file("xdg/ktx/ktx.db")))
        let viaEnv = KtxProcess(workingDirectory: dir.path, environment: ["XDG_DATA_HOME": dir.file("xdg"), "KTX_DB": dir.file("env.db")])
        _ = try viaEnv.ok(["init", "--township", "东街镇"])
        #expect(try viaEnv.ok(["status", "--format", "json"]).contains("东街镇"))
        #expect(try viaXDG.ok(["status", "--format", "json"]).contains("河西镇"))
    }

    @Test func tablesAlignChineseTextByDisplayWidth() throws {
        let dir = TemporaryDirectory("table")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        _ = try ktx.ok(["init", "--township", "河西镇"])
        _ = try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪培训", "--attendance", "120"])
        _ = try ktx.ok(["record", "--kind", "training", "--date", "2023-06-01", "--title", "AI basics", "--attendance", "35"])
        let table = try ktx.ok(["totals", "--by", "kind"])
        #expect(table == """
            类型      活动数  参加人次
            --------  ------  --------
            科技下乡       1       120
            科技培训       1        35
            """)
        let english = try ktx.ok(["totals", "--by", "kind", "--lang", "en"])
        #expect(english == """
            kind                             activities  attendance
            -------------------------------  ----------  ----------
            Science to the countryside                1         120
            Science and technology training           1          35
            """)
    }

    /// A replica written by ktx 0.1 is upgraded the first time it is opened, and the clerk
    /// is told so (on stderr, once); its totals come through.
    @Test func anOldReplicaIsUpgradedOnceAndTheClerkIsTold() throws {
        let dir = TemporaryDirectory("e2e-upgrade")
        defer { dir.remove() }
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/v0.1-county.db").path
        try FileManager.default.copyItem(atPath: fixture, toPath: dir.file("old.db"))
        let ktx = KtxProcess(workingDirectory: dir.path)
        let first = try ktx.run(["totals", "--db", "old.db", "--lang", "en"])
        #expect(first.status == 0)
        #expect(first.stderr.contains("upgrading the database to this version's format"))
        #expect(first.stdout.contains("1310"))
        let second = try ktx.run(["totals", "--db", "old.db", "--lang", "en"])
        #expect(second.status == 0)
        #expect(second.stderr.isEmpty)
        #expect(second.stdout == first.stdout)
        let zh = try ktx.run(["totals", "--db", dir.file("old.db")])
        #expect(!zh.stderr.contains("升级"))
    }
}
