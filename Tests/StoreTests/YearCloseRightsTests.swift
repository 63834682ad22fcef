import Foundation
import GRDB
import KtxWords
@testable import Store
import SyncCore
import Testing
import TestSupport

/// Steps of the year's close outside their writer's rights are refused by every receiver, as
/// a ktx that did not check them at home would have written them: a township approving or
/// returning a year, a county PC submitting one, a township submitting under another PC's id.
@Suite struct YearCloseRightsTests {
    @Test func stepsOutsideTheirWritersRightsAreRefusedEverywhere() async throws {
        let lab = ReplicaLab("year-rights")
        defer { lab.remove() }
        let folder = try StuckReplicaTests.Folder(lab)
        let hexi = try lab.replica("hx", township: "河西镇")
        let dongjie = try lab.replica("dj", township: "东街镇")
        for office in [hexi, dongjie] {
            _ = try office.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "培训", quantities: ["attendance": 10]))
            try await folder.sync(office)
            try await folder.approve(office)
            try await folder.sync(office)
        }
        try await folder.sync(folder.county)
        let approve = YearClose.Step(action: .approve, year: 2023, township: "东街镇")
        // Refused at home first, then written as an older ktx would.
        #expect(throws: KtxError.self) { try hexi.writeYearStep(approve, checkingRights: true) }
        try hexi.writeYearStep(approve, checkingRights: false)
        let submit = YearClose.Step(action: .submit, year: 2023)
        #expect(throws: KtxError.self) { try folder.county.writeYearStep(submit, checkingRights: true) }
        try folder.county.writeYearStep(submit, checkingRights: false)
        // 东街镇's PC submits under 河西镇's PC's id.
        let other = ActivityID(replica: try hexi.identity().replica, seq: 99)
        #expect(throws: KtxError.self) { try dongjie.writeYearStep(submit, target: other, checkingRights: true) }
        try dongjie.writeYearStep(submit, target: other, checkingRights: false)
        for store in [hexi, folder.county, dongjie] { try await StuckReplicaTests.publishAsOlderKtx(store, to: try folder.hub(for: store)) }

        let receiver = try lab.replica("reader", township: "县科协")
        let report = try await folder.sync(receiver)
        let reasons = Set(report.refused.map(\.reason))
        #expect(reasons == [.countyOnly, .townshipOnly, .otherActivity], "\(report.refused)")
        // None of them stands anywhere.
        #expect(try receiver.yearStandings(2023).allSatisfy { $0.standing.state == .notSubmitted })
    }
}

/// Migration 0021 makes `year_close` again so it can hold `accept` steps: a replica written
/// before it keeps every step it held, and the accept steps its log kept unread (an older
/// ktx keeps them as fields it does not know) count once it is upgraded.
@Suite struct YearCloseUpgradeTests {
    @Test func aReplicaFromBeforeAcceptStepsKeepsItsYearAndCountsTheAcceptsItsLogHeld() async throws {
        let lab = ReplicaLab("year-upgrade")
        defer { lab.remove() }
        let folder = try StuckReplicaTests.Folder(lab)
        let hexi = try lab.replica("hx", township: "河西镇")
        let first = try hexi.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "培训", quantities: ["attendance": 10]))
        let second = try hexi.record(ActivityDraft(kind: "rural", date: "2023-06-20", title: "讲座", quantities: ["attendance": 20]))
        try await folder.sync(hexi)
        try await folder.approve(hexi)
        try hexi.submitYear(2023)
        try await folder.sync(hexi)
        try await folder.sync(folder.county)
        try folder.county.approveYear(2023, township: "河西镇")
        try await folder.sync(folder.county)
        try await folder.sync(hexi)
        _ = try hexi.add(to: first, amount: 5)
        _ = try hexi.add(to: second, amount: 7)
        try await folder.sync(hexi)
        try await folder.sync(folder.county)
        try folder.county.acceptAmendments(year: 2023, activities: [first])
        let standings = try folder.county.yearStandings(2023)
        #expect(try folder.county.amendments(year: 2023).map(\.operation.activity) == [second])

        // The county's replica as a ktx before migration 0021 left it: the old table, without
        // the accept row, and the migration not yet run.
        let copy = lab.dir.file("county-0020.db")
        _ = try folder.county.backup(to: copy)
        let old = try DatabaseQueue(path: copy)
        try await old.write { db in
            let accepts = try Int.fetchOne(db, sql: "SELECT count(*) FROM year_close WHERE action = 'accept'")
            #expect(accepts == 1)
            try db.execute(sql: """
                DELETE FROM year_close WHERE action = 'accept';
                CREATE TABLE year_close_old (replica INTEGER NOT NULL REFERENCES replica(num), seq INTEGER NOT NULL, hlc INTEGER NOT NULL,
                    action TEXT NOT NULL CHECK (action IN ('submit', 'approve', 'return')), year INTEGER NOT NULL, township TEXT,
                    frontier TEXT NOT NULL DEFAULT '', reason TEXT, PRIMARY KEY (replica, seq)) WITHOUT ROWID;
                INSERT INTO year_close_old SELECT * FROM year_close;
                DROP TABLE year_close;
                ALTER TABLE year_close_old RENAME TO year_close;
                CREATE INDEX year_close_by_year ON year_close (year, township);
                DELETE FROM grdb_migrations WHERE identifier = '0021_year_close_accept';
                """)
        }
        try old.close()
        let upgraded = try Store.open(at: copy, wallClock: lab.clock)
        #expect(try upgraded.yearStandings(2023) == standings)
        #expect(try upgraded.amendments(year: 2023).map(\.operation.activity) == [second])
        #expect(try upgraded.stateDigest() == folder.county.stateDigest())
    }
}
