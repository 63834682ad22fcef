import Foundation
import HubClient
import HubServer
import HubStorage
import Hummingbird
import HummingbirdTesting
import Store
import SyncCore
import TestSupport
import Testing

/// Over HTTP the hub tells its time: a PC whose clock is wrong is told at once, pushes
/// nothing dated beyond the hub's clock, still pulls, and loses nothing once it is fixed.
@Suite struct ClockOverHTTPTests {
    @Test(arguments: HubFixture.backends) func aPCWhoseClockWasSetTo2031IsToldStillPullsAndLosesNothingOnceFixed(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let pcClock = ManualClock(1_924_992_000_000)
        let a = try Store.create(at: f.lab.dir.file("a.db"), township: "河西镇", wallClock: pcClock)
        let b = try f.lab.replica("b", township: "东街镇")
        let county = try f.lab.replica("county", township: "县科协")
        let fromB = try b.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "东街镇", quantities: ["attendance": 9]))
        let fromA = try a.record(ActivityDraft(kind: "rural", date: "2023-05-21", title: "2031 年记的", quantities: ["attendance": 120]))
        try await f.application.test(.live) { client in
            let url = "http://127.0.0.1:\(client.port!)"
            try await SyncSession(store: b, hub: HTTPHub(url: url, token: f.township["东街镇"]!)).run()

            let wrong = try await SyncSession(store: a, hub: HTTPHub(url: url, token: f.township["河西镇"]!)).run()
            #expect(wrong.clockAheadOfHub == 1_924_992_000_000 - f.lab.clock.nowMillis())
            #expect(wrong.pushed == 0)
            #expect(wrong.pulled == 5)
            #expect(try a.activity(fromB)?.quantities["attendance"] == 9)

            pcClock.set(f.lab.clock.nowMillis() + 60_000)
            let fixed = try await SyncSession(store: a, hub: HTTPHub(url: url, token: f.township["河西镇"]!)).run()
            #expect(fixed.clockAheadOfHub == nil)
            #expect(fixed.clockRepair?.restamped == 5)
            #expect(fixed.pushed == 5)
            try await SyncSession(store: b, hub: HTTPHub(url: url, token: f.township["东街镇"]!)).run()
            try await SyncSession(store: county, hub: HTTPHub(url: url, token: f.county)).run()
            #expect(try county.activity(fromA)?.quantities["attendance"] == 120)
            #expect(Set(try [a, county, f.hub].map { try $0.stateDigest() }).count == 1)
        }
    }
}
