import Foundation
import Store
import FolderHub
import KtxWords
import SyncCore
import Testing
import TestSupport

/// A folder hub cannot be used against its readers: what a careless or hostile person can
/// leave in the shared folder costs a sync nothing and merges nothing.
@Suite struct FolderHubHostileTests {
    /// Two offices that have synced, and the county that has not yet.
    struct Setting {
        let lab = ReplicaLab()
        let a: Store
        let b: Store
        let county: Store

        init() async throws {
            a = try lab.replica("a", township: "河西镇")
            b = try lab.replica("b", township: "东街镇")
            county = try lab.replica("county", township: "县科协")
            try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "果树修剪", quantities: ["attendance": 40]))
            try b.record(ActivityDraft(kind: "youth", date: "2023-06-01", title: "科普日", quantities: ["attendance": 25]))
            try await lab.sync(a)
            try await lab.sync(b)
        }

        /// The folder of a replica's files in the hub, and its one operation file.
        func file(of store: Store) throws -> (dir: String, name: String) {
            let dir = lab.dir.file("hub/ops/\(try store.identity().replica.hex)")
            let name = try #require(try FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasSuffix(".ktxops") })
            return (dir, name)
        }

        /// The county syncs; only b's record may have arrived.
        func expectOnlyBArrived(_ report: SyncReport, detail: String) async throws {
            #expect(report.warnings.count == 1)
            #expect(report.warnings.first?.reason == .foreign)
            #expect(report.warnings.first?.detail.contains(detail) == true, "\(report.warnings)")
            #expect(try await county.totals(by: [.township]).map { $0.group[.township] } == ["东街镇"])
        }
    }

    /// Someone writes over an office's file with junk (or another run's bytes) under the same
    /// name. The folder's names still say the run is there, so before, the office never wrote it
    /// again and every reader stopped at it for good. The office's next sync finds its run is not
    /// what the file holds, sets the junk aside, writes the run again, and the county gets it.
    @Test(arguments: ["junk", "another run"])
    func aRunSomeoneWroteOverIsWrittenAgainAtTheNextSync(with what: String) async throws {
        let s = try await Setting()
        defer { s.lab.remove() }
        let (dir, name) = try s.file(of: s.a)
        let path = dir + "/" + name
        if what == "junk" {
            try Data("KTXOPS 1\n{}\nnot operations".utf8).write(to: URL(fileURLWithPath: path))
        } else {
            // b's genuine file, copied over a's: a valid file, but not a's run.
            let (bDir, bName) = try s.file(of: s.b)
            try Data(contentsOf: URL(fileURLWithPath: bDir + "/" + bName)).write(to: URL(fileURLWithPath: path))
        }
        let first = try await s.lab.sync(s.county)
        #expect(try await s.county.totals(by: [.township]).map { $0.group[.township] } == ["东街镇"], "the county cannot read a's run yet")
        #expect(!first.warnings.isEmpty)
        let again = try await s.lab.sync(s.a)
        #expect(again.warnings.contains { $0.reason == .forged }, "a says its file was not its own: \(again.warnings)")
        _ = try await s.lab.sync(s.county)
        #expect(try await s.county.totals(by: [.township]).compactMap { $0.group[.township] }.sorted() == ["东街镇", "河西镇"])
        // Nothing more to write: the next sync of a finds its run in place.
        let quiet = try await s.lab.sync(s.a)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(quiet.pushed == 0 && files == [name])
    }

    @Test func aHugeFileIsRefusedUnread() async throws {
        let s = try await Setting()
        defer { s.lab.remove() }
        let (dir, name) = try s.file(of: s.a)
        // 4 GiB with a valid name: sparse, so the test costs no disk.
        let fd = open(dir + "/" + name, O_WRONLY | O_TRUNC)
        #expect(ftruncate(fd, 4 << 30) == 0)
        close(fd)
        let report = try await s.lab.sync(s.county)
        try await s.expectOnlyBArrived(report, detail: "larger than any ktx writes")
    }

    @Test func aSymlinkToAValidFileOutsideTheHubIsNotFollowed() async throws {
        let s = try await Setting()
        defer { s.lab.remove() }
        let (dir, name) = try s.file(of: s.a)
        let outside = s.lab.dir.file("outside.ktxops")
        try FileManager.default.moveItem(atPath: dir + "/" + name, toPath: outside)
        try FileManager.default.createSymbolicLink(atPath: dir + "/" + name, withDestinationPath: outside)
        let report = try await s.lab.sync(s.county)
        try await s.expectOnlyBArrived(report, detail: "symbolic link")
    }

    @Test func aSymlinkToDevZeroIsNotFollowed() async throws {
        let s = try await Setting()
        defer { s.lab.remove() }
        let (dir, name) = try s.file(of: s.a)
        try FileManager.default.removeItem(atPath: dir + "/" + name)
        try FileManager.default.createSymbolicLink(atPath: dir + "/" + name, withDestinationPath: "/dev/zero")
        let report = try await s.lab.sync(s.county)
        try await s.expectOnlyBArrived(report, detail: "symbolic link")
        #expect(report.warnings.first?.message(.en).contains("KtxError") == false)
    }

    @Test func aFIFOIsNotReadAndTheSyncDoesNotHang() async throws {
        let s = try await Setting()
        defer { s.lab.remove() }
        let (dir, name) = try s.file(of: s.a)
        try FileManager.default.removeItem(atPath: dir + "/" + name)
        #expect(mkfifo(dir + "/" + name, 0o644) == 0)
        let report = try await s.lab.sync(s.county)
        try await s.expectOnlyBArrived(report, detail: "not a regular file")
    }

    @Test func aReplicaFolderThatIsALinkIsNotFollowed() async throws {
        let s = try await Setting()
        defer { s.lab.remove() }
        let (dir, _) = try s.file(of: s.a)
        let elsewhere = s.lab.dir.file("elsewhere")
        try FileManager.default.moveItem(atPath: dir, toPath: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: dir, withDestinationPath: elsewhere)
        let report = try await s.lab.sync(s.county)
        try await s.expectOnlyBArrived(report, detail: "not followed")
    }

    @Test func aFloodOfForeignFilesIsReportedAndSyncsTheRest() async throws {
        let s = try await Setting()
        defer { s.lab.remove() }
        let (dir, _) = try s.file(of: s.a)
        for i in 0..<20_000 { _ = FileManager.default.createFile(atPath: dir + "/junk-\(i).txt", contents: nil) }
        let report = try await s.lab.sync(s.county)
        #expect(report.warnings.count == 20_000)
        #expect(try await s.county.totals().first?.quantities["attendance"] == 65)
    }

    /// A province's hub has thousands of replica folders, read on every core: each is read
    /// whole, what does not belong is reported once per file, and the county's stale
    /// temporary file is removed wherever it lies.
    @Test func aHubOfManyReplicaFoldersIsReadWholeWithEveryForeignFileReported() async throws {
        let s = try await Setting()
        defer { s.lab.remove() }
        let ops = s.lab.dir.file("hub/ops")
        let stale = ".tmp-\(try s.county.identity().replica.hex)-9"
        var folders: [String] = []
        for i in 0..<150 {
            let folder = ops + "/" + ReplicaID.random().hex
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            _ = FileManager.default.createFile(atPath: folder + "/junk-\(i).txt", contents: nil)
            folders.append(folder)
        }
        #expect(FileManager.default.createFile(atPath: folders[77] + "/" + stale, contents: Data("half".utf8)))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-7200)], ofItemAtPath: folders[77] + "/" + stale)
        let report = try await s.lab.sync(s.county)
        #expect(report.warnings.count == 150)
        #expect(Set(report.warnings.map(\.file)) == Set(folders.enumerated().map { i, folder in
            "ops/\((folder as NSString).lastPathComponent)/junk-\(i).txt" }))
        #expect(report.warnings.allSatisfy { $0.reason == .foreign && $0.detail.contains("not an operation file") })
        #expect(try await s.county.totals(by: [.township]).map { $0.group[.township] } == ["东街镇", "河西镇"])
        #expect(!FileManager.default.fileExists(atPath: folders[77] + "/" + stale))
    }

    @Test func eachWriterRemovesItsOwnStaleTemporaryFilesOnly() async throws {
        let s = try await Setting()
        defer { s.lab.remove() }
        let (dir, _) = try s.file(of: s.a)
        let mine = try s.a.identity().replica.hex
        let theirs = try s.b.identity().replica.hex
        let names = [".tmp-\(mine)-1", ".tmp-\(mine)-2", ".tmp-\(theirs)-3"]
        for name in names { #expect(FileManager.default.createFile(atPath: dir + "/" + name, contents: Data("half".utf8))) }
        // Two of them were left by killed syncs two hours ago; one is a sync still writing.
        let old = Date().addingTimeInterval(-7200)
        for name in [names[0], names[2]] {
            try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: dir + "/" + name)
        }
        try await s.lab.sync(s.a)
        let left = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".tmp-") }.sorted()
        #expect(left == [names[1], names[2]].sorted())
    }
}

@Suite struct FolderMessageTests {
    @Test func folderErrorsAreDescribedInPlainWords() {
        let missing = CocoaError(.fileNoSuchFile) as NSError
        #expect(FileHub.describe(missing) == "no such file or folder / 文件或文件夹不存在")
        let posix = NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))
        #expect(FileHub.describe(posix) == "Permission denied")
        #expect(!FileHub.describe(CocoaError(.featureUnsupported)).contains("operation could not be completed"))
    }
}
