import Foundation
import GRDB
import SyncCore
import Testing
import TestSupport

/// Records keep flowing to the county: a local command never writes what every receiver
/// would refuse, and a PC is never bound with a token of the wrong role.
@Suite struct RecordsFlowTests {
    /// The mistake of issue 29: a township clerk sets an indicator value. Refused before
    /// anything is written (exit 64), saying who can; the county's PC sets it.
    @Test func aTownshipPCsIndicatorValueIsRefusedBeforeWriting() throws {
        let dir = TemporaryDirectory("local-rights")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪", "--attendance", "120"])
        let before = try ktx.ok(["status", "--lang", "en"])
        let indicator = ["--year", "2023", "--project", "rural", "--indicator", "科技特派员覆盖率"]
        for command in [["indicator", "set"] + indicator + ["80"], ["indicator", "note"] + indicator + ["汛期停办"]] {
            let en = try ktx.run(command + ["--lang", "en"])
            #expect(en.status == 64)
            #expect(en.stderr == "ktx: nothing was written: only the county's PCs may set indicator values and notes; this PC is a replica of 河西镇, and every receiver would refuse it. Ask the county to run this on its PC\n")
            let zh = try ktx.run(command + ["--lang", "zh"])
            #expect(zh.status == 64 && zh.stderr.contains("只有县科协的电脑可以填报指标值") && !zh.stderr.contains("county"))
        }
        #expect(try ktx.ok(["status", "--lang", "en"]) == before)

        let county = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
        try county.ok(["init", "--county"])
        #expect(try county.ok(["indicator", "set"] + indicator + ["92", "--lang", "en"]).contains("= 92%"))
        #expect(try county.ok(["status", "--lang", "en"]).contains("township:   县科协"))
    }

    /// A township's PC given a county token would be bound as the county's for good: the sync
    /// is refused before anything is pushed, saying which token it needs; with its own
    /// township's token it syncs.
    @Test func aTownshipReplicaWithACountyTokenIsRefusedAndToldWhichTokenItNeeds() throws {
        let dir = TemporaryDirectory("wrong-token")
        defer { dir.remove() }
        let admin = KtxProcess(workingDirectory: dir.path)
        let countyToken = try admin.ok(["hub", "token", "create", "--db", "hub.db", "--role", "county"])
        let townToken = try admin.ok(["hub", "token", "create", "--db", "hub.db", "--role", "township", "--township", "河西镇"])
        let server = try KtxServer(admin, ["--db", "hub.db"])
        defer { server.stop() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪", "--attendance", "120"])
        try ktx.ok(["remote", "add", "county", server.url, "--token", countyToken])
        let wrong = try ktx.run(["sync", "--lang", "en"])
        #expect(wrong.status == 64)
        #expect(wrong.stderr.contains("this PC is a replica of 河西镇, and this remote's token is a county token"))
        #expect(wrong.stderr.contains("Ask the county for a township token of 河西镇"))
        let zh = try ktx.run(["sync", "--lang", "zh"])
        #expect(zh.status == 64 && zh.stderr.contains("乡镇令牌") && !zh.stderr.contains("county token"))

        try ktx.ok(["remote", "remove", "county"])
        try ktx.ok(["remote", "add", "county", server.url, "--token", townToken])
        try ktx.ok(["sync"])
        let county = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
        try county.ok(["init", "--county"])
        try county.ok(["remote", "add", "county", server.url, "--token", countyToken])
        try county.ok(["sync"])
        #expect(try county.ok(["totals", "--by", "township", "--format", "csv", "--lang", "en"]).contains("河西镇,1,120"))
        // The county's PC given a township token is refused the same way.
        try county.ok(["remote", "remove", "county"])
        try county.ok(["remote", "add", "county", server.url, "--token", townToken])
        let township = try county.run(["sync", "--lang", "en"])
        #expect(township.status == 64 && township.stderr.contains("this PC is a county replica, and this remote's token is a township token"))
    }

    /// The replica holds its signing key: created 0600 in a folder made 0700 (the umask of a
    /// usual account would make them 0644 and 0755); an existing one that others could read
    /// is tightened when opened, with a note; a backup is private too.
    @Test func signingKeysStayPrivate() throws {
        let dir = TemporaryDirectory("modes")
        defer { dir.remove() }
        let old = umask(0o022)
        defer { umask(old) }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["XDG_DATA_HOME": dir.file("data")])
        try ktx.ok(["init", "--township", "河西镇"])
        #expect(Self.mode(dir.file("data/ktx")) == 0o700)
        #expect(Self.mode(dir.file("data/ktx/ktx.db")) == 0o600)
        try ktx.ok(["backup", dir.file("copy.db")])
        #expect(Self.mode(dir.file("copy.db")) == 0o600)
        try ktx.ok(["hub", "token", "create", "--db", "hub.db", "--role", "county"])
        #expect(Self.mode(dir.file("hub.db")) == 0o600)

        chmod(dir.file("data/ktx/ktx.db"), 0o644)
        let opened = try ktx.run(["status", "--lang", "en"])
        #expect(opened.status == 0)
        #expect(opened.stderr.contains("holds this PC's signing key and was readable by other users (mode 644); it is now readable by its owner only (600)"))
        #expect(Self.mode(dir.file("data/ktx/ktx.db")) == 0o600)
        #expect(try ktx.ok(["check", "--lang", "en"]).hasPrefix("replica sound"))
    }

    /// `--db` naming another program's SQLite file is refused before anything is written.
    @Test func anotherProgramsDatabaseIsRefusedUntouched() throws {
        let dir = TemporaryDirectory("foreign-db")
        defer { dir.remove() }
        let path = dir.file("accounts.db")
        let other = try DatabaseQueue(path: path)
        try other.write { try $0.execute(sql: "CREATE TABLE ledger (id INTEGER PRIMARY KEY, amount INTEGER); INSERT INTO ledger VALUES (1, 5)") }
        try other.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": path])
        for command in [["init", "--township", "河西镇"], ["status"], ["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "t"]] {
            let r = try ktx.run(command + ["--lang", "en"])
            #expect(r.status == 1)
            #expect(r.stderr == "ktx: \(path) is another program's SQLite database, not ktx's; nothing was changed. Check the --db path\n")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    /// A link in the hub folder is never written through: one in place of an office's folder
    /// is removed (and told), the office's files land in the folder itself; a link for the
    /// whole `ops` folder stops the sync with a message, nothing written elsewhere.
    @Test func linksInTheHubFolderAreNeverFollowed() throws {
        let dir = TemporaryDirectory("links")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
        try ktx.ok(["init", "--county"])
        try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "t", "--attendance", "5"])
        try ktx.ok(["hub", "init", "hub"])
        try ktx.ok(["remote", "add", "usb", dir.file("hub")])
        let replica = try #require(try ktx.ok(["status", "--lang", "en"]).split(separator: "\n").first?.split(separator: " ").last.map(String.init))
        let elsewhere = dir.file("elsewhere")
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.file("hub/ops/\(replica)"), withDestinationPath: elsewhere)
        let synced = try ktx.run(["sync", "--lang", "en"])
        #expect(synced.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
        var info = stat()
        #expect(lstat(dir.file("hub/ops/\(replica)"), &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR)
        #expect(synced.stderr.contains("ops/\(replica) (not a folder (a link or a file): not followed)"))
        #expect(try !FileManager.default.contentsOfDirectory(atPath: dir.file("hub/ops/\(replica)")).isEmpty)

        try FileManager.default.moveItem(atPath: dir.file("hub/ops"), toPath: dir.file("ops-moved"))
        try FileManager.default.createSymbolicLink(atPath: dir.file("hub/ops"), withDestinationPath: elsewhere)
        try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-21", "--title", "t2"])
        let refused = try ktx.run(["sync", "--lang", "en"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("ops in hub folder \(dir.file("hub")) is a link or a file, not a folder: ktx never writes through a link"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
    }

    /// `ktx rebuild` on a log that misses operations refuses (exit 1) and changes nothing,
    /// saying how to get them back; `ktx backup` of it copies but does not call it checked;
    /// `ktx status` says it too.
    @Test func aLogWithAGapIsNeitherRebuiltNorCalledChecked() throws {
        let dir = TemporaryDirectory("gap")
        defer { dir.remove() }
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        for day in 1...3 {
            try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-0\(day)", "--title", "t\(day)", "--attendance", "10"])
        }
        let db = try DatabaseQueue(path: dir.file("a.db"))
        try db.write { try $0.execute(sql: "DELETE FROM op_chunk WHERE first_seq = 6") }
        try db.close()
        let listed = try ktx.run(["list", "--format", "csv"]).stdout
        let rebuild = try ktx.run(["rebuild", "--lang", "en"])
        #expect(rebuild.status == 1)
        #expect(rebuild.stderr.contains("the operation log misses operations 6–10 of replica"))
        #expect(rebuild.stderr.contains("put the newest backup"))
        #expect(try ktx.run(["list", "--format", "csv"]).stdout == listed)
        let backup = try ktx.run(["backup", dir.file("b.db"), "--lang", "en"])
        #expect(backup.status == 1)
        #expect(!backup.stdout.contains("checked") && backup.stderr.contains("but not checked: the copy has the same fault as this database"))
        let status = try ktx.run(["status", "--lang", "en"])
        #expect(status.status == 1 && status.stderr.contains("the operation log misses operations 6–10 of replica"))
    }

    /// A chunk whose bytes changed after they were written, into bytes that still unpack (an
    /// activity's id altered): every command that relies on the log says so; `rebuild`
    /// refuses and drops nothing; `backup` does not call it checked; `sync` pushes nothing
    /// made from it and exits 1; `record` keeps the new record and says it.
    @Test func aDamagedChunkIsSaidByEveryCommandThatReliesOnTheLog() throws {
        let dir = TemporaryDirectory("damaged-chunk")
        defer { dir.remove() }
        let county = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
        try county.ok(["init", "--county"])
        try county.ok(["hub", "init", dir.file("hub")])
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try ktx.ok(["init", "--township", "河西镇"])
        try ktx.ok(["remote", "add", "usb", dir.file("hub")])
        for day in 1...3 {
            try ktx.ok(["record", "--kind", "科技下乡", "--date", "2023-05-0\(day)", "--title", "t\(day)", "--attendance", "10"])
        }
        let db = try DatabaseQueue(path: dir.file("a.db"))
        let changed = try db.write { db -> Bool in
            // One byte of the activity id in the string table of the chunk holding seqs 6–10.
            let bytes = try Data.fetchOne(db, sql: "SELECT ops FROM op_chunk WHERE first_seq = 6")!
            var altered = bytes
            altered[8] = altered[8] == 0x46 ? 0x45 : 0x46
            try db.execute(sql: "UPDATE op_chunk SET ops = ? WHERE first_seq = 6", arguments: [altered])
            return altered != bytes
        }
        try db.close()
        #expect(changed)
        let listed = try ktx.run(["list", "--format", "csv", "--lang", "en"])
        let said = "operations 6–10 of replica"
        #expect(listed.status == 1 && listed.stderr.contains(said) && listed.stdout.contains(",t2,"))

        for command in [["status"], ["totals"], ["report", "--year", "2023"], ["export"]] {
            let run = try ktx.run(command + ["--lang", "en"])
            #expect(run.status == 1, "\(command)")
            #expect(run.stderr.contains("the operation log is damaged: \(said)"), "\(command)")
        }
        let rebuild = try ktx.run(["rebuild", "--lang", "en"])
        #expect(rebuild.status == 1 && rebuild.stderr.contains(said))
        #expect(try ktx.run(["list", "--format", "csv", "--lang", "en"]).stdout == listed.stdout)
        let backup = try ktx.run(["backup", dir.file("b.db"), "--lang", "en"])
        #expect(backup.status == 1 && !backup.stdout.contains("checked") && backup.stderr.contains(said))
        let check = try ktx.run(["check", "--lang", "en"])
        #expect(check.status == 1 && check.stderr.contains(said) && !check.stderr.contains("not contiguous"))
        let sync = try ktx.run(["sync", "--lang", "en"])
        #expect(sync.status == 1 && sync.stderr.contains(said))
        #expect(!sync.stdout.contains("pushed"))

        let recorded = try ktx.run(["record", "--kind", "科技下乡", "--date", "2023-05-09", "--title", "t9", "--lang", "zh"])
        #expect(recorded.status == 0 && recorded.stderr.contains("操作日志已损坏"))
        #expect(try ktx.run(["list", "--format", "csv"]).stdout.contains(",t9,"))
    }

    /// A county, its governed folder `hub`, and 河西镇's PC enrolled with one record synced.
    struct Office {
        let dir: TemporaryDirectory
        let county: KtxProcess
        let office: KtxProcess
        var hub: String { dir.file("hub") }

        init(_ name: String, officeEnvironment: [String: String] = [:], enrol: Bool = true) throws {
            dir = TemporaryDirectory(name)
            county = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
            try county.ok(["init", "--county"])
            try county.ok(["hub", "init", dir.file("hub")])
            try county.ok(["remote", "add", "usb", dir.file("hub")])
            office = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")].merging(officeEnvironment) { $1 })
            try office.ok(["init", "--township", "河西镇"])
            try office.ok(["remote", "add", "usb", dir.file("hub")])
            guard enrol else { return }
            try office.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪", "--attendance", "120"])
            try office.ok(["sync"])
            try county.ok(["hub", "approve", "usb", "--all"])
            try county.ok(["sync"])
        }

        /// The office PC's replica id and how many operations it has made.
        func officeReplica() throws -> (id: ReplicaID, made: Int64) {
            let db = try DatabaseQueue(path: dir.file("a.db"))
            defer { try? db.close() }
            return try db.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT r.id, r.max_seq FROM replica_self s JOIN replica r ON r.num = s.replica")!
                return (ReplicaID(bytes: row[0] as Data)!, row[1])
            }
        }
    }

    /// Someone with write access to the folder, and no key, puts a file under the office's
    /// name at its next seqs. The office's next sync pushes its record all the same (never
    /// "pushed 0"), goes on under its own replica id (not taken for a copy), says the file is
    /// there; the file is set aside, and the county is told by its own status and by `ktx hub
    /// status` of the folder; the record reaches the county.
    @Test(arguments: Forgery.allCases) func aFileUnderAnOfficesNameThatItDidNotSignCannotStopIt(_ forgery: Forgery) throws {
        let lab = try Office("forged-\(forgery.rawValue)")
        defer { lab.dir.remove() }
        let (me, made) = try lab.officeReplica()
        let (name, bytes) = try forgery.file(for: me, seqs: made + 1...made + 5, activity: ActivityID(replica: me, seq: 1))
        try Data(bytes).write(to: URL(fileURLWithPath: lab.hub + "/ops/\(me.hex)/\(name)"))

        try lab.office.ok(["record", "--kind", "科技下乡", "--date", "2023-06-02", "--title", "大棚蔬菜", "--attendance", "45"])
        let synced = try lab.office.run(["sync", "--lang", "en"])
        #expect(synced.status == 0)
        #expect(synced.stdout.contains("pushed 5 operations"), "\(synced.stdout)")
        #expect(synced.stderr.contains("tampered/\(me.hex)/\(name)"), "\(synced.stderr)")
        #expect(FileManager.default.fileExists(atPath: lab.hub + "/tampered/\(me.hex)/\(name)"))
        #expect(!FileManager.default.fileExists(atPath: lab.hub + "/ops/\(me.hex)/\(name)"))
        #expect(try lab.officeReplica().id == me)
        #expect(!synced.stderr.contains("new replica"))

        let seen = try lab.county.ok(["hub", "status", "usb", "--lang", "en"])
        #expect(seen.contains("the hub folder holds a file under 河西镇's PC \(me.short)'s name that it did not write (tampered/\(me.hex)/\(name))"), "\(seen)")
        let counted = try lab.county.run(["sync", "--lang", "en"])
        #expect(counted.status == 0)
        #expect(try lab.county.ok(["totals", "--by", "township", "--format", "csv", "--lang", "en"]).contains("河西镇,2,165"))
        let status = try lab.county.ok(["status", "--lang", "zh"])
        #expect(status.contains("同步文件夹里有不是“河西镇”的电脑 \(me.short) 写的文件冒用其名（tampered/\(me.hex)/\(name)）"), "\(status)")
    }

    /// The path of libfaketime, which sets a process's clock wrong (Debian's `faketime`).
    static let libfaketime: String? = ["/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                                       "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"]
        .first { FileManager.default.fileExists(atPath: $0) }

    /// The first day of a roll-out: the first PC in the county's new folder has its clock three
    /// years ahead. At its first sync it is told (the county's signed roster carries the
    /// county's time), publishes nothing dated in the future, and its records reach the county
    /// as soon as the clock is set right.
    @Test(.enabled(if: libfaketime != nil, "needs Debian's faketime (scripts/install-deps.sh installs it)"))
    func theFirstPCInANewFolderWithAClockYearsAheadIsToldAndItsRecordsArriveOnceFixed() throws {
        let lab = try Office("first-day", enrol: false)
        defer { lab.dir.remove() }
        var ahead = lab.office
        ahead.environment["LD_PRELOAD"] = Self.libfaketime!
        ahead.environment["FAKETIME"] = "+3y"
        try ahead.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "果树修剪", "--attendance", "120"])
        let first = try ahead.run(["sync", "--lang", "en"])
        #expect(first.stderr.contains("the PC's clock is probably wrong"), "\(first.stderr)")
        #expect(!first.stdout.contains("pushed 5"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: lab.hub + "/ops").isEmpty)
        try lab.county.ok(["hub", "approve", "usb", "--all"])

        // The clock set right: the next sync dates the records by it and they arrive.
        let fixed = try lab.office.run(["sync", "--lang", "en"])
        #expect(fixed.status == 0 && fixed.stdout.contains("pushed 5 operations"), "\(fixed.stdout)\(fixed.stderr)")
        try lab.county.ok(["sync"])
        #expect(try lab.county.ok(["totals", "--by", "township", "--format", "csv", "--lang", "en"]).contains("河西镇,1,120"))
    }

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mode & 0o777 : nil
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// A copy of a fixture folder in `dir`.
    static func copyFixture(_ name: String, to dir: TemporaryDirectory) throws -> String {
        let target = dir.file(name)
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent(name).path, toPath: target)
        return target
    }

    /// The stuck PC of issue 29, made by ktx before 0.4 (`Tests/Fixtures/v0.3-stuck-folder`): a
    /// 河西镇 PC set an indicator value, then recorded 农机安全使用培训; through the governed
    /// folder, the county refused the value and has never had the record since. Upgraded, the
    /// PC's next sync leaves the value out, says so, and the record reaches the county once the
    /// county enrols the PC's new replica as it enrols any new PC.
    @Test func theStuckPCOfAFolderRecoversByUpgradingAndSyncing() throws {
        let dir = TemporaryDirectory("stuck-folder")
        defer { dir.remove() }
        let root = try Self.copyFixture("v0.3-stuck-folder", to: dir)
        let office = KtxProcess(workingDirectory: root, environment: ["KTX_DB": root + "/hx.db"])
        let county = KtxProcess(workingDirectory: root, environment: ["KTX_DB": root + "/county.db"])
        // The fixture's folder was elsewhere: both PCs add it where it is now.
        for pc in [office, county] {
            try pc.ok(["remote", "remove", "usb"])
            try pc.ok(["remote", "add", "usb", root + "/hub"])
        }
        #expect(try county.ok(["totals", "--by", "township", "--format", "csv", "--lang", "en"]).contains("河西镇,1,120"))
        // The county sees which PC is not flowing, why, and what happens next: reading the
        // folder through (nothing written to it), and in its own status after a sync.
        let folderStatus = try county.ok(["hub", "status", "usb", "--lang", "en"])
        #expect(folderStatus.contains("governed by the county"))
        #expect(folderStatus.contains("PCs whose records are not flowing:\n  河西镇's PC c858f2faa5ac's records from seq 7 are refused everywhere"))
        try county.ok(["sync"])
        let seen = try county.ok(["status", "--lang", "en"])
        #expect(seen.contains("PCs whose records are not flowing:\n  河西镇's PC c858f2faa5ac's records from seq 7 are refused everywhere (sets a manual indicator value: only the county's PCs may) and what follows stops there"))
        #expect(try county.ok(["status", "--lang", "zh"]).contains("“河西镇”的电脑 c858f2faa5ac 第 7 条起的记录各处都拒收（设置了手工指标值：只有县科协的电脑可以设置）"))

        let synced = try office.run(["sync", "--lang", "en"])
        #expect(synced.status == 0)
        #expect(synced.stdout.contains("pushed 5 operations"))
        #expect(synced.stderr.contains("operation 7 of this PC (sets a manual indicator value: only the county's PCs may) is refused by every receiver and was left out; this PC's 5 later operations continue under the new replica"))
        #expect(synced.stderr.contains("this PC is not enrolled by the county yet"))
        // Its status says the same step the sync said: the key fingerprint to read out.
        let fingerprint = try #require(synced.stderr.split(separator: "key fingerprint ").dropFirst().first?.prefix(19))
        #expect(try office.ok(["status", "--lang", "en"]).contains("Phone the county and read out this PC's key fingerprint \(fingerprint)"))
        // The clerk is told how many records the county does not have, why, and what to do.
        #expect(try office.ok(["status", "--lang", "en"]).contains("5 of this PC's records have not reached the county (through usb): this PC had a record from seq 7 that every receiver refuses (sets a manual indicator value: only the county's PCs may); it was left out, the rest goes on under a new replica; this PC is not enrolled by the county: its records are held everywhere."))

        try county.ok(["hub", "approve", "usb", "--all"])
        let pulled = try county.run(["sync", "--lang", "en"])
        #expect(pulled.status == 0 && pulled.stdout.contains("pulled 5"))
        #expect(pulled.stderr.contains("county-only"))   // the value, named; nothing else waits
        #expect(try county.ok(["totals", "--by", "township", "--format", "csv", "--lang", "en"]).contains("河西镇,2,160"))
        try office.ok(["sync"])
        #expect(!(try office.ok(["status", "--lang", "en"]).contains("have not reached the county")))
        let state = { (pc: KtxProcess) in try pc.ok(["status", "--lang", "en"]).split(separator: "\n").first { $0.hasPrefix("state:") } }
        #expect(try state(office) == state(county))
    }

    /// The same over HTTP (`Tests/Fixtures/v0.3-stuck-http`): every push of the PC was refused
    /// whole since the value, 病虫害防治 recorded before it in the same push too. Upgraded, its
    /// next sync delivers both records; no approval is needed (the token is the authority).
    @Test func theStuckPCOfAnHTTPHubRecoversByUpgradingAndSyncing() throws {
        let dir = TemporaryDirectory("stuck-http")
        defer { dir.remove() }
        let root = try Self.copyFixture("v0.3-stuck-http", to: dir)
        let token = { (name: String) in
            try String(contentsOfFile: root + "/\(name)-token.txt", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let admin = KtxProcess(workingDirectory: root)
        let server = try KtxServer(admin, ["--db", "hub.db"])
        defer { server.stop() }
        // The county's PC learns from the hub which office's pushes it refuses.
        let county = KtxProcess(workingDirectory: root, environment: ["KTX_DB": root + "/county.db"])
        try county.ok(["init", "--county"])
        try county.ok(["remote", "add", "county", server.url, "--token", try token("county")])
        try county.ok(["sync"])
        let refused = "河西镇's PC 618bfefc94a4's records are refused everywhere (sets a manual indicator value: only the county's PCs may)"
        #expect(try county.ok(["status", "--lang", "en"]).contains("PCs whose records are not flowing:\n  \(refused)"))
        #expect(try county.ok(["hub", "status", "county", "--lang", "en"]).contains(refused))
        // By its address too, from any PC, with a county token in an environment variable;
        // a township's token is told it cannot see, never "all flowing".
        var anyone = KtxProcess(workingDirectory: root, environment: ["KTX_TOKEN": try token("county")])
        #expect(try anyone.ok(["hub", "status", server.url, "--token-env", "KTX_TOKEN", "--lang", "en"]).contains(refused))
        let bare = try anyone.run(["hub", "status", server.url, "--lang", "en"])
        #expect(bare.status == 64 && bare.stderr.contains("--token-env VAR"))
        anyone.environment["KTX_TOKEN"] = try token("township")
        let township = try anyone.run(["hub", "status", server.url, "--token-env", "KTX_TOKEN", "--lang", "en"])
        #expect(township.status != 0 && township.stderr.contains("this token is not a county token"), "\(township.stderr)")
        #expect(try county.ok(["status", "--lang", "zh"]).contains("“河西镇”的电脑 618bfefc94a4的记录各处都拒收（设置了手工指标值：只有县科协的电脑可以设置）"))

        let office = KtxProcess(workingDirectory: root, environment: ["KTX_DB": root + "/hx.db"])
        try office.ok(["remote", "remove", "county"])
        try office.ok(["remote", "add", "county", server.url, "--token", try token("township")])
        let synced = try office.run(["sync", "--lang", "en"])
        #expect(synced.status == 0)
        #expect(synced.stdout.contains("pushed 10 operations"))
        #expect(synced.stderr.contains("operation 12 of this PC (sets a manual indicator value: only the county's PCs may) is refused by every receiver and was left out"))

        try county.ok(["sync"])
        #expect(try county.ok(["totals", "--by", "township", "--format", "csv", "--lang", "en"]).contains("河西镇,3,190"))
        // Flowing again: the office pushed since it was refused.
        #expect(!(try county.ok(["status", "--lang", "en"]).contains("not flowing")))
        #expect(try county.ok(["hub", "status", "county", "--lang", "en"]).contains("every PC's records are flowing"))
        let again = try office.run(["sync", "--lang", "en"])
        #expect(again.status == 0 && again.stderr.isEmpty)
    }

    /// A deleted `ktx-hub.json` stops nobody: an office that pinned the county's key writes it
    /// back at its sync, and the county's `ktx hub init` repairs the folder; an empty folder
    /// (no USB stick in it) is still refused, and nothing is written into it.
    @Test func aDeletedHubMarkerIsWrittenBack() throws {
        let dir = TemporaryDirectory("marker")
        defer { dir.remove() }
        let county = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("county.db")])
        let office = KtxProcess(workingDirectory: dir.path, environment: ["KTX_DB": dir.file("a.db")])
        try county.ok(["init", "--county"])
        try county.ok(["hub", "init", "hub"])
        let marker = try String(contentsOfFile: dir.file("hub/ktx-hub.json"), encoding: .utf8)
        try office.ok(["init", "--township", "河西镇"])
        try office.ok(["remote", "add", "usb", dir.file("hub")])
        try office.ok(["sync"])
        try county.ok(["hub", "approve", "hub", "--all"])

        try FileManager.default.removeItem(atPath: dir.file("hub/ktx-hub.json"))
        try office.ok(["record", "--kind", "科技下乡", "--date", "2023-05-20", "--title", "t", "--attendance", "5"])
        let synced = try office.run(["sync", "--lang", "en"])
        #expect(synced.status == 0 && synced.stdout.contains("pushed 5"))
        #expect(synced.stderr.contains("the hub folder's marker ktx-hub.json was missing: written back from the county key this PC pinned"))
        #expect(try String(contentsOfFile: dir.file("hub/ktx-hub.json"), encoding: .utf8) == marker)

        try FileManager.default.removeItem(atPath: dir.file("hub/ktx-hub.json"))
        try county.ok(["hub", "init", "hub"])
        #expect(try String(contentsOfFile: dir.file("hub/ktx-hub.json"), encoding: .utf8) == marker)
        try county.ok(["remote", "add", "usb", dir.file("hub")])
        try county.ok(["sync"])
        #expect(try county.ok(["totals", "--by", "township", "--format", "csv", "--lang", "en"]).contains("河西镇,1,5"))

        // A stick not inserted: its empty mount point is not repaired into a hub.
        try FileManager.default.createDirectory(atPath: dir.file("empty"), withIntermediateDirectories: false)
        try office.ok(["remote", "add", "stick", dir.file("hub")])
        try FileManager.default.moveItem(atPath: dir.file("hub"), toPath: dir.file("hub-away"))
        try FileManager.default.moveItem(atPath: dir.file("empty"), toPath: dir.file("hub"))
        let missing = try office.run(["sync", "stick", "--lang", "en"])
        #expect(missing.status != 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("hub")).isEmpty)
    }

    /// Any number of `ktx hub serve --database URL` nodes start from the same folder with no
    /// other option: each keeps its copy of the hub in a state folder of its own. (Needs the
    /// PostgreSQL server `.ci/run` starts: `KTX_TEST_POSTGRES`.)
    @Test(.enabled(if: ProcessInfo.processInfo.environment["KTX_TEST_POSTGRES"].map { !$0.isEmpty } ?? false))
    func twoHubNodesStartFromTheSameFolder() throws {
        let dir = TemporaryDirectory("nodes")
        defer { dir.remove() }
        let env = ProcessInfo.processInfo.environment
        let url = try #require(env["KTX_TEST_POSTGRES"])
        let ktx = KtxProcess(workingDirectory: dir.path, environment: ["PGPASSWORD": env["PGPASSWORD"] ?? ""])
        let first = try KtxServer(ktx, ["--database", url])
        defer { first.stop() }
        let second = try KtxServer(ktx, ["--database", url])
        defer { second.stop() }
        #expect(first.port != second.port)
        let views = try FileManager.default.contentsOfDirectory(atPath: dir.file(".local/state/ktx")).filter { $0.hasSuffix(".db") }
        #expect(views.count == 2)
        #expect(!FileManager.default.fileExists(atPath: dir.file("ktx-hub-view.db")))
    }
}

