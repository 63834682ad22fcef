import Foundation
import HTTPTypes
import Hummingbird
import KtxWords
import Reporting
import Store
import SyncCore
import Synchronization

/// What the sync button did, worded for the clerk.
public struct SyncResult: Sendable {
    /// Whether the sync succeeded.
    public var succeeded: Bool
    /// One line saying what it did.
    public var summary: String
    /// What it says besides, each a line.
    public var messages: [String]

    /// What a sync did, worded.
    public init(succeeded: Bool, summary: String, messages: [String]) {
        self.succeeded = succeeded
        self.summary = summary
        self.messages = messages
    }
}

/// The clerk's forms, `ktx ui`: this PC's replica on 127.0.0.1 only. Every change goes
/// through the same ``Store`` calls as `ktx record`, `attend`, `edit`, `delete` and
/// `restore`, so the same rule checks it and the same message explains a refusal.
public final class ClerkUI: Sendable {
    /// Runs a sync of this replica and words its outcome for the page, reporting progress.
    public typealias SyncAction = @Sendable (_ language: Language, _ progress: @escaping @Sendable (SyncProgress) -> Void) async -> SyncResult

    let store: Store
    let sync: SyncAction
    /// The secret every form of this server carries: a page of another site cannot know it.
    let formToken = Web.secret()
    let state = Mutex<(running: Bool, progress: SyncProgress?, last: SyncResult?)>((false, nil, nil))

    /// The clerk's pages on this replica, syncing with `sync`.
    public init(store: Store, sync: @escaping SyncAction) {
        self.store = store
        self.sync = sync
    }

    /// Adds the clerk's pages to a router.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/assets/app.css") { _, _ in Web.asset(WebTemplates.css, contentType: "text/css; charset=utf-8") }
        router.get("/assets/app.js") { _, _ in Web.asset(WebTemplates.js, contentType: "text/javascript; charset=utf-8") }
        router.get("/") { request, _ in try await self.guarded(request) { try self.home(request, $0) } }
        router.get("/new") { request, _ in try await self.guarded(request) { self.form($0, values: [:], error: nil, status: .ok) } }
        router.post("/new") { request, _ in try await self.posted(request) { try self.record($0, $1) } }
        router.get("/a/:id") { request, context in
            try await self.guarded(request) { language in
                try self.activity(context.parameters.get("id") ?? "", language,
                                  notice: Web.query(request, "saved") != nil ? WebText.text("saved", language) : nil, error: nil)
            }
        }
        router.get("/a/:id/edit") { request, context in
            try await self.guarded(request) { try self.editForm(context.parameters.get("id") ?? "", $0) }
        }
        router.post("/a/:id/edit") { request, context in
            try await self.posted(request) { try self.edit(context.parameters.get("id") ?? "", $0, $1) }
        }
        router.post("/a/:id/attend") { request, context in
            try await self.posted(request) { try self.attend(context.parameters.get("id") ?? "", $0, $1) }
        }
        router.post("/a/:id/delete") { request, context in
            try await self.posted(request) { language, _ in try self.delete(context.parameters.get("id") ?? "", language) }
        }
        router.post("/a/:id/restore") { request, context in
            try await self.posted(request) { language, _ in try self.restore(context.parameters.get("id") ?? "", language) }
        }
        router.post("/submit") { request, _ in try await self.posted(request) { try self.submit($0, $1) } }
        router.post("/sync") { request, _ in
            guard Web.isLoopbackHost(request) else { return self.refuse(Web.language(request), "not_loopback", .misdirectedRequest) }
            let language = Web.language(request)
            guard Web.isSameOrigin(request), Web.sameSecret(try await Web.form(request)["form_token"] ?? "", self.formToken) else {
                return self.refuse(language, "cross_site", .forbidden)
            }
            return await self.runSync(language)
        }
        router.get("/sync/progress") { request, _ in
            guard Web.isLoopbackHost(request) else { return self.refuse(Web.language(request), "not_loopback", .misdirectedRequest) }
            let (running, progress, _) = self.state.withLock { $0 }
            var headers = Web.headers(contentType: "application/json; charset=utf-8")
            headers[.cacheControl] = "no-store"
            let body = "{\"running\":\(running),\"phase\":\"\(progress?.phase.rawValue ?? "")\",\"done\":\(progress?.done ?? 0),\"total\":\(progress?.total ?? 0)}"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
        }
    }

    // MARK: Guards

    /// A page for this PC only (a page of another site that names 127.0.0.1 by another
    /// name is refused), in the clerk's language.
    func guarded(_ request: Request, _ body: @escaping @Sendable (Language) throws -> Response) async throws -> Response {
        let language = Web.language(request)
        guard Web.isLoopbackHost(request) else { return refuse(language, "not_loopback", .misdirectedRequest) }
        var response = try await Web.offThePool { try body(language) }
        for cookie in Web.languageCookie(request) { response.headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return response
    }

    /// A form posted from this server's own page: same origin and carrying the form token.
    func posted(_ request: Request, _ body: @escaping @Sendable (Language, [String: String]) throws -> Response) async throws -> Response {
        let language = Web.language(request)
        guard Web.isLoopbackHost(request) else { return refuse(language, "not_loopback", .misdirectedRequest) }
        guard Web.isSameOrigin(request) else { return refuse(language, "cross_site", .forbidden) }
        let fields = try await Web.form(request)
        guard Web.sameSecret(fields["form_token"] ?? "", formToken) else { return refuse(language, "cross_site", .forbidden) }
        return try await Web.offThePool { try body(language, fields) }
    }

    func refuse(_ language: Language, _ key: String, _ status: HTTPResponse.Status) -> Response {
        render("message", Page(language, ["title": WebText.text("error", language), "message": WebText.text(key, language)]), status: status)
    }

    // MARK: Pages

    func home(_ request: Request, _ language: Language) throws -> Response {
        let catalog = store.catalog
        let me = try store.identity()
        let kind = try Web.query(request, "kind").map { try Validate.kind($0, catalog: catalog).code }
        let year = try Web.query(request, "year").map { try Validate.year($0) }
        let search = Web.query(request, "q")
        let records = try store.activities(ActivityFilter(kind: kind, year: year))
            .filter { record in search.map { (record.title ?? "").localizedCaseInsensitiveContains($0) } ?? true }
        var page = Page(language, ["title": WebText.text("records", language), "township": me.township, "replica": me.replica.short,
                                   "fingerprint": (try? store.publicKey().fingerprint) ?? "",
                                   "year": year.map(String.init) ?? "", "q": search ?? "", "count": records.count])
        page["remotes"] = try store.remotes().map { r -> [String: Any] in
            ["name": r.name, "location": r.location, "unsynced": r.unsynced, "last": r.lastSyncMillis.map { Web.time($0) } ?? ""]
        }
        var messages = state.withLock { $0.last.map { [$0.summary] + $0.messages } } ?? []
        // Between syncs too: a governed folder whose roster (as this PC last read it) does
        // not list this PC yet.
        for remote in try store.remotes() {
            guard let key = try store.hubKey(remote: remote.name), let kept = try store.keptRoster(countyKey: key),
                  let roster = try? JSONDecoder().decode(Roster.self, from: Data(kept.body.utf8)), roster.member(me.replica) == nil
            else { continue }
            let waiting = language.pick(zh: "本机尚未获县科协批准（\(remote.name)）：请打电话告诉县科协本机的密钥指纹，批准后再同步",
                                        en: "this PC is waiting for the county to approve it (\(remote.name)): phone the county with this PC's key fingerprint, then sync again once approved")
            if !messages.contains(where: { $0.hasPrefix(waiting.prefix(8)) }) { messages.append(waiting) }
        }
        // How many of this PC's records the county does not have, and why (the last sync's findings).
        let problems = try store.flowProblems()
        for remote in try store.remotes() {
            let count = try store.unreachedOwnOperations(remote: remote, problems: problems)
            if let line = FlowProblem.notReachedLine(count, remote: remote.name, problems: problems, language) { messages.append(line) }
        }
        page["last_messages"] = messages
        // The year's close: where this township's years stand, and a button to submit one.
        let years = Set(try store.activities(ActivityFilter()).compactMap { $0.date.flatMap { Int($0.prefix(4)) } })
            .union(try store.yearsWithSteps()).sorted(by: >)
        let renderer = ReportRenderer(language: language)
        page["years_close"] = try years.compactMap { year -> [String: Any]? in
            guard let s = try store.yearStandings(year).first(where: { $0.township == me.township }) else { return nil }
            let state = s.standing.state
            var row: [String: Any] = ["year": year, "state": renderer.stateWord(state), "state_class": state.rawValue,
                    "detail": language.pick(zh: "\(s.activities) 项活动，参加人次 \(s.attendance)", en: "\(s.activities) activities, attendance \(s.attendance)"),
                    "can_submit": me.role != .county && state != .approved,
                    "submit_label": language.pick(zh: "提交 \(year) 年度给县科协", en: "Submit \(year) to the county")]
            if state == .returned, let reason = s.standing.decided?.step.reason {
                row["reason"] = language.pick(zh: "退回原因：", en: "returned because: ") + reason
            }
            return row
        }
        page["has_years_close"] = !years.isEmpty && me.role != .county
        page["years_heading"] = language.pick(zh: "年度提交", en: "Year submissions")
        page["kinds"] = catalog.kinds.map { ["code": $0.code, "name": $0.displayName(language), "selected": $0.code == kind] }
        page["activities"] = records.reversed().prefix(1000).map { a -> [String: Any] in
            ["id": a.id.rawValue, "date": a.date ?? "", "kind": catalog.kindName(code: a.kind, language), "title": a.title ?? "",
             "attendance": catalog.metric(code: "attendance")?.format(a.quantities["attendance"] ?? 0) ?? ""]
        }
        return render("clerk_home", page)
    }

    /// Submits this township's year; the county gets it at the next sync.
    func submit(_ language: Language, _ fields: [String: String]) throws -> Response {
        do {
            let year = try Validate.year(fields["year"] ?? "")
            guard try store.identity().role != .county else {
                throw KtxError(.townshipOnly, zh: "县科协的电脑不提交年度", en: "the county's PC does not submit a year")
            }
            try store.submitYear(year)
            return Web.redirect("/")
        } catch let error as KtxError where error.isBadInput {
            return render("message", Page(language, ["title": WebText.text("error", language), "message": WebText.message(error, language, store.catalog)]),
                          status: .unprocessableContent)
        }
    }

    /// The record form (or the edit form, with `action`), filled with what was typed.
    func form(_ language: Language, values: [String: String], error: String?, status: HTTPResponse.Status,
              action: String = "/new", quantities: Bool = true) -> Response {
        let catalog = store.catalog
        var page = Page(language, ["title": WebText.text(action == "/new" ? "new_activity" : "edit", language), "action": action,
                                   "date": values["date"] ?? "", "title_value": values["title"] ?? "", "venue": values["venue"] ?? "",
                                   "project": values["project"] ?? "", "notes": values["notes"] ?? "", "show_quantities": quantities,
                                   "cancel": action == "/new" ? "/" : String(action.dropLast("/edit".count))])
        if let error { page["error"] = error }
        let chosen = values["kind"].flatMap { catalog.kind(named: $0)?.code }
        page["kinds"] = catalog.kinds.map { ["code": $0.code, "name": $0.displayName(language), "selected": $0.code == chosen] }
        page["metrics"] = catalog.metrics.map { m -> [String: Any] in
            ["code": m.code, "name": m.displayName(language), "unit": m.unit, "value": values["m-" + m.code] ?? ""]
        }
        return render("clerk_form", page, status: status)
    }

    func record(_ language: Language, _ fields: [String: String]) throws -> Response {
        func text(_ name: String) -> String? { fields[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        do {
            guard let kind = text("kind") else { throw KtxError.missingField(.kind) }
            guard let date = text("date") else { throw KtxError.missingField(.date) }
            guard let title = text("title") else { throw KtxError.missingField(.title) }
            var quantities: [String: Int64] = [:]
            for metric in store.catalog.metrics {
                guard let typed = text("m-" + metric.code) else { continue }
                quantities[metric.code] = try Self.amount(typed, metric, language)
            }
            let id = try store.record(ActivityDraft(kind: kind, date: date, title: title, venue: text("venue"), project: text("project"),
                                                    notes: text("notes"), quantities: quantities))
            return Web.redirect("/a/\(id.rawValue)?saved=1")
        } catch let error as KtxError where error.isBadInput {
            return form(language, values: fields, error: WebText.message(error, language, store.catalog), status: .unprocessableContent)
        }
    }

    /// An amount typed in a quantity's field, by the catalog's one rule for amounts.
    static func amount(_ typed: String, _ metric: Metric, _ language: Language) throws -> Int64 {
        guard let value = metric.parse(typed) else { throw KtxError.badNumber(.metric(metric.code), typed, metric: metric) }
        return value
    }

    func activity(_ text: String, _ language: Language, notice: String?, error: String?, status: HTTPResponse.Status = .ok) throws -> Response {
        guard let id = ActivityID(parsing: text), let record = try store.activity(id) else {
            return render("message", Page(language, ["title": WebText.text("error", language),
                                                     "message": KtxError.unknownActivity(text).message(language)]), status: .notFound)
        }
        let catalog = store.catalog
        let words = ChangeText(language: language, catalog: catalog)
        var page = Page(language, ["title": record.title ?? id.rawValue, "id": id.rawValue, "deleted": record.deleted,
                                   "own": record.township == (try store.identity().township)])
        if let notice { page["notice"] = notice }
        if let error { page["error"] = error }
        Dashboard.describe(record, words: words, into: &page)
        page["metrics"] = catalog.metrics.map { ["code": $0.code, "name": $0.displayName(language)] }
        page["history"] = Dashboard.history(try store.log(activity: id), words: words, language: language)
        return render("clerk_activity", page, status: status)
    }

    func editForm(_ text: String, _ language: Language) throws -> Response {
        guard let id = ActivityID(parsing: text), let record = try store.activity(id) else {
            return try activity(text, language, notice: nil, error: nil)
        }
        var values: [String: String] = [:]
        for field in Field.allCases { values[field.rawValue] = record[field] ?? "" }
        return form(language, values: values, error: nil, status: .ok, action: "/a/\(id.rawValue)/edit", quantities: false)
    }

    func edit(_ text: String, _ language: Language, _ fields: [String: String]) throws -> Response {
        guard let id = ActivityID(parsing: text), let record = try store.activity(id) else {
            return try activity(text, language, notice: nil, error: nil)
        }
        // Only what the clerk changed becomes an operation, as with `ktx edit`.
        func changed(_ field: Field) -> String? {
            let typed = (fields[field.rawValue] ?? "").trimmingCharacters(in: .whitespaces)
            return typed == (record[field] ?? "") ? nil : typed
        }
        let kindTyped = fields["kind"].flatMap { store.catalog.kind(named: $0)?.code == record.kind ? nil : $0 }
        let edit = ActivityEdit(title: changed(.title), date: changed(.date), venue: changed(.venue), kind: kindTyped,
                                project: changed(.project), notes: changed(.notes))
        do {
            if !edit.isEmpty { try store.edit(id, edit) }
            return Web.redirect("/a/\(id.rawValue)?saved=1")
        } catch let error as KtxError where error.isBadInput {
            return form(language, values: fields, error: WebText.message(error, language, store.catalog), status: .unprocessableContent,
                        action: "/a/\(id.rawValue)/edit", quantities: false)
        }
    }

    func attend(_ text: String, _ language: Language, _ fields: [String: String]) throws -> Response {
        do {
            guard let id = ActivityID(parsing: text) else { throw KtxError.badActivityID(text) }
            guard let metric = store.catalog.metric(named: fields["metric"] ?? "attendance") else {
                throw KtxError.unknownMetric(fields["metric"] ?? "", catalog: store.catalog)
            }
            let typed = (fields["amount"] ?? "").trimmingCharacters(in: .whitespaces)
            guard !typed.isEmpty else { throw KtxError.missingField(WebText.text("amount", language)) }
            let amount = try Self.amount(typed, metric, language)
            let total = try store.add(to: id, metric: metric.code, amount: amount)
            let change = (amount >= 0 ? "+" : "") + metric.format(amount)
            return try activity(text, language, notice: language.pick(zh: "\(metric.name) \(metric.format(total))（\(change)）",
                                                                     en: "\(metric.english) \(metric.format(total)) (\(change))"), error: nil)
        } catch let error as KtxError where error.isBadInput {
            return try activity(text, language, notice: nil, error: WebText.message(error, language, store.catalog), status: .unprocessableContent)
        }
    }

    func delete(_ text: String, _ language: Language) throws -> Response {
        do {
            guard let id = ActivityID(parsing: text) else { throw KtxError.badActivityID(text) }
            try store.delete(id)
            return Web.redirect("/a/\(id.rawValue)")
        } catch let error as KtxError where error.isBadInput {
            return try activity(text, language, notice: nil, error: WebText.message(error, language, store.catalog), status: .unprocessableContent)
        }
    }

    func restore(_ text: String, _ language: Language) throws -> Response {
        do {
            guard let id = ActivityID(parsing: text) else { throw KtxError.badActivityID(text) }
            let restored = try store.restore(id)
            return Web.redirect("/a/\(restored.rawValue)")
        } catch let error as KtxError where error.isBadInput {
            return try activity(text, language, notice: nil, error: WebText.message(error, language, store.catalog), status: .unprocessableContent)
        }
    }

    func runSync(_ language: Language) async -> Response {
        let started = state.withLock { s -> Bool in
            guard !s.running else { return false }
            s.running = true
            s.progress = nil
            return true
        }
        guard started else {
            return render("clerk_sync", Page(language, ["title": WebText.text("outcome_title", language), "ok": false,
                                                         "summary": language.pick(zh: "已有一次同步正在进行，请稍候再看结果", en: "a sync is running already; wait for it"),
                                                         "messages": [String]()]), status: .conflict)
        }
        let result = await sync(language) { progress in self.state.withLock { $0.progress = progress } }
        state.withLock {
            $0.running = false
            $0.last = result
        }
        return render("clerk_sync", Page(language, ["title": WebText.text("outcome_title", language), "ok": result.succeeded,
                                                     "summary": result.summary, "messages": result.messages]))
    }

    // MARK: Rendering

    func render(_ template: String, _ page: Page, status: HTTPResponse.Status = .ok) -> Response {
        var page = page
        page["clerk"] = true
        page["form_token"] = formToken
        page["nav"] = [["href": "/", "label": WebText.text("records", page.language)],
                       ["href": "/new", "label": WebText.text("new_activity", page.language)]]
        return Web.html(WebTemplates.shared.render(template, page.context), status: status)
    }
}
