import Foundation
import HTTPTypes
import HubStorage
import Hummingbird
import KtxWords
import Reporting
import Store
import SyncCore

/// The county's pages: on the HTTP hub (`ktx hub serve`, county and admin tokens log in), or
/// read-only on a county replica (`ktx dashboard`, on 127.0.0.1, no login).
public struct Dashboard: Sendable {
    /// Who may see the pages, and how they sign in.
    public enum Access: Sendable {
        /// The hub's pages: a county or admin token starts a session.
        case hub(Sessions)
        /// `ktx dashboard`: a county replica's data, read-only, for this PC only.
        case local
    }

    /// Where tokens and indicator entries go: the hub's backend (for `ktx dashboard`, the replica).
    let hub: any HubBackend
    var store: Store { hub.view }
    let access: Access
    /// Whether the pages are reached over HTTPS (then the cookie is `Secure`).
    let secureCookies: Bool

    /// The county's pages on a store: a SQLite hub's, or a county replica's for `ktx dashboard`.
    public init(store: Store, access: Access, secureCookies: Bool = false) {
        self.init(hub: store, access: access, secureCookies: secureCookies)
    }

    /// The hub's pages on its backend: on PostgreSQL, tokens are the shared database's and
    /// the pages show this node's view once brought up to date.
    public init(hub: any HubBackend, access: Access, secureCookies: Bool = false) {
        self.hub = hub
        self.access = access
        self.secureCookies = secureCookies
    }

    /// Who is looking: their language, and on the hub their session.
    struct Viewer: Sendable {
        var language: Language
        var role: HubRole?
        var sessionID: String?
        var formToken: String?
        var cookies: [String]
        var isAdmin: Bool { role == .admin }
        /// The county's manual indicator values and 偏差原因: county and admin sessions on the hub.
        var canEnterIndicators: Bool { role == .county || role == .admin }
    }

    /// Adds the pages to a router (the hub's, or `ktx dashboard`'s own).
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/assets/app.css") { _, _ in Web.asset(WebTemplates.css, contentType: "text/css; charset=utf-8") }
        router.get("/assets/app.js") { _, _ in Web.asset(WebTemplates.js, contentType: "text/javascript; charset=utf-8") }
        router.get("/") { request, _ in try await page(request) { try overview(request, $0) } }
        router.get("/townships") { request, _ in try await page(request) { try townships(request, $0) } }
        router.get("/activities") { request, _ in try await page(request) { try activities(request, $0) } }
        router.get("/activities/:id") { request, context in
            let id = context.parameters.get("id") ?? ""
            return try await page(request) { try activity(id, $0) }
        }
        router.get("/form") { request, _ in try await page(request) { try form(request, $0, xlsx: false) } }
        router.get("/form.xlsx") { request, _ in try await page(request) { try form(request, $0, xlsx: true) } }
        router.get("/form.css") { request, _ in try formStylesheet(request) }
        if case .hub(let sessions) = access {
            router.post("/login") { request, _ in try await login(request, sessions) }
            router.post("/logout") { request, _ in try await logout(request, sessions) }
            router.get("/admin") { request, _ in try await page(request, admin: true, async: { try await admin($0, created: nil) }) }
            router.get("/indicator") { request, _ in try await page(request) { try indicatorForm(request, $0) } }
            router.post("/indicator") { request, _ in try await enterIndicator(request, sessions) }
            router.post("/year") { request, _ in try await decideYear(request, sessions) }
            router.post("/admin/tokens") { request, _ in try await createToken(request, sessions) }
            router.post("/admin/tokens/:id/revoke") { request, context in
                try await revokeToken(request, context.parameters.get("id") ?? "", sessions)
            }
        }
    }

    // MARK: Sessions

    /// Runs a page's body for a viewer allowed to see it: on the hub, one with a session
    /// (else the login page), for `admin` pages an admin; locally, only on 127.0.0.1.
    func page(_ request: Request, admin: Bool = false, _ body: @escaping @Sendable (Viewer) throws -> Response) async throws -> Response {
        try await page(request, admin: admin, async: { viewer in try await Web.offThePool { try body(viewer) } })
    }

    /// ``page(_:admin:_:)`` for a body that awaits the hub's backend itself.
    func page(_ request: Request, admin: Bool = false, async body: (Viewer) async throws -> Response) async throws -> Response {
        let language = Web.language(request)
        var viewer = Viewer(language: language, role: nil, sessionID: nil, formToken: nil, cookies: Web.languageCookie(request))
        switch access {
        case .local:
            guard Web.isLoopbackHost(request) else { return misdirected(language) }
        case .hub(let sessions):
            let id = Web.cookies(request)["ktx_session"]
            guard let session = sessions.find(id) else {
                // After logging in, back to the page asked for (a path of this site only).
                let next = request.uri.path == "/" ? "" : request.uri.description
                return render("login", Page(language, ["title": WebText.text("login", language), "next": next]), cookies: viewer.cookies)
            }
            viewer.role = session.role
            viewer.sessionID = id
            viewer.formToken = session.formToken
            if admin, session.role != .admin {
                return message(viewer, status: .forbidden, WebText.text("admin_only", language))
            }
        }
        do {
            if case .hub = access { try await hub.refresh(details: true) }
            return try await body(viewer)
        } catch let error as KtxError where error.isBadInput {
            return message(viewer, status: .badRequest, WebText.message(error, language, store.catalog))
        }
    }

    func login(_ request: Request, _ sessions: Sessions) async throws -> Response {
        let language = Web.language(request)
        guard Web.isSameOrigin(request) else { return crossSite(language) }
        let fields = try await Web.form(request)
        let secret = (fields["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !secret.isEmpty, let caller = try await hub.authenticate(secret: secret) else {
            return render("login", Page(language, ["title": WebText.text("login", language), "error": WebText.text("wrong_token", language),
                                                   "next": fields["next"] ?? ""]), status: .unauthorized)
        }
        guard caller.role == .county || caller.role == .admin else {
            return render("login", Page(language, ["title": WebText.text("login", language), "error": WebText.text("township_token", language)]),
                          status: .forbidden)
        }
        let (id, _) = sessions.start(role: caller.role, tokenID: caller.tokenID)
        let asked = fields["next"] ?? ""
        let next = asked.hasPrefix("/") && !asked.hasPrefix("//") && !asked.contains("\\") ? asked : "/"
        let overTLS = secureCookies || request.headers[.xForwardedProto] == "https"
        return Web.redirect(next, cookies: [sessions.cookie(id, secure: overTLS)])
    }

    func logout(_ request: Request, _ sessions: Sessions) async throws -> Response {
        guard Web.isSameOrigin(request) else { return crossSite(Web.language(request)) }
        let id = Web.cookies(request)["ktx_session"]
        // Only the page's own form ends a session (another site cannot log the county out).
        if let session = sessions.find(id) {
            let fields = try await Web.form(request)
            guard Web.sameSecret(fields["form_token"] ?? "", session.formToken) else { return crossSite(Web.language(request)) }
            sessions.end(id)
        }
        return Web.redirect("/", cookies: [Sessions.clearedCookie])
    }

    /// The session and form fields of a state-changing request from this site's own page, by
    /// a session of one of `roles` (nil otherwise: another site's page, no session, no form token).
    func sessionForm(_ request: Request, _ sessions: Sessions, roles: Set<HubRole> = [.admin]) async throws -> (Viewer, [String: String])? {
        let language = Web.language(request)
        guard Web.isSameOrigin(request), let id = Web.cookies(request)["ktx_session"], let session = sessions.find(id) else { return nil }
        let fields = try await Web.form(request)
        guard Web.sameSecret(fields["form_token"] ?? "", session.formToken), roles.contains(session.role) else { return nil }
        return (Viewer(language: language, role: session.role, sessionID: id, formToken: session.formToken, cookies: []), fields)
    }

    // MARK: Pages

    func overview(_ request: Request, _ viewer: Viewer) throws -> Response {
        let language = viewer.language
        let years = TargetsParser.builtInYears
        let year = try Web.query(request, "year").map { try Validate.year($0) } ?? years.last ?? 2023
        let quarter = try Web.query(request, "quarter").map(Validate.quarter)
        var page = Page(language, ["title": WebText.text("overview", language), "year": year])
        page["years"] = years.map { ["value": $0, "selected": $0 == year] }
        page["quarters"] = [["value": "", "label": WebText.text("full_year", language), "selected": quarter == nil]]
            + (1...4).map { q in ["value": String(q), "label": language.pick(zh: "第\(q)季度", en: "Q\(q)"), "selected": quarter == q] as [String: Any] }
        guard let targets = try TargetsParser.builtIn(year: year, catalog: store.catalog) else {
            page["no_targets"] = language.pick(zh: "\(year) 年没有内置的绩效目标表（有：\(years.map(String.init).joined(separator: "、"))）",
                                               en: "there is no shipped performance table for \(year) (there are: \(years.map(String.init).joined(separator: ", ")))")
            return render("overview", page, viewer)
        }
        let report = try ReportBuilder.build(targets, store: store, quarter: quarter)
        let renderer = ReportRenderer(language: language)
        let notes = try store.indicatorNotes(year: year)
        page["can_enter"] = viewer.canEnterIndicators
        if Web.query(request, "saved") != nil { page["notice"] = WebText.text("indicator_saved", language) }
        page["as_of"] = report.asOf
        page["coverage"] = ReportRenderer(language: language).coverageLine(report.coverage, scopedTo: report.scopedTo)
        page["projects"] = report.projects.map { p -> [String: Any] in
            [
                "name": p.project.name,
                "code": p.project.code ?? "",
                "activities": p.activities,
                "cost": renderer.wan(p.cost),
                "met": p.indicators.filter { $0.status == .met }.count,
                "count": p.indicators.count,
                "indicators": p.indicators.map { r -> [String: Any] in
                    [
                        "level": r.indicator.level2,
                        "name": r.indicator.name,
                        "target": r.indicator.targetShown,
                        "actual": r.actual.map { renderer.value($0, unit: r.indicator.unit) } ?? "—",
                        "rate": r.rate.map { String(format: "%.1f%%", $0) } ?? "—",
                        "bar": Int(min(100, max(0, r.rate ?? 0)).rounded()),
                        "status": renderer.status(r.status),
                        "status_class": r.status.rawValue,
                        "note": notes[IndicatorKey(year: year, project: p.project.key, indicator: r.indicator.name)] ?? "",
                        "enter_link": "/indicator?" + Web.queryString(["year": String(year), "project": p.project.key, "indicator": r.indicator.name]),
                    ]
                },
            ]
        }
        page["form_link"] = "/form?year=\(year)"
        page["xlsx_link"] = "/form.xlsx?year=\(year)"
        yearClose(&page, year: year, viewer, approval: report.approval)
        if Web.query(request, "decided") != nil { page["notice"] = language.pick(zh: "已记录，并已发布给各电脑", en: "recorded, and published to every PC") }
        return render("overview", page, viewer)
    }

    /// The year's close on the overview: where each township stands, the amendments waiting;
    /// on the hub, a county session approves, returns and accepts from here.
    func yearClose(_ page: inout Page, year: Int, _ viewer: Viewer, approval: ApprovalSummary?) {
        let language = viewer.language
        let renderer = ReportRenderer(language: language)
        let standings = (try? store.yearStandings(year)) ?? []
        let canDecide: Bool = { if case .hub = access { viewer.canEnterIndicators } else { false } }()
        page["year_heading"] = language.pick(zh: "\(year) 年度审核", en: "\(year): submissions and approvals")
        page["year_line"] = approval.map(renderer.approvalLine) ?? ""
        page["year_rows"] = standings.map { s -> [String: Any] in
            let state = s.standing.state
            let at: Int64? = state == .submitted ? s.standing.submitted?.stamp.timestamp.millis : s.standing.decided?.stamp.timestamp.millis
            return [
                "township": s.township, "state": renderer.stateWord(state), "state_class": state.rawValue,
                "when": at.map { Web.time($0) } ?? "", "reason": state == .returned ? s.standing.decided?.step.reason ?? "" : "",
                "activities": s.activities, "attendance": s.attendance,
                "can_approve": canDecide && state == .submitted, "can_return": canDecide && (state == .submitted || state == .approved),
                "year": year,
            ]
        }
        page["has_year_rows"] = !standings.isEmpty
        page["can_decide"] = canDecide
        page["amendments_waiting"] = (approval?.amendments ?? 0) > 0 && canDecide
        page["year_words"] = [
            "township": language.pick(zh: "乡镇", en: "Township"), "state": language.pick(zh: "状态", en: "State"),
            "when": language.pick(zh: "时间", en: "When"), "activities": language.pick(zh: "活动", en: "Activities"),
            "attendance": language.pick(zh: "参加人次", en: "Attendance"), "approve": language.pick(zh: "批准", en: "Approve"),
            "return": language.pick(zh: "退回", en: "Return"), "reason": language.pick(zh: "退回原因", en: "Reason for returning"),
            "accept": language.pick(zh: "接受全部批准后的更正", en: "Accept every amendment"),
        ]
    }

    /// A county session approves or returns a township's year, or accepts its amendments,
    /// on the hub: written as the hub's own county operation and published, like an indicator.
    func decideYear(_ request: Request, _ sessions: Sessions) async throws -> Response {
        guard let (viewer, fields) = try await sessionForm(request, sessions, roles: [.county, .admin]) else {
            return crossSite(Web.language(request))
        }
        do {
            let year = try Validate.year(fields["year"] ?? "")
            let township = (fields["township"] ?? "").trimmingCharacters(in: .whitespaces)
            try await Web.offThePool { [store] in
                try store.registerHubAsCounty()
                switch fields["action"] ?? "" {
                case "approve": try store.approveYear(year, township: township)
                case "return": try store.returnYear(year, township: township, reason: fields["reason"] ?? "")
                case "accept": try store.acceptAmendments(year: year)
                default: throw KtxError(.badFormat, zh: "未知的操作", en: "unknown action")
                }
            }
            try await hub.publishOwn()
            return Web.redirect("/?" + Web.queryString(["year": String(year), "decided": "1"]))
        } catch let error as KtxError where error.isBadInput {
            return message(viewer, status: .unprocessableContent, WebText.message(error, viewer.language, store.catalog))
        }
    }

    func townships(_ request: Request, _ viewer: Viewer) throws -> Response {
        let language = viewer.language
        let days = try Web.query(request, "days").map { text -> Int in
            guard let n = ReplicaSummary.staleDays(text) else {
                throw KtxError(.badFormat, zh: "天数须为 1 到 3650 的整数", en: "the number of days must be a whole number from 1 to 3650")
            }
            return n
        } ?? ReplicaSummary.staleDays
        let year = try Web.query(request, "year").map { try Validate.year($0) }
        let rows = try store.totals(by: [.township], filter: ActivityFilter(year: year))
        let metrics = store.catalog.metrics.filter { m in rows.contains { ($0.quantities[m.code] ?? 0) != 0 } }
        let pcs = try store.replicaSummaries()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var page = Page(language, ["title": WebText.text("townships", language), "days": days, "year": year.map(String.init) ?? "",
                                   "stale_heading": language.pick(zh: "超过 \(days) 天未同步的电脑", en: "PCs not synced for \(days) days")])
        page["metric_headers"] = metrics.map { $0.displayName(language) }
        page["rows"] = rows.map { row -> [String: Any] in
            ["township": row.group[.township] ?? "", "activities": row.activities,
             "quantities": metrics.map { m in m.format(row.quantities[m.code] ?? 0) }]
        }
        let stale = pcs.filter { $0.isStale(days: days, now: now) }
        page["stale"] = stale.map { ["township": $0.township, "replica": $0.replica.short, "last": Web.time($0.lastSeen)] }
        page["stale_count"] = stale.count
        page["pcs"] = pcs.map { pc -> [String: Any] in
            [
                "replica": pc.replica.short,
                "township": pc.township,
                "role": pc.role.map { $0 == "county" ? language.pick(zh: "县级", en: "county") : language.pick(zh: "乡镇", en: "township") } ?? "",
                "operations": pc.operations,
                "newest": Web.time(pc.newestOperation),
                "last_push": Web.time(pc.lastPush),
                "last_sync": Web.time(pc.lastSync),
                "stale": pc.isStale(days: days, now: now),
                "refusals": pc.refusals.map { r -> [String: Any] in
                    ["code": r.code, "operations": r.operations, "pushes": r.pushes, "when": Web.time(r.lastAt),
                     "message": HubCode.words(r.code, language) ?? r.message, "clock": r.isClock]
                },
            ]
        }
        page["hub"] = { if case .hub = access { true } else { false } }()
        // What this replica's last syncs found about PCs whose records are not flowing (the
        // county's PC: every office it syncs with), with the next step.
        page["flow_heading"] = language.pick(zh: "记录未能送达的电脑", en: "PCs whose records are not flowing")
        page["not_flowing"] = try store.flowProblems().filter { !$0.own }.map { $0.message(language) }
        return render("townships", page, viewer)
    }

    func activities(_ request: Request, _ viewer: Viewer) throws -> Response {
        let language = viewer.language
        let catalog = store.catalog
        let township = Web.query(request, "township")
        let kind = try Web.query(request, "kind").map { try Validate.kind($0, catalog: catalog).code }
        let project = Web.query(request, "project")
        let from = try Web.query(request, "from").map { try Validate.date($0).description }
        let to = try Web.query(request, "to").map { try Validate.date($0).description }
        let search = Web.query(request, "q")
        let all = try store.activities(ActivityFilter(kind: kind, township: township))
        let chosen = all.filter { a in
            (project == nil || a.project == project)
                && from.map { (a.date ?? "") >= $0 } ?? true && to.map { (a.date ?? "") <= $0 } ?? true
                && search.map { (a.title ?? "").localizedCaseInsensitiveContains($0) } ?? true
        }
        let shown = chosen.suffix(500)
        let townships = try store.totals(by: [.township]).compactMap { $0.group[.township] }
        var page = Page(language, ["title": WebText.text("activities", language), "count": chosen.count,
                                   "truncated": chosen.count > shown.count, "shown": shown.count,
                                   "project": project ?? "", "from": from ?? "", "to": to ?? "", "q": search ?? ""])
        page["townships"] = townships.map { ["name": $0, "selected": $0 == township] }
        page["kinds"] = catalog.kinds.map { ["code": $0.code, "name": $0.displayName(language), "selected": $0.code == kind] }
        page["activities"] = shown.reversed().map { a -> [String: Any] in
            ["id": a.id.rawValue, "date": a.date ?? "", "township": a.township ?? "", "kind": catalog.kindName(code: a.kind, language),
             "title": a.title ?? "", "project": a.project ?? "", "attendance": catalog.metric(code: "attendance")?.format(a.quantities["attendance"] ?? 0) ?? ""]
        }
        return render("activities", page, viewer)
    }

    func activity(_ text: String, _ viewer: Viewer) throws -> Response {
        let language = viewer.language
        guard let id = ActivityID(parsing: text), let record = try store.activity(id) else {
            return message(viewer, status: .notFound, KtxError.unknownActivity(text).message(language))
        }
        let words = ChangeText(language: language, catalog: store.catalog)
        let entries = try store.log(activity: id)
        var page = Page(language, ["title": record.title ?? id.rawValue, "id": id.rawValue, "deleted": record.deleted])
        Self.describe(record, words: words, into: &page)
        page["history"] = Self.history(entries, words: words, language: language)
        return render("activity", page, viewer)
    }

    /// An activity's fields and non-zero quantities, as its page (county's or clerk's) shows them.
    static func describe(_ record: ActivityRecord, words: ChangeText, into page: inout Page) {
        page["fields"] = Field.allCases.map { f -> [String: Any] in
            let value = record[f] ?? ""
            return ["name": words.field(f), "value": f == .kind ? words.catalog.kindName(code: value, words.language) : value]
        }
        page["quantities"] = words.catalog.metrics.compactMap { m -> [String: Any]? in
            guard let v = record.quantities[m.code], v != 0 else { return nil }
            return ["name": m.displayName(words.language), "value": m.format(v)]
        }
    }

    /// The log of one activity, newest first, each field's edits marked: the one that holds
    /// (last writer wins, as every replica merges) and those it overrode, with the replica
    /// that won.
    static func history(_ entries: [LogEntry], words: ChangeText, language: Language) -> [[String: Any]] {
        var winners: [Field: Op] = [:]
        var edits: [Field: Int] = [:]
        for e in entries {
            guard case let .set(field, _) = e.operation.change else { continue }
            edits[field, default: 0] += 1
            if let w = winners[field], w.stamp > e.operation.stamp { continue }
            winners[field] = e.operation
        }
        return entries.map { e -> [String: Any] in
            let op = e.operation
            var row: [String: Any] = ["when": Web.time(op.timestamp.millis), "township": e.township ?? "", "replica": op.replica.short,
                                      "seq": op.seq, "change": words.describe(op.change)]
            if case let .set(field, _) = op.change, (edits[field] ?? 0) > 1, let winner = winners[field] {
                if winner == op {
                    row["outcome"] = language.pick(zh: "生效", en: "holds")
                    row["won"] = true
                } else {
                    row["outcome"] = language.pick(zh: "被 \(winner.replica.short)（\(Web.time(winner.timestamp.millis))）的修改覆盖",
                                                   en: "overridden by \(winner.replica.short) (\(Web.time(winner.timestamp.millis)))")
                    row["lost"] = true
                }
            }
            return row
        }
    }

    /// The year's self-evaluation form, as the page `ktx report --form self-evaluation
    /// --format html` writes, or as its Excel file.
    func form(_ request: Request, _ viewer: Viewer, xlsx: Bool) throws -> Response {
        let language = viewer.language
        let year = try Web.query(request, "year").map { try Validate.year($0) } ?? TargetsParser.builtInYears.last ?? 2023
        guard let targets = try TargetsParser.builtIn(year: year, catalog: store.catalog) else {
            return message(viewer, status: .notFound, language.pick(zh: "\(year) 年没有内置的绩效目标表", en: "there is no shipped performance table for \(year)"))
        }
        let filing = SelfEvaluation.Filing(unit: targets.unit, date: ReportRenderer.day(Int64(Date().timeIntervalSince1970 * 1000)))
        let evaluation = try SelfEvaluation.build(targets, store: store, filing: filing)
        let renderer = ReportRenderer(language: language)
        if xlsx {
            return Web.file(try renderer.workbook(evaluation).data(), contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            name: language.pick(zh: "\(year)年项目支出绩效自评表.xlsx", en: "self-evaluation-\(year).xlsx"))
        }
        if Web.query(request, "download") != nil {
            return Web.file(Data(renderer.html(evaluation).utf8), contentType: "text/html; charset=utf-8",
                            name: language.pick(zh: "\(year)年项目支出绩效自评表.html", en: "self-evaluation-\(year).html"))
        }
        // The page's own stylesheet is inline (the downloaded file stands alone); here it is
        // served from this site, as the site's policy (no inline style) requires.
        let page = ReportRenderer.replacingStyle(renderer.html(evaluation),
                                                 with: "<link rel=\"stylesheet\" href=\"/form.css?lang=\(language.rawValue)\" />")
        return Web.html(page, cookies: viewer.cookies)
    }

    /// The printable form's stylesheet (the same for every year: only the page footer's words
    /// depend on the language).
    func formStylesheet(_ request: Request) throws -> Response {
        Web.asset(ByteBuffer(string: ReportRenderer(language: Web.language(request)).formStylesheet()), contentType: "text/css; charset=utf-8")
    }

    func admin(_ viewer: Viewer, created: (id: Int64, secret: String, role: HubRole, township: String?)?) async throws -> Response {
        let language = viewer.language
        var page = Page(language, ["title": WebText.text("admin", language)])
        page["tokens"] = try await hub.tokens().map { t -> [String: Any] in
            ["id": t.id, "role": WebText.role(t.role, language), "township": t.township ?? "", "created": Web.time(t.createdAtMillis),
             "revoked": t.revokedAtMillis.map(Web.time) ?? "", "active": t.revokedAtMillis == nil]
        }
        if let created {
            page["created"] = ["id": created.id, "secret": created.secret, "role": WebText.role(created.role, language),
                               "township": created.township ?? ""] as [String: Any]
        }
        return render("admin", page, viewer)
    }

    func createToken(_ request: Request, _ sessions: Sessions) async throws -> Response {
        guard let (viewer, fields) = try await sessionForm(request, sessions) else { return crossSite(Web.language(request)) }
        let language = viewer.language
        guard let role = HubRole(rawValue: fields["role"] ?? "") else {
            return message(viewer, status: .badRequest, language.pick(zh: "请选择角色：乡镇、县科协或管理员", en: "choose a role: township, county or admin"))
        }
        let township = fields["township"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) }
        if role == .township, township == nil {
            return message(viewer, status: .badRequest, language.pick(zh: "乡镇令牌须填写乡镇名称", en: "a township token needs the township's name"))
        }
        do {
            let (id, secret) = try await hub.createToken(role: role, township: role == .township ? township : nil)
            var response = try await admin(viewer, created: (id, secret, role, role == .township ? township : nil))
            response.status = .created
            return response
        } catch let error as KtxError where error.isBadInput {
            return message(viewer, status: .badRequest, WebText.message(error, language, store.catalog))
        }
    }

    func revokeToken(_ request: Request, _ text: String, _ sessions: Sessions) async throws -> Response {
        guard let (viewer, _) = try await sessionForm(request, sessions) else { return crossSite(Web.language(request)) }
        guard let id = Int64(text) else { return message(viewer, status: .badRequest, viewer.language.pick(zh: "令牌编号须为数字", en: "the token id must be a number")) }
        do {
            try await hub.revokeToken(id: id)
        } catch let error as KtxError where error.code == .unknownToken {
            return message(viewer, status: .notFound, WebText.message(error, viewer.language, store.catalog))
        }
        sessions.end(tokenID: id)
        return Web.redirect("/admin")
    }

    /// The form for one indicator: its manual value (if it is entered by hand) and the
    /// county's 偏差原因, as `ktx indicator set` and `ktx indicator note` enter them.
    func indicatorForm(_ request: Request, _ viewer: Viewer, values: [String: String]? = nil, error: String? = nil,
                       status: HTTPResponse.Status = .ok) throws -> Response {
        let language = viewer.language
        guard viewer.canEnterIndicators else { return message(viewer, status: .forbidden, WebText.text("admin_only", language)) }
        let given = values ?? ["year": Web.query(request, "year") ?? "", "project": Web.query(request, "project") ?? "",
                               "indicator": Web.query(request, "indicator") ?? ""]
        let year = try Validate.year(given["year"] ?? "")
        guard let targets = try TargetsParser.builtIn(year: year, catalog: store.catalog) else {
            return message(viewer, status: .notFound, language.pick(zh: "\(year) 年没有内置的绩效目标表", en: "there is no shipped performance table for \(year)"))
        }
        let (project, indicator) = try targets.indicator(project: given["project"] ?? "", named: given["indicator"] ?? "")
        let key = IndicatorKey(year: year, project: project.key, indicator: indicator.name)
        let report = try ReportBuilder.build(targets, store: store, quarter: nil, project: project)
        let result = report.projects.first?.indicators.first { $0.indicator.name == indicator.name }
        let renderer = ReportRenderer(language: language)
        let keptValue = try store.indicatorValues(year: year)[key] ?? ""
        let keptNote = try store.indicatorNotes(year: year)[key] ?? ""
        var page = Page(language, ["title": indicator.name, "year": year, "project": project.key, "project_name": project.name,
                                   "indicator": indicator.name, "level": indicator.level2, "target": indicator.targetShown,
                                   "actual": result?.actual.map { renderer.value($0, unit: indicator.unit) } ?? "—",
                                   "status": result.map { renderer.status($0.status) } ?? "", "manual": indicator.computation.isManual,
                                   "unit": indicator.unit,
                                   "value": values?["value"] ?? keptValue, "note": values?["note"] ?? keptNote])
        if let error { page["error"] = error }
        return render("indicator", page, viewer, status: status)
    }

    func enterIndicator(_ request: Request, _ sessions: Sessions) async throws -> Response {
        guard let (viewer, fields) = try await sessionForm(request, sessions, roles: [.county, .admin]) else {
            return crossSite(Web.language(request))
        }
        let language = viewer.language
        do {
            let year = try Validate.year(fields["year"] ?? "")
            guard let targets = try TargetsParser.builtIn(year: year, catalog: store.catalog) else {
                return message(viewer, status: .notFound, language.pick(zh: "\(year) 年没有内置的绩效目标表", en: "there is no shipped performance table for \(year)"))
            }
            let (project, indicator) = try targets.indicator(project: fields["project"] ?? "", named: fields["indicator"] ?? "")
            let key = IndicatorKey(year: year, project: project.key, indicator: indicator.name)
            let value = (fields["value"] ?? "").trimmingCharacters(in: .whitespaces)
            let note = (fields["note"] ?? "").replacingOccurrences(of: "\r\n", with: "\n")
            // Checked before anything is written: a bad value leaves the note unwritten too.
            if !value.isEmpty {
                try indicator.requireManual()
                guard Change.isValidIndicatorValue(value) else { throw KtxError.badIndicatorValue(value) }
            }
            try await Web.offThePool { [store] in
                try store.registerHubAsCounty()
                // The note is checked as it is written; the value was checked above.
                if note != ((try store.indicatorNotes(year: year))[key] ?? "") { _ = try store.setIndicatorNote(key, text: note) }
                if !value.isEmpty, value != (try store.indicatorValues(year: year))[key] { try store.setIndicator(key, value: value) }
            }
            try await hub.publishOwn()
            return Web.redirect("/?" + Web.queryString(["year": String(year), "saved": "1"]))
        } catch let error as KtxError where error.isBadInput {
            return try await Web.offThePool {
                try indicatorForm(request, viewer, values: fields, error: WebText.message(error, language, store.catalog), status: .unprocessableContent)
            }
        }
    }

    // MARK: Rendering

    func render(_ template: String, _ page: Page, _ viewer: Viewer, status: HTTPResponse.Status = .ok) -> Response {
        var page = page
        page["nav"] = navigation(viewer)
        page["form_token"] = viewer.formToken ?? ""
        page["logged_in"] = viewer.sessionID != nil
        page["read_only"] = { if case .local = access { true } else { false } }()
        return render(template, page, status: status, cookies: viewer.cookies)
    }

    func render(_ template: String, _ page: Page, status: HTTPResponse.Status = .ok, cookies: [String] = []) -> Response {
        Web.html(WebTemplates.shared.render(template, page.context), status: status, cookies: cookies)
    }

    func navigation(_ viewer: Viewer) -> [[String: String]] {
        var items = [("/", "overview"), ("/townships", "townships"), ("/activities", "activities")]
        if viewer.isAdmin { items.append(("/admin", "admin")) }
        return items.map { ["href": $0.0, "label": WebText.text($0.1, viewer.language)] }
    }

    func message(_ viewer: Viewer, status: HTTPResponse.Status, _ text: String) -> Response {
        render("message", Page(viewer.language, ["title": WebText.text("error", viewer.language), "message": text]), viewer, status: status)
    }

    func crossSite(_ language: Language) -> Response {
        render("message", Page(language, ["title": WebText.text("error", language), "message": WebText.text("cross_site", language)]), status: .forbidden)
    }

    func misdirected(_ language: Language) -> Response {
        render("message", Page(language, ["title": WebText.text("error", language), "message": WebText.text("not_loopback", language)]),
               status: .misdirectedRequest)
    }
}
