import Foundation
import Testing
import TestSupport

/// Every refusal gives a one-line message that says what to fix, exits non-zero, and
/// leaves the database as it was.
@Suite struct BadInputTests {
    /// A replica with one activity, `ACT`, and a remote whose folder cannot be a hub.
    struct Fixture {
        let dir = TemporaryDirectory("bad")
        let ktx: KtxProcess
        let activity: String

        init() throws {
            ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
            _ = try ktx.ok(["init", "--township", "河西镇"])
            activity = try ktx.ok(["record", "--kind", "rural", "--date", "2023-05-20", "--title", "果树修剪培训", "--attendance", "120"])
            // usb: a hub whose operations folder became a file; photos: a hub folder that
            // someone emptied and filled with photos.
            for name in ["usb", "photos"] {
                try ktx.ok(["hub", "init", name])
                try ktx.ok(["remote", "add", name, name])
            }
            try FileManager.default.removeItem(atPath: dir.file("usb/ops"))
            try Data("not a folder".utf8).write(to: URL(fileURLWithPath: dir.file("usb/ops")))
            try FileManager.default.removeItem(atPath: dir.file("photos/ktx-hub.json"))
            try FileManager.default.removeItem(atPath: dir.file("photos/ops"))
            try Data("jpg".utf8).write(to: URL(fileURLWithPath: dir.file("photos/1.jpg")))
        }

        /// Everything a user can see of the database's content.
        func snapshot() throws -> [String] {
            try [["status", "--format", "json"], ["log", "--limit", "0"], ["totals", "--by", "township,kind,month", "--format", "json"],
                 ["list", "--format", "json"], ["remote", "list"]].map { try ktx.ok($0) }
        }
    }

    static let refusals: [(arguments: [String], message: String)] = [
        (["record", "--kind", "dance", "--date", "2023-05-20", "--title", "t"],
         "unknown activity kind 'dance'; known kinds: rural (科技下乡), youth (青少年科普日), week (科技活动周), museum (流动科技馆), national (全国科普日), training (科技培训)"),
        (["record", "--kind", "rural", "--date", "2023-02-30", "--title", "t"],
         "invalid date '2023-02-30': February 2023 has no day 30 (it has 28 days)"),
        (["record", "--kind", "rural", "--date", "2024年2月30日", "--title", "t"],
         "invalid date '2024年2月30日': February 2024 has no day 30 (it has 29 days)"),
        (["record", "--kind", "rural", "--date", "2023-13-01", "--title", "t"], "invalid date '2023-13-01': there is no month 13"),
        (["record", "--kind", "rural", "--date", "5/20/2023", "--title", "t"],
         "invalid date '5/20/2023': write it as 2023-05-20, 2023/5/20 or 2023年5月20日"),
        (["record", "--kind", "科技下相", "--date", "2023-05-20", "--title", "t"], "unknown activity kind '科技下相'; did you mean rural (科技下乡)?"),
        (["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t", "--attendance", "120人"],
         "--attendance value '120人' is not a valid amount: write the number only, without the unit '人', e.g. 120"),
        (["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t", "--attendance", "12.5"],
         "--attendance value '12.5' is not a valid amount: attendance is a whole number, e.g. 120"),
        (["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t", "--surveyed", "10", "--satisfied", "50"],
         "people satisfied (50) cannot exceed people surveyed (10); nothing was changed"),
        (["record", "--kind", "museum", "--date", "2023-05-20", "--title", "t", "--exhibits", "4", "--damaged", "5"],
         "exhibits damaged (5) cannot exceed exhibits shown (4); nothing was changed"),
        (["attend", "ACT", "5", "--metric", "satisfied"],
         "activity ACT: people satisfied (5) cannot exceed people surveyed (0); nothing was changed"),
        (["attend", "ACT", "5", "--metric", "atendance"], "unknown metric 'atendance'; did you mean attendance (参加人次)?"),
        (["recrod", "--kind", "rural"], "no subcommand 'recrod'; did you mean `ktx record`? (`ktx --help` lists them)"),
        (["hub", "aprove", "usb", "--all"], "no subcommand 'aprove'; did you mean `ktx hub approve`? (`ktx hub --help` lists them)"),
        (["totals", "--by", "township,kidn"], "cannot group by 'kidn': did you mean kind?"),
        (["record", "--kind", "rural", "--date", "2023-05-20"], "missing required --title"),
        (["record", "--kind", "rural", "--date", "2023-05-20", "--title", "  "],
         "--title must not be empty, contain line breaks or control characters, or exceed 200 characters"),
        (["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t", "--attendance", "-5"],
         "--attendance cannot be negative ('-5'); to correct a recorded amount use `ktx attend ID -N`"),
        (["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t", "--attendance", "12x"],
         "--attendance value '12x' is not a valid amount: write a whole number, e.g. 120"),
        (["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t", "--cost", "1.234"],
         "--cost value '1.234' is not a valid amount: at most 2 decimals (fen), e.g. 1200 or 1200.50"),
        (["attend", "ACT", "5", "--metric", "visitors"],
         "unknown metric 'visitors'; known metrics: attendance, beneficiaries, schools, enterprises, techniques, exhibits, damaged, surveyed, satisfied, cost"),
        (["attend", "ACT", "-121"],
         "activity ACT has attendance 120; subtracting 121 would make it negative. Nothing was changed"),
        (["attend", "abcdefabcdef-99", "5"], "no activity with id abcdefabcdef-99; see `ktx list`, or run `ktx sync` first"),
        (["show", "nonsense"], "'nonsense' is not an activity id: ids look like 3fa9c2d1b0e4-17; see `ktx list`"),
        (["edit", "ACT"], "nothing to change: give at least one of --title, --date, --venue, --kind, --project"),
        (["edit", "ACT", "--kind", "dance"],
         "unknown activity kind 'dance'; known kinds: rural (科技下乡), youth (青少年科普日), week (科技活动周), museum (流动科技馆), national (全国科普日), training (科技培训)"),
        (["list", "--year", "23"], "invalid year '23': write four digits, e.g. 2023"),
        (["init", "--township", "东街镇"], "database DB is already initialised (replica REPLICA, township 河西镇); nothing was changed. Use --db with another file for a new replica"),
        (["sync"], "there are several remotes (photos, usb): name the one to sync, e.g. `ktx sync photos`"),
        (["sync", "county"], "no remote named 'county'; known remotes: photos, usb"),
        (["sync", "photos"], "folder PWD/photos is not a ktx hub (no ktx-hub.json): check the path; the county makes a new hub folder with `ktx hub init FOLDER`"),
        (["remote", "add", "stick", "photos"], "folder PWD/photos is not a ktx hub (no ktx-hub.json): check the path; the county makes a new hub folder with `ktx hub init FOLDER`"),
        (["remote", "add", "stick", "ftp://county.example/ktx"], "unknown kind of address 'ftp://county.example/ktx': a remote is a folder path (shared drive or USB stick) or http(s)://HOST:PORT"),
        (["remote", "add", "stick", "\\\\服务器\\共享\\ktx"], "'\\\\服务器\\共享\\ktx' is a Windows share path, which ktx cannot use directly: mount (map) the share as a local folder and give that folder's path"),
        (["hub", "init", "photos"], "folder PWD/photos is not empty and not a ktx hub: use a new or empty folder"),
        (["remote", "add", "usb", "elsewhere"], "remote 'usb' already exists; run `ktx remote remove usb` first to change it"),
        (["remote", "add", "county", "https://hub.example:8080"], "an HTTP remote needs a token: give either --token TOKEN or --token-env VAR"),
        (["remote", "add", "county", "https://hub.example:8080/v1?x=1", "--token", "t"], "invalid address 'https://hub.example:8080/v1?x=1': write it as https://HOST:PORT, e.g. https://hub.example.cn:8080"),
        (["remote", "add", "stick", "/media/usb", "--token", "t"], "--token and --token-env are for HTTP remotes only; a folder needs no token"),
        (["totals", "--by", "village"], "cannot group by 'village': use township, kind, quarter, month, comma-separated"),
        (["attend"], "Missing expected argument '<id>' (see `ktx attend --help`)"),
        (["remote", "add", "county"], "Missing expected argument '<location>' (see `ktx remote add --help`)"),
        (["totals", "--format", "xml"], "The value 'xml' is invalid for '--format <format>'. Please provide one of 'table', 'json' or 'csv'. (see `ktx totals --help`)"),
        (["record", "--kind", "rural", "--colour", "red"], "Unknown option '--colour' (see `ktx record --help`)"),
        (["remote", "remove", "county"], "no remote named 'county'; known remotes: photos, usb"),
    ]

    @Test(arguments: 0..<refusals.count)
    func aRefusalSaysWhatToFixAndChangesNothing(index: Int) throws {
        let fixture = try Fixture()
        defer { fixture.dir.remove() }
        let (arguments, message) = Self.refusals[index]
        let replica = try fixture.ktx.ok(["status", "--format", "json"]).split(separator: "\"")[3]
        let before = try fixture.snapshot()
        let result = try fixture.ktx.run(arguments.map { $0 == "ACT" ? fixture.activity : $0 } + ["--lang", "en"])
        let expected = "ktx: " + message
            .replacingOccurrences(of: "ACT", with: fixture.activity)
            .replacingOccurrences(of: "DB", with: fixture.dir.file("a.db"))
            .replacingOccurrences(of: "REPLICA", with: String(replica))
            .replacingOccurrences(of: "PWD", with: fixture.dir.path) + "\n"
        #expect(result.stderr == expected)
        #expect(result.stdout.isEmpty)
        #expect(result.status == 64)
        #expect(try fixture.snapshot() == before)
    }

    @Test func anUnreadableHubFailsWithStatus1AndChangesNothing() throws {
        let fixture = try Fixture()
        defer { fixture.dir.remove() }
        let before = try fixture.snapshot()
        let result = try fixture.ktx.run(["sync", "usb", "--lang", "en"])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("ktx: cannot use the hub folder \(fixture.dir.path)/usb ("))
        #expect(result.stderr.hasSuffix("check that the USB stick or shared drive is connected, the path is right and writable; local data is untouched\n"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(try fixture.snapshot() == before)
    }

    @Test func aCommandOnAMissingDatabaseSaysToInitAndCreatesNothing() throws {
        let dir = TemporaryDirectory("uninit")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path)
        for arguments in [["list"], ["totals"], ["sync"], ["record", "--kind", "rural", "--date", "2023-05-20", "--title", "t"]] {
            let result = try ktx.run(arguments + ["--db", "none.db", "--lang", "en"])
            #expect(result.stderr == "ktx: database none.db is not initialised: run `ktx init --township NAME` first\n")
            #expect(result.status == 64)
        }
        let zh = try ktx.run(["list", "--db", "none.db", "--lang", "zh"])
        #expect(zh.stderr == "ktx: 数据库 none.db 尚未初始化：请先运行 ktx init --township 乡镇名称\n")
        #expect(!FileManager.default.fileExists(atPath: dir.file("none.db")))
    }

    @Test func aFileThatIsNotADatabaseIsRefused() throws {
        let dir = TemporaryDirectory("notdb")
        defer { dir.remove() }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: dir.file("x.db")))
        let result = try KtxProcess(workingDirectory: dir.path).run(["list", "--db", "x.db", "--lang", "en"])
        #expect(result.stderr == "ktx: cannot open x.db: it is not a ktx database or it is damaged; check the --db path\n")
        #expect(result.status == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("x.db"))) == Data(repeating: 0x41, count: 4096))
    }

    @Test func anotherTownshipsActivityCannotBeChanged() throws {
        let dir = TemporaryDirectory("owner")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path)
        _ = try ktx.ok(["init", "--db", "a.db", "--township", "河西镇"])
        _ = try ktx.ok(["init", "--db", "b.db", "--township", "东街镇"])
        _ = try ktx.ok(["init", "--db", "county.db", "--township", "县科协"])
        let id = try ktx.ok(["record", "--db", "a.db", "--kind", "rural", "--date", "2023-05-20", "--title", "t"])
        try ktx.ok(["hub", "init", "hub", "--db", "county.db"])
        for db in ["a.db", "b.db"] { try ktx.ok(["remote", "add", "hub", "hub", "--db", db]) }
        try ktx.ok(["sync", "--db", "a.db"])
        try ktx.ok(["hub", "approve", "hub", "--all", "--db", "county.db"])
        try ktx.ok(["sync", "--db", "b.db"])
        let result = try ktx.run(["attend", id, "5", "--db", "b.db", "--lang", "en"])
        #expect(result.stderr == "ktx: activity \(id) belongs to 河西镇 and this replica to 东街镇: only a township's own replicas may change its activities\n")
        #expect(result.status == 64)
    }
}
