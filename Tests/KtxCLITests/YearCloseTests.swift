import Foundation
import Testing
import TestSupport

/// The year's close through the built binary (issue 30): a township submits, the county
/// returns it with a reason or approves it, and closes its own year; every PC sees where each
/// year stands, through a governed folder and over HTTP alike.
@Suite struct YearCloseTests {
    enum Way: String, CaseIterable, CustomTestStringConvertible {
        case folder, http
        var testDescription: String { rawValue }
    }

    /// A county PC, 河西镇's PC and 东街镇's, each with one activity of 2023, synced through
    /// `way` (a governed folder with both offices enrolled, or `ktx hub serve` with tokens).
    final class County {
        let dir: TemporaryDirectory
        let county: KtxProcess
        let hexi: KtxProcess
        let dongjie: KtxProcess
        var server: KtxServer?

        init(_ way: Way) throws {
            dir = TemporaryDirectory("year-\(way.rawValue)")
            county = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
            hexi = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("hx.db")])
            dongjie = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("dj.db")])
            try county.ok(["init", "--county"])
            try hexi.ok(["init", "--township", "河西镇"])
            try dongjie.ok(["init", "--township", "东街镇"])
            switch way {
            case .folder:
                try county.ok(["hub", "init", dir.file("hub")])
                for pc in [county, hexi, dongjie] { try pc.ok(["remote", "add", "hub", dir.file("hub")]) }
            case .http:
                let admin = KtxProcess(workingDirectory: dir.path)
                let tokens = [
                    try admin.ok(["hub", "token", "create", "--db", "hub.db", "--role", "county"]),
                    try admin.ok(["hub", "token", "create", "--db", "hub.db", "--role", "township", "--township", "河西镇"]),
                    try admin.ok(["hub", "token", "create", "--db", "hub.db", "--role", "township", "--township", "东街镇"]),
                ].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
                let server = try KtxServer(admin, ["--db", "hub.db"])
                self.server = server
                for (pc, token) in zip([county, hexi, dongjie], tokens) { try pc.ok(["remote", "add", "hub", server.url, "--token", token]) }
            }
            try hexi.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪", "--attendance", "120"])
            try dongjie.ok(["record", "--kind", "科技培训", "--date", "2023-06-02", "--title", "电商培训", "--attendance", "45"])
            try syncAll()
            if way == .folder {
                try county.ok(["hub", "approve", "hub", "--all"])
                try syncAll()
            }
        }

        func syncAll() throws {
            for _ in 0..<2 { for pc in [hexi, dongjie, county] { try pc.ok(["sync"]) } }
        }

        func state(_ pc: KtxProcess) throws -> String? {
            try pc.ok(["status", "--lang", "en"]).split(separator: "\n").first { $0.hasPrefix("state:") }.map(String.init)
        }

        deinit {
            server?.stop()
            dir.remove()
        }
    }

    @Test(arguments: Way.allCases) func aTownshipSubmitsTheCountyReturnsThenApprovesAndClosesItsYear(_ way: Way) throws {
        let lab = try County(way)
        let (county, hexi, dongjie) = (lab.county, lab.hexi, lab.dongjie)

        // Each step only where it belongs: refused before anything is written, saying who can.
        let before = try lab.state(hexi)
        let approveHere = try hexi.run(["approve", "--year", "2023", "--township", "河西镇", "--lang", "en"])
        #expect(approveHere.status == 64 && approveHere.stderr.contains("only the county's PCs approve or return a year"))
        let returnHere = try hexi.run(["return", "--year", "2023", "--township", "东街镇", "--reason", "x", "--lang", "zh"])
        #expect(returnHere.status == 64 && returnHere.stderr.contains("只有县科协的电脑可以批准或退回年度"))
        let countySubmits = try county.run(["submit", "--year", "2023", "--lang", "en"])
        #expect(countySubmits.status == 64 && countySubmits.stderr.contains("the county's PC does not submit a year"))
        let early = try county.run(["approve", "--year", "2023", "--township", "河西镇", "--lang", "en"])
        #expect(early.status == 64 && early.stderr.contains("河西镇 has not submitted 2023"))
        let closeEarly = try county.run(["approve", "--year", "2023", "--county", "--lang", "en"])
        #expect(closeEarly.status == 64 && closeEarly.stderr.contains("2023 is not approved yet for: 东街镇, 河西镇"), "\(closeEarly.stderr)")
        #expect(try lab.state(hexi) == before)
        #expect(try hexi.ok(["status", "--lang", "en"]).contains("2023") == false)

        // 河西镇 submits; the county sees it after a sync and returns it, saying why.
        #expect(try hexi.ok(["submit", "--year", "2023", "--lang", "en"]).contains("submitted 河西镇's 2023: 1 activities, attendance 120"))
        try lab.syncAll()
        #expect(try county.ok(["status", "--lang", "en"]).contains("河西镇 2023: submitted ("))
        #expect(try county.ok(["status", "--lang", "en"]).contains("东街镇 2023: not submitted"))
        try county.ok(["return", "--year", "2023", "--township", "河西镇", "--reason", "缺少 5 月的签到表"])
        try lab.syncAll()
        #expect(try hexi.ok(["status", "--lang", "zh"]).contains("河西镇 2023 年度：已退回（缺少 5 月的签到表），请修改后重新提交"))
        #expect(try !dongjie.ok(["status", "--lang", "en"]).contains("河西镇"))

        // Submitted again, and 东街镇 too: the county approves both, then closes its own year.
        try hexi.ok(["record", "--kind", "科技下乡", "--date", "2023-05-28", "--title", "补录签到", "--attendance", "30"])
        try hexi.ok(["submit", "--year", "2023"])
        try dongjie.ok(["submit", "--year", "2023"])
        try lab.syncAll()
        let approved = try county.ok(["approve", "--year", "2023", "--all", "--lang", "en"])
        #expect(approved.contains("approved 河西镇's 2023 (2 activities, attendance 150)"))
        #expect(approved.contains("approved 东街镇's 2023 (1 activities, attendance 45)"))
        // The county's own year closes once its form explains every deviation.
        let unexplained = try county.run(["approve", "--year", "2023", "--county", "--lang", "en"])
        #expect(unexplained.status == 64 && unexplained.stderr.contains("still need a 偏差原因分析"), "\(unexplained.stderr)")
        let listed = try #require(unexplained.stderr.split(separator: "(", maxSplits: 1).last?.split(separator: ")").first)
        for item in listed.components(separatedBy: ", ") {
            let parts = item.components(separatedBy: " · ")
            try county.ok(["indicator", "note", "--year", "2023", "--project", parts[0], "--indicator", parts[1], "汛期停办，四季度补办"])
        }
        #expect(try county.ok(["approve", "--year", "2023", "--county", "--lang", "en"]).contains("closed the county's 2023"))
        try lab.syncAll()
        #expect(try hexi.ok(["status", "--lang", "en"]).contains("河西镇 2023: approved ("))
        let again = try hexi.run(["submit", "--year", "2023", "--lang", "en"])
        #expect(again.status == 64 && again.stderr.contains("is approved by the county already"))
        let countyStatus = try county.ok(["status", "--lang", "en"])
        #expect(countyStatus.contains("东街镇 2023: approved (") && countyStatus.contains("the county's 2023: closed"))
        // Every PC holds the same steps.
        #expect(try Set([lab.state(county), lab.state(hexi), lab.state(dongjie)]).count == 1)
        // The hub says it too: the folder read through, or the HTTP hub's status.
        let hub = try county.ok(["hub", "status", "hub", "--lang", "en"])
        #expect(hub.contains("河西镇 2023: approved (") && hub.contains("东街镇 2023: approved ("), "\(hub)")
    }

    /// Approved figures hold: after the county approves 河西镇's 2023, the township's later
    /// changes to it (more attendance, an edit, a new activity dated 2023) are amendments, kept
    /// and synced but left out of 2023's figures on every PC, listed with who changed what; a
    /// change to 2024 is not one. Once the county accepts them they count, everywhere.
    @Test(arguments: Way.allCases) func changesAfterApprovalAreAmendmentsUntilTheCountyAcceptsThem(_ way: Way) throws {
        let lab = try County(way)
        let (county, hexi) = (lab.county, lab.hexi)
        try hexi.ok(["submit", "--year", "2023"])
        try lab.syncAll()
        try county.ok(["approve", "--year", "2023", "--township", "河西镇"])
        try lab.syncAll()
        let totals = { (pc: KtxProcess) in try pc.ok(["totals", "--by", "township", "--format", "csv", "--lang", "en"]) }
        let approved = try totals(county)
        #expect(approved.contains("河西镇,1,120"))

        let id = try #require(try hexi.ok(["list", "--format", "csv"]).split(separator: "\n").dropFirst().first?.split(separator: ",").first.map(String.init))
        let attended = try hexi.run(["attend", id, "30", "--lang", "en"])
        #expect(attended.status == 0 && attended.stderr.contains("this change is an amendment"))
        try hexi.ok(["edit", id, "--title", "果树修剪（改）"])
        try hexi.ok(["record", "--kind", "科技下乡", "--date", "2023-07-01", "--title", "补录活动", "--attendance", "50"])
        let next = try hexi.run(["record", "--kind", "科技下乡", "--date", "2024-01-05", "--title", "次年活动", "--attendance", "7"])
        #expect(next.status == 0 && !next.stderr.contains("amendment"))
        try lab.syncAll()
        for pc in [county, hexi, lab.dongjie] {
            let now = try totals(pc)
            #expect(now.contains("河西镇,2,127"), "\(now)")   // 120 from 2023 as approved, 7 from 2024
        }
        #expect(try county.ok(["totals", "--by", "township", "--year", "2023", "--format", "csv", "--lang", "en"]).contains("河西镇,1,120"))
        let listed = try county.ok(["amendments", "--year", "2023", "--lang", "en"])
        #expect(listed.contains("attendance +30") && listed.contains("title = 果树修剪（改）") && listed.contains("title = 补录活动"))
        #expect(listed.contains("7 amendments since approval, not counted in 2023's figures"), "\(listed)")
        #expect(try hexi.ok(["amendments", "--year", "2023", "--lang", "en"]) == listed)
        // Every report and form says what it rests on and what it leaves out.
        let report = try county.ok(["report", "--year", "2023", "--lang", "en"])
        #expect(report.contains("Approval: 东街镇 not submitted, 河西镇 approved") && report.contains("; 7 amendments since approval, not counted"), "\(report)")
        let form = try county.ok(["report", "--year", "2023", "--form", "self-evaluation", "--lang", "zh"])
        #expect(form.contains("审核状态：东街镇 未提交、河西镇 已批准") && form.contains("批准后的更正 7 条，未计入"))
        let json = try county.ok(["report", "--year", "2023", "--format", "json"])
        #expect(json.contains("\"amendments_not_counted\": 7"))
        #expect(try Set([lab.state(county), lab.state(hexi), lab.state(lab.dongjie)]).count == 1)

        // The form as handed in now, checked against the replica after the amendments count.
        let form2023 = lab.dir.file("2023自评表.xlsx")
        try county.ok(["report", "--year", "2023", "--form", "self-evaluation", "--format", "xlsx", "--output", form2023])
        #expect(try county.ok(["verify", form2023, "--lang", "en"]).contains("verified: every figure matches this replica"))
        let refused = try hexi.run(["amendments", "accept", "--year", "2023", "--all", "--lang", "en"])
        #expect(refused.status == 64 && refused.stderr.contains("only the county's PCs approve or return a year"))
        // One activity's amendments by its id; an id with none waiting writes nothing.
        let notWaiting = try county.run(["amendments", "accept", "--year", "2023", id, "000000000000-1", "--lang", "en"])
        #expect(notWaiting.status != 0 && notWaiting.stderr.contains("no amendments to 2023 are waiting on: 000000000000-1; nothing was written"),
                "\(notWaiting.stderr)")
        #expect(try county.ok(["amendments", "accept", "--year", "2023", id, "--lang", "en"]).contains("accepted 2 amendments of 河西镇 to 2023"))
        try lab.syncAll()
        for pc in [county, hexi, lab.dongjie] {
            let now = try totals(pc)
            #expect(now.contains("河西镇,2,157"), "\(now)")   // +30 of the accepted activity counts now
            #expect(try pc.ok(["amendments", "--year", "2023", "--lang", "en"]).contains("5 amendments since approval"))
        }
        #expect(try Set([lab.state(county), lab.state(hexi), lab.state(lab.dongjie)]).count == 1)
        #expect(try county.ok(["amendments", "accept", "--year", "2023", "--all", "--lang", "en"]).contains("accepted 5 amendments of 河西镇 to 2023"))
        try lab.syncAll()
        for pc in [county, hexi, lab.dongjie] {
            #expect(try totals(pc).contains("河西镇,3,207"))
            #expect(try pc.ok(["amendments", "--year", "2023", "--lang", "en"]).contains("no amendments to 2023"))
        }
        #expect(try hexi.ok(["list", "--format", "csv"]).contains("果树修剪（改）"))
        let stale = try county.run(["verify", form2023, "--lang", "en"])
        #expect(stale.status == 1 && stale.stdout.contains("E15: the file says “120”, this replica gives “200”"), "\(stale.stdout)")
        #expect(stale.stderr.contains("made before later amendments were accepted"))
        #expect(try Set([lab.state(county), lab.state(hexi), lab.state(lab.dongjie)]).count == 1)
    }
}
