import Foundation
import HTTPTypes
import HubServer
@testable import HubStorage
import Hummingbird
import HummingbirdTesting
import KtxWords
@testable import Store
import SyncCore
import Synchronization
import TestSupport
import Testing
@testable import Web

/// The county's dashboard as the hub serves it, and the clerk's forms, without a browser:
/// every page and form through the router (the browser test, scripts/browser-test.py, runs
/// the same pages in Chromium).
@Suite struct DashboardPageTests {
    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]

    static func body(_ fields: [String: String]) -> ByteBuffer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return ByteBuffer(string: fields.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&"))
    }

    /// Logs in with a token; returns the session cookie and the page's form token.
    static func login(_ client: some TestClientProtocol, _ token: String) async throws -> (cookie: String, formToken: String) {
        let cookie = try await client.execute(uri: "/login", method: .post, headers: form, body: body(["token": token])) { response in
            #expect(response.status == .seeOther)
            let set = response.headers[.setCookie] ?? ""
            #expect(set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Max-Age="))
            return String(set.split(separator: ";")[0])
        }
        let formToken = try await client.execute(uri: "/", method: .get, headers: [.cookie: cookie]) { response in
            let text = response.body.text
            guard let range = text.range(of: #"name="form_token" value=""#) else { return "" }
            return String(text[range.upperBound...].prefix(64))
        }
        return (cookie, formToken)
    }

    /// A hub holding 河西镇's activity, edited concurrently by two of its PCs.
    static func hubWithRecords(_ f: HubFixture) async throws -> (ActivityID, Store, Store) {
        let a = try f.lab.replica("a", township: "河西镇")
        let b = try f.lab.replica("b", township: "河西镇")
        let id = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "果树修剪培训", project: "2023-kjxx",
                                            quantities: ["attendance": 120]))
        _ = try await f.lab.sync(a)
        _ = try await f.lab.sync(b)
        try a.edit(id, ActivityEdit(venue: "村委会"))
        f.lab.clock.advance(by: 1_000)
        try b.edit(id, ActivityEdit(venue: "文化广场"))
        _ = try await f.lab.sync(a)
        _ = try await f.lab.sync(b)
        _ = try await f.lab.sync(a)
        return (id, a, b)
    }

    @Test(arguments: HubFixture.backends) func withoutASessionEveryPageIsTheLoginPageAndAWrongTokenIsRefused(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        try await f.application.test(.router) { client in
            for path in ["/", "/townships", "/activities", "/admin", "/form.xlsx?year=2023"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.body.text.contains(#"<input id="token" name="token" type="password""#), "\(path)")
                    #expect(!response.body.text.contains("河西镇"))
                }
            }
            try await client.execute(uri: "/login", method: .post, headers: Self.form, body: Self.body(["token": "wrong"])) { response in
                #expect(response.status == .unauthorized)
                #expect(response.body.text.contains("令牌不对或已吊销"))
                #expect(response.headers[.setCookie] == nil)
            }
            // A township's token syncs; it does not open the county's pages.
            try await client.execute(uri: "/login", method: .post, headers: Self.form, body: Self.body(["token": f.township["河西镇"]!])) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.setCookie] == nil)
            }
            // After logging in, back to the page asked for, on this site only.
            try await client.execute(uri: "/townships?days=7", method: .get) { response in
                #expect(response.body.text.contains(#"<input type="hidden" name="next" value="/townships?days=7">"#))
            }
            try await client.execute(uri: "/login", method: .post, headers: Self.form,
                                     body: Self.body(["token": f.county, "next": "/townships?days=7"])) { #expect($0.headers[.location] == "/townships?days=7") }
            try await client.execute(uri: "/login", method: .post, headers: Self.form,
                                     body: Self.body(["token": f.county, "next": "//evil.example/"])) { #expect($0.headers[.location] == "/") }
            // The page's language follows the browser, and ?lang= switches it.
            try await client.execute(uri: "/", method: .get, headers: [.acceptLanguage: "en-GB,en;q=0.9"]) { response in
                #expect(response.body.text.contains("<h1>Log in</h1>"))
            }
        }
    }

    @Test(arguments: HubFixture.backends) func theCountySeesTotalsPCsActivitiesAndTheHistoryWithTheEditThatHolds(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        try await f.application.test(.router) { client in
            let a = try f.lab.replica("a", township: "河西镇")
            let id = try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "果树修剪培训", project: "13053523P00000110073C",
                                                quantities: ["attendance": 120]))
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(a))) {
                #expect($0.status == .ok)
            }
            // A push the hub refuses is counted against the PC, with its reason.
            try a.setIndicator(IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率"), value: "95", checkingRights: false)
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(a, after: 6))) {
                #expect($0.status == .forbidden)
            }
            let (cookie, _) = try await Self.login(client, f.county)
            let me = try a.identity().replica.short
            try await client.execute(uri: "/?year=2023", method: .get, headers: [.cookie: cookie]) { response in
                let text = response.body.text
                #expect(response.status == .ok)
                #expect(text.contains("科技下乡活动") && text.contains("科技服务人次") && text.contains("120人次"))
                #expect(text.contains(#"<meter min="0" max="100""#) && text.contains("未达标"))
                #expect(text.contains(#"href="/form.xlsx?year=2023""#))
                #expect(!text.contains(#"href="/admin""#), "the county is not an admin")
            }
            try await client.execute(uri: "/townships?days=30", method: .get, headers: [.cookie: cookie]) { response in
                let text = response.body.text
                #expect(text.contains("<th scope=\"row\">河西镇</th><td class=\"num\">1</td><td class=\"num\">120</td>"))
                #expect(text.contains("<code>\(me)</code>"))
                #expect(text.contains("<code>county-only</code> × 1"))
            }
            try await client.execute(uri: "/activities?township=河西镇&q=果树", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.body.text.contains(#"<a href="/activities/\#(id.rawValue)">果树修剪培训</a>"#))
            }
            try await client.execute(uri: "/activities?q=没有这个", method: .get, headers: [.cookie: cookie]) { response in
                #expect(!response.body.text.contains("果树修剪培训"))
            }
            try await client.execute(uri: "/activities?from=2023-13-01", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.text.contains("没有 13 月"))
            }
            try await client.execute(uri: "/activities/\(id.rawValue)", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.body.text.contains("参加人次 +120"))
            }
            try await client.execute(uri: "/form.xlsx?year=2023", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                #expect(Array(response.body.readableBytesView.prefix(2)) == Array("PK".utf8))
            }
            try await client.execute(uri: "/form?year=2023&lang=en", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.body.text.contains("科技服务人次"))
                #expect(response.headers[.setCookie]?.hasPrefix("ktx_lang=en") == true)
                // Styled by the site's own stylesheet: the page's policy allows no inline style.
                #expect(!response.body.text.contains("<style>"))
                #expect(response.body.text.contains(#"<link rel="stylesheet" href="/form.css?lang=en" />"#))
                #expect(response.headers[.contentSecurityPolicy]?.contains("style-src 'self'") == true)
            }
            try await client.execute(uri: "/form.css?lang=en", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType] == "text/css; charset=utf-8")
                #expect(response.body.text.contains("@page { size: A4") && response.body.text.contains("border: 0.3mm solid"))
            }
            try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie]) { #expect($0.status == .forbidden) }
        }
    }

    @Test(arguments: HubFixture.backends) func theHistoryMarksTheConcurrentEditThatHolds(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let (id, a, b) = try await Self.hubWithRecords(f)
        // The folder hub merged both PCs' edits; the county's replica shows the same history.
        let county = try f.lab.replica("county", township: "县科协")
        _ = try await f.lab.sync(county)
        let router = Router()
        Dashboard(store: county, access: .local).register(on: router)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/activities/\(id.rawValue)", method: .get) { response in
                let text = response.body.text
                #expect(response.status == .ok)
                let winner = try b.identity().replica.short
                #expect(text.contains("地点 = 文化广场</td><td>生效</td>"))
                #expect(text.contains("地点 = 村委会</td><td>被 \(winner)"))
                _ = a
            }
            // Read-only: no form changes anything, and a page of another host name is refused.
            try await client.execute(uri: "/admin", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/login", method: .post, body: Self.body(["token": f.admin])) { #expect($0.status == .notFound) }
        }
    }

    /// The county's own dashboard (`ktx dashboard`) lists the PCs whose records are not
    /// flowing, as its last sync found them, in the reader's language with the next step.
    @Test func theCountysDashboardListsThePCsWhoseRecordsAreNotFlowing() async throws {
        let lab = ReplicaLab("not-flowing")
        defer { lab.remove() }
        // A PC whose clock is three days fast: what it publishes is held by everyone.
        let a = try Store.create(at: lab.dir.file("a.db"), township: "河西镇", wallClock: OffsetClock(lab.clock, offset: 3 * 86_400_000))
        let county = try lab.replica("county", township: ReplicaLab.countyOffice)
        try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t", quantities: ["attendance": 5]))
        try await StuckOverHTTPTests.publishAsOlderKtx(a, to: try lab.hub(for: a))
        try county.addRemote(name: "usb", location: lab.dir.file("hub"))
        _ = try await SyncSession(store: county, hub: try lab.hub(for: county), remote: "usb").run()
        let short = try a.identity().replica.short
        let router = Router()
        Dashboard(store: county, access: .local).register(on: router)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/townships?lang=zh", method: .get) { response in
                let text = response.body.text
                #expect(text.contains("<h2 id=\"flow-heading\">记录未能送达的电脑</h2>"))
                #expect(text.contains("“河西镇”的电脑 \(short)的时钟不准（比别处快）第 1 条起，其记录暂不合并：请把该电脑的日期和时间改正确后再同步"))
            }
            try await client.execute(uri: "/townships?lang=en", method: .get) { response in
                #expect(response.body.text.contains("clock is ahead from seq 1: its records are held."))
            }
        }
    }

    @Test(arguments: HubFixture.backends) func crossSitePostsAreRefusedAndChangeNothing(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        try await f.application.test(.router) { client in
            let before = try await f.backend.tokens().count
            try await client.execute(uri: "/login", method: .post, headers: Self.form.merging([.origin: "http://evil.example"]),
                                     body: Self.body(["token": f.admin])) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.setCookie] == nil)
            }
            let (cookie, formToken) = try await Self.login(client, f.admin)
            #expect(formToken.count == 64)
            var headers = Self.form
            headers[.cookie] = cookie
            // Another site's page posting with the admin's cookie (were a browser to send it).
            try await client.execute(uri: "/admin/tokens", method: .post, headers: headers.merging([HTTPField.Name("Sec-Fetch-Site")!: "cross-site"]),
                                     body: Self.body(["form_token": formToken, "role": "admin"])) { #expect($0.status == .forbidden) }
            // Without the page's form token.
            try await client.execute(uri: "/admin/tokens", method: .post, headers: headers,
                                     body: Self.body(["form_token": String(repeating: "0", count: 64), "role": "admin"])) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/logout", method: .post, headers: headers, body: Self.body([:])) { #expect($0.status == .forbidden) }
            #expect(try await f.backend.tokens().count == before)
            // The admin's own page: a township enrolled with a new token, shown once, then revoked.
            let secret = try await client.execute(uri: "/admin/tokens", method: .post, headers: headers.merging([.origin: "http://localhost"]),
                                                  body: Self.body(["form_token": formToken, "role": "township", "township": "新城镇"])) { response in
                #expect(response.status == .created)
                let text = response.body.text
                let range = try #require(text.range(of: #"<code class="secret" id="new-token">"#))
                return String(text[range.upperBound...].prefix { $0 != "<" })
            }
            let created = try #require(try await f.backend.tokens().last)
            #expect(created.township == "新城镇" && created.role == .township)
            #expect(try await f.backend.authenticate(secret: secret)?.tokenID == created.id)
            try await client.execute(uri: "/admin/tokens/\(created.id)/revoke", method: .post, headers: headers,
                                     body: Self.body(["form_token": formToken])) { #expect($0.status == .seeOther) }
            #expect(try await f.backend.authenticate(secret: secret) == nil)
            try await client.execute(uri: "/admin/tokens", method: .post, headers: headers,
                                     body: Self.body(["form_token": formToken, "role": "township"])) { response in
                #expect(response.status == .badRequest)
                #expect(response.body.text.contains("乡镇令牌须填写乡镇名称"))
            }
            // Logging out ends the session: the same cookie shows the login page.
            try await client.execute(uri: "/logout", method: .post, headers: headers, body: Self.body(["form_token": formToken])) {
                #expect($0.status == .seeOther)
                #expect($0.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/admin", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.body.text.contains(#"name="token""#))
            }
        }
    }

    @Test(arguments: HubFixture.backends) func theCountyEntersAManualValueAndReasonsThatBecomeOperationsEveryReplicaPulls(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        try await f.application.test(.router) { client in
            let (cookie, formToken) = try await Self.login(client, f.county)
            var headers = Self.form
            headers[.cookie] = cookie
            let link = "/indicator?indicator=%E7%A7%91%E6%8A%80%E7%89%B9%E6%B4%BE%E5%91%98%E8%A6%86%E7%9B%96%E7%8E%87&project=rural&year=2023"
            try await client.execute(uri: "/?year=2023", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.body.text.contains(#"<a href="\#(link.replacingOccurrences(of: "&", with: "&amp;"))""#))
            }
            try await client.execute(uri: link, method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.body.text.contains(#"<input id="value" name="value""#))
            }
            // A computed indicator takes no value (the CLI's rule and words); nothing is written.
            try await client.execute(uri: "/indicator", method: .post, headers: headers,
                                     body: Self.body(["form_token": formToken, "year": "2023", "project": "rural", "indicator": "科技服务人次",
                                                      "value": "5000", "note": "x"])) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.body.text.contains("由活动记录计算"))
            }
            try await client.execute(uri: "/indicator", method: .post, headers: headers,
                                     body: Self.body(["form_token": formToken, "year": "2023", "project": "rural", "indicator": "科技特派员覆盖率",
                                                      "value": "92%", "note": ""])) { #expect($0.status == .unprocessableContent) }
            #expect(try f.hub.indicatorValues(year: 2023).isEmpty && f.hub.indicatorNotes(year: 2023).isEmpty)
            try await client.execute(uri: "/indicator", method: .post, headers: headers.merging([.origin: "http://localhost"]),
                                     body: Self.body(["form_token": formToken, "year": "2023", "project": "rural", "indicator": "科技特派员覆盖率",
                                                      "value": "92", "note": "两个村尚无特派员，明年补派"])) { response in
                #expect(response.status == .seeOther)
            }
            let key = IndicatorKey(year: 2023, project: "rural", indicator: "科技特派员覆盖率")
            #expect(try f.hub.indicatorValues(year: 2023)[key] == "92")
            #expect(try f.hub.indicatorNotes(year: 2023)[key] == "两个村尚无特派员，明年补派")
            try await client.execute(uri: "/?year=2023&saved=1", method: .get, headers: [.cookie: cookie]) { response in
                let text = response.body.text
                #expect(text.contains("已保存指标") && text.contains("<td class=\"num\">92.0%</td>") && text.contains("两个村尚无特派员，明年补派"))
            }
            // They are operations of the hub's own replica, one of the county office's: a pull
            // carries them under its name, and the form's 数据来源 line names no "hub".
            let hubReplica = try f.hub.identity().replica.hex
            try await client.execute(uri: "/v1/pull", method: .post, headers: bearer(f.township["河西镇"]!),
                                     body: ByteBuffer(string: #"{"after": {}}"#)) { response in
                #expect(response.body.text.contains("科技特派员覆盖率"))
                let page = try response.body.decode(HubAPI.PullPage.self)
                #expect(page.batches.filter { $0.replica == hubReplica }.map(\.township) == [Store.countyOffice])
            }
            #expect(try f.hub.freshness().map(\.township) == [Store.countyOffice])
            // A township's session cannot exist; without a session the post is refused.
            try await client.execute(uri: "/indicator", method: .post, headers: Self.form,
                                     body: Self.body(["form_token": formToken, "year": "2023", "project": "rural", "indicator": "科技特派员覆盖率",
                                                      "value": "10"])) { #expect($0.status == .forbidden) }
            #expect(try f.hub.indicatorValues(year: 2023)[key] == "92")
        }
    }

    @Test(arguments: HubFixture.backends) func aPCThatSyncsWithNothingToPushIsSeenSyncingOnlyByItsOwnTownshipsToken(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        try await f.application.test(.router) { client in
            let a = try f.lab.replica("a", township: "河西镇")
            try a.record(ActivityDraft(kind: "rural", date: "2023-05-20", title: "t"))
            try await client.execute(uri: "/v1/ops", method: .post, headers: bearer(f.township["河西镇"]!), body: json(try f.batch(a))) {
                #expect($0.status == .ok)
            }
            let pushed = try #require(try f.hub.replicaSummaries().first)
            #expect(pushed.lastPush == pushed.lastSync)
            f.lab.clock.advance(by: 3 * 86_400_000)
            var named = bearer(f.township["东街镇"]!)
            named[HTTPField.Name("Ktx-Replica")!] = try a.identity().replica.hex
            try await client.execute(uri: "/v1/vector", method: .get, headers: named) { #expect($0.status == .ok) }
            #expect(try f.hub.replicaSummaries().first?.lastSync == pushed.lastPush, "another township's token speaks not for it")
            named[.authorization] = "Bearer " + f.township["河西镇"]!
            try await client.execute(uri: "/v1/vector", method: .get, headers: named) { #expect($0.status == .ok) }
            #expect(try f.hub.replicaSummaries().first?.lastSync == f.lab.clock.nowMillis())
            #expect(try f.hub.replicaSummaries().first?.lastPush == pushed.lastPush)
        }
    }

    @Test(arguments: HubFixture.backends) func aSessionExpiresAfterItsLifetime(backend: HubBackendKind) async throws {
        let f = try await HubFixture(backend)
        defer { f.remove() }
        let now = Mutex(Date(timeIntervalSince1970: 1_700_000_000))
        let sessions = Sessions(lifetime: 600, now: { now.withLock { $0 } })
        let router = Router()
        Dashboard(hub: f.backend, access: .hub(sessions)).register(on: router)
        try await Application(router: router).test(.router) { client in
            let (cookie, _) = try await Self.login(client, f.county)
            try await client.execute(uri: "/townships", method: .get, headers: [.cookie: cookie]) { #expect($0.body.text.contains("<h1>乡镇</h1>")) }
            now.withLock { $0 += 601 }
            try await client.execute(uri: "/townships", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.body.text.contains(#"name="token""#))
                #expect(!response.body.text.contains("<h1>乡镇</h1>"))
            }
        }
    }
}

@Suite struct ClerkPageTests {
    static func clerk(_ store: Store) -> (Application<RouterResponder<BasicRequestContext>>, ClerkUI) {
        let router = Router()
        let ui = ClerkUI(store: store, sync: { language, progress in
            progress(SyncProgress(phase: .push, done: 1, total: 1))
            return SyncResult(succeeded: true, summary: language.pick(zh: "已同步", en: "synced"), messages: ["本机尚未获县科协批准"])
        })
        ui.register(on: router)
        return (Application(router: router), ui)
    }

    static func formToken(_ client: some TestClientProtocol) async throws -> String {
        try await client.execute(uri: "/new", method: .get) { response in
            let text = response.body.text
            let range = try #require(text.range(of: #"name="form_token" value=""#))
            return String(text[range.upperBound...].prefix(64))
        }
    }

    static let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .origin: "http://localhost"]

    /// A clerk is told about a field by the name the form gives it, never by a terminal's option.
    @Test func aMistakeNamesTheFieldAsTheFormDoes() async throws {
        let lab = ReplicaLab("clerk-words")
        defer { lab.remove() }
        let store = try lab.replica("a", township: "河西镇")
        let attendance = try #require(store.catalog.metric(named: "attendance")).displayName(.zh)
        try await Self.clerk(store).0.test(.router) { client in
            let token = try await Self.formToken(client)
            for (fields, words) in [
                (["title": String(repeating: "培", count: 201)], "标题 不能为空，不能含换行或控制字符，且不超过 200 个字"),
                (["title": ""], "缺少必填项 标题"),
                (["title": "果树修剪培训", "venue": String(repeating: "村", count: 201)], "地点 不能为空"),
                (["title": "果树修剪培训", "m-attendance": "-5"], "\(attendance) 不能为负数"),
            ] {
                let body = ["form_token": token, "kind": "rural", "date": "2023-05-20"].merging(fields) { $1 }
                try await client.execute(uri: "/new", method: .post, headers: Self.form, body: DashboardPageTests.body(body)) { response in
                    #expect(response.status == .unprocessableContent)
                    #expect(response.body.text.contains(words), "\(fields)")
                    #expect(!response.body.text.contains("--"), "\(fields)")
                    // Nor told to type a command: the form is where the clerk mends it.
                    #expect(!response.body.text.contains("ktx attend"), "\(fields)")
                }
            }
            #expect(try store.activities().isEmpty)
            // The words that name what to give, and what is missing, speak as the form does too.
            let edit = KtxError.nothingToChange().message(.zh, fields: WebText.fieldNames(store.catalog))
            #expect(edit == "没有要修改的内容：请至少给出 标题、日期、地点、类型、项目 之一", "\(edit)")
            let gone = KtxError.unknownActivity("abcdefabcdef-9").message(.en, fields: WebText.fieldNames(store.catalog))
            #expect(!gone.contains("ktx ") && gone.contains("sync first"), "\(gone)")
        }
    }

    @Test func aClerkRecordsAddsEditsDeletesAndRestoresThroughTheForms() async throws {
        let lab = ReplicaLab("clerk")
        defer { lab.remove() }
        let store = try lab.replica("a", township: "河西镇")
        try await Self.clerk(store).0.test(.router) { client in
            let token = try await Self.formToken(client)
            // A date the CLI refuses is refused with the CLI's words, the form keeps what was typed.
            try await client.execute(uri: "/new", method: .post, headers: Self.form,
                                     body: DashboardPageTests.body(["form_token": token, "kind": "rural", "date": "2023-13-01",
                                                                    "title": "果树修剪培训", "m-attendance": "120"])) { response in
                #expect(response.status == .unprocessableContent)
                #expect(response.body.text.contains("日期“2023-13-01”无效：没有 13 月"))
                #expect(response.body.text.contains(#"value="果树修剪培训""#))
            }
            try await client.execute(uri: "/new", method: .post, headers: Self.form,
                                     body: DashboardPageTests.body(["form_token": token, "kind": "rural", "date": "2023-05-20",
                                                                    "title": "果树修剪培训", "m-attendance": "12人"])) { response in
                #expect(response.status == .unprocessableContent)
            }
            #expect(try store.activities().isEmpty)
            let location = try await client.execute(uri: "/new", method: .post, headers: Self.form,
                                                     body: DashboardPageTests.body(["form_token": token, "kind": "科技下乡", "date": "2023/5/20",
                                                                                    "title": "果树修剪培训", "venue": "村委会", "notes": "县农业局协办\n第二行",
                                                                                    "m-attendance": "120", "m-cost": "350.5"])) { response in
                #expect(response.status == .seeOther)
                return response.headers[.location] ?? ""
            }
            let record = try #require(try store.activities().first)
            #expect(location == "/a/\(record.id.rawValue)?saved=1")
            #expect(record.kind == "rural" && record.date == "2023-05-20" && record.venue == "村委会" && record.notes == "县农业局协办\n第二行")
            #expect(record.quantities["attendance"] == 120 && record.quantities["cost"] == 35_050)
            try await client.execute(uri: "/a/\(record.id.rawValue)/attend", method: .post, headers: Self.form,
                                     body: DashboardPageTests.body(["form_token": token, "metric": "attendance", "amount": "35"])) { response in
                #expect(response.status == .ok)
                #expect(response.body.text.contains("参加人次 155（+35）"))
            }
            try await client.execute(uri: "/a/\(record.id.rawValue)/edit", method: .get) { response in
                let text = response.body.text
                #expect(text.contains(#"<form method="post" action="/a/\#(record.id.rawValue)/edit""#))
                #expect(text.contains(#"value="果树修剪培训""#) && text.contains("县农业局协办\n第二行</textarea>"))
                #expect(text.contains(#"<option value="rural" selected>"#))
            }
            try await client.execute(uri: "/a/\(record.id.rawValue)/edit", method: .post, headers: Self.form,
                                     body: DashboardPageTests.body(["form_token": token, "kind": "rural", "date": "2023-05-20", "title": "果树修剪技术培训",
                                                                    "venue": "村委会", "project": "", "notes": "县农业局协办\n第二行"])) {
                #expect($0.status == .seeOther)
            }
            let edited = try #require(try store.activity(record.id))
            #expect(edited.title == "果树修剪技术培训" && edited.quantities["attendance"] == 155)
            // One operation for the one field changed.
            #expect(try store.log(activity: record.id).filter { if case .set(.venue, _) = $0.operation.change { true } else { false } }.count == 1)
            try await client.execute(uri: "/a/\(record.id.rawValue)/delete", method: .post, headers: Self.form,
                                     body: DashboardPageTests.body(["form_token": token])) { #expect($0.status == .seeOther) }
            #expect(try store.activity(record.id)?.deleted == true)
            let restored = try await client.execute(uri: "/a/\(record.id.rawValue)/restore", method: .post, headers: Self.form,
                                                    body: DashboardPageTests.body(["form_token": token])) { response in
                #expect(response.status == .seeOther)
                return String((response.headers[.location] ?? "").dropFirst(3))
            }
            let restoredID = try #require(ActivityID(parsing: restored))
            let back = try #require(try store.activity(restoredID))
            #expect(!back.deleted && back.quantities["attendance"] == 155 && back.title == "果树修剪技术培训")
            try await client.execute(uri: "/?lang=en", method: .get) { response in
                #expect(response.body.text.contains(">果树修剪技术培训</a>"))
                #expect(response.body.text.contains("<h1>Records</h1>"))
            }
        }
    }

    @Test func anotherSitesPageCannotPostOrReadTheForms() async throws {
        let lab = ReplicaLab("clerk")
        defer { lab.remove() }
        let store = try lab.replica("a", township: "河西镇")
        try await Self.clerk(store).0.test(.router) { client in
            let token = try await Self.formToken(client)
            let fields = ["form_token": token, "kind": "rural", "date": "2023-05-20", "title": "伪造"]
            try await client.execute(uri: "/new", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .origin: "http://evil.example"],
                                     body: DashboardPageTests.body(fields)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/new", method: .post, headers: [.contentType: "application/x-www-form-urlencoded", .origin: "null"],
                                     body: DashboardPageTests.body(fields)) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/new", method: .post, headers: Self.form,
                                     body: DashboardPageTests.body(fields.merging(["form_token": "x"]) { $1 })) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/sync", method: .post, headers: Self.form, body: DashboardPageTests.body([:])) { #expect($0.status == .forbidden) }
            #expect(try store.activities().isEmpty)
        }
    }

    @Test func theSyncButtonShowsTheOutcomeAndItsMessagesOnTheStatus() async throws {
        let lab = ReplicaLab("clerk")
        defer { lab.remove() }
        let store = try lab.replica("a", township: "河西镇")
        try await Self.clerk(store).0.test(.router) { client in
            let token = try await Self.formToken(client)
            try await client.execute(uri: "/sync/progress", method: .get) { response in
                #expect(response.body.text == #"{"running":false,"phase":"","done":0,"total":0}"#)
            }
            try await client.execute(uri: "/sync", method: .post, headers: Self.form, body: DashboardPageTests.body(["form_token": token])) { response in
                #expect(response.status == .ok)
                #expect(response.body.text.contains(#"id="sync-summary">已同步</p>"#))
                #expect(response.body.text.contains("<li>本机尚未获县科协批准</li>"))
            }
            let fingerprint = try store.publicKey().fingerprint
            try await client.execute(uri: "/sync/progress", method: .get) { response in
                #expect(response.body.text == #"{"running":false,"phase":"push","done":1,"total":1}"#)
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.body.text.contains("<li>本机尚未获县科协批准</li>"))
                #expect(response.body.text.contains(fingerprint))
            }
        }
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var result = self
        for field in other { result[field.name] = field.value }
        return result
    }
}
