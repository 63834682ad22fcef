import KtxCore

/// The calls of a page's replica (``PageReplica``), held between calls by whoever answers them
/// (the wasm module's one replica, or a test's).
///
/// - `replica-id-message` `{key}` → `{message}`: what a replica id is the SHA-256 of.
/// - `open` `{replica, township, metrics, clock}` → `{ok}`: a fresh replica state.
/// - `take` `{replica, township?, first, chunk}` → `{taken, held}` or `{error, seq?}`: a run
///   from the page's store or a pulled page, through the acceptance rule.
/// - `take-stream` `{stream}` → `{runs: [{replica, township, first, last, chunk, taken}], more}`:
///   a pulled page (the hub's packed pull stream), each run taken as `take` does.
/// - `record` `{kind, date, title, venue?, project?, notes?, quantities: {code: text}, now}` →
///   `{activity, first, last, chunk}`: a new activity; the chunk is what the run's seal digests.
/// - `change` `{activity, fields: {name: text}, add: {code: text}, now}`, `delete` and
///   `restore` `{activity, now}` → the same shape.
/// - `activities` `{}` → `{activities}`; `vector` `{}` → `{vector}` (hex → last seq).
/// - `totals` `{year?}` → `{totals: [{kind, activities, quantities}]}`: this township's
///   activities that are not deleted (of `year`, by their date, when given), by kind, with the
///   sums of the catalog's metrics.
/// - `report` `{targets, through?}` → `{year, through, projects}`: the performance tables of a year
///   (``TargetsText``, as `GET /v1/targets` serves them) against this township's activities dated
///   through the end of month `through` (12 when not given), by the performance rules a PC's
///   `ktx report` uses; an indicator the county enters by hand has no value here (`pending`).
/// - `unsent` `{after}` → `{operations, activities}`: this replica's operations past seq
///   `after` (the last the hub acknowledged), and how many activities they change.
/// - `restamp` `{first, now}` → `{first, last, chunk}`: this replica's operations from `first`
///   (never pushed) dated again by a clock at `now`, the hub's time, after the hub refused them
///   as dated in the future; the page seals them again as one run.
/// - `push-body` `{first, last?, seals: [{first, last, prev, digest, key, signature}]}` → `{body}`:
///   this replica's operations from `first` (to `last`), packed as the hub takes a push.
extension CoreCall {
    /// The answer to a page call, with the page's replica (nil until `open`).
    public static func answer(_ request: [UInt8], page: inout PageReplica?) -> String {
        guard let parsed = try? JSONText.parse(request) else { return failure("malformed-json") }
        let call = parsed["call"]?.string ?? ""
        switch call {
        case "replica-id-message":
            guard let key = parsed["key"]?.string.flatMap(Hex.bytes), key.count == 32 else { return failure("bad-request") }
            return JSONText.object([("message", .string(Hex.string(ReplicaID.derivationMessage(publicKey: key))))]).text
        case "open":
            guard let me = parsed["replica"]?.string.flatMap(ReplicaID.init(hex:)), let township = parsed["township"]?.string,
                  AcceptanceRule.isText(township) else { return failure("bad-request") }
            page = PageReplica(me: me, township: township, catalog: catalog(parsed["metrics"]),
                               clock: HLCTimestamp(rawValue: parsed["clock"]?.int ?? 0))
            return JSONText.object([("ok", .bool(true))]).text
        case "take", "take-stream", "record", "change", "delete", "restore", "activities", "totals", "vector", "push-body", "restamp", "unsent", "report":
            guard let replica = page else { return failure("not-open") }
            return PageCalls(replica: replica).answer(call, parsed)
        default:
            return answer(request)
        }
    }
}

struct PageCalls {
    let replica: PageReplica

    func answer(_ call: String, _ request: JSONText) -> String {
        switch call {
        case "take": take(request)
        case "take-stream": takeStream(request)
        case "record": record(request)
        case "change": change(request)
        case "delete": write([.delete], request)
        case "restore": restore(request)
        case "activities": activities()
        case "totals": totals(year: request["year"]?.int)
        case "restamp": restamp(request)
        case "unsent": unsent(request)
        case "vector": vector()
        case "report": report(request)
        default: pushBody(request)
        }
    }

    func refusal(_ refused: PageReplica.Refused) -> String {
        var members: [(String, JSONText)] = [("error", .string(refusalCode(refused)))]
        switch refused {
        case .gap(let held): members.append(("held", .int(held)))
        case .rule(let seq, _): members.append(("seq", .int(seq)))
        }
        return JSONText.object(members).text
    }

    func take(_ request: JSONText) -> String {
        guard let from = request["replica"]?.string.flatMap(ReplicaID.init(hex:)), let first = request["first"]?.int,
              let chunk = request["chunk"]?.string.flatMap(Hex.bytes),
              let ops = try? OpChunk.decode(chunk, replica: from, firstSeq: first) else { return CoreCall.failure("bad-request") }
        do {
            let taken = try replica.take(ops, of: from, township: request["township"]?.string)
            return JSONText.object([("taken", .int(Int64(taken))), ("held", .int(replica.held(from)))]).text
        } catch {
            return refusal(error)
        }
    }

    func takeStream(_ request: JSONText) -> String {
        guard let bytes = request["stream"]?.string.flatMap(Hex.bytes) else { return CoreCall.failure("bad-request") }
        var decoder = PullStream.Decoder()
        decoder.append(bytes)
        var runs: [JSONText] = []
        while true {
            let frame: PullStream.Frame?
            do { frame = try decoder.next() } catch { return CoreCall.failure("malformed-stream") }
            switch frame {
            case let .run(from, township, ops, _)?:
                var members: [(String, JSONText)] = [("replica", .string(from.hex)), ("township", township.map { .string($0) } ?? .null),
                                                    ("first", .int(ops.first?.seq ?? 0)), ("last", .int(ops.last?.seq ?? 0)),
                                                    ("chunk", .string(Hex.string(OpChunk.encode(ops))))]
                do {
                    members.append(("taken", .int(Int64(try replica.take(ops, of: from, township: township)))))
                } catch {
                    members.append(("refused", .string(refusalCode(error))))
                }
                runs.append(.object(members))
            case let .end(more)?:
                return JSONText.object([("runs", .array(runs)), ("more", .bool(more))]).text
            case nil:
                return CoreCall.failure("malformed-stream")
            }
        }
    }

    func refusalCode(_ refused: PageReplica.Refused) -> String {
        switch refused {
        case .gap: "gap"
        case .rule(_, let reason): reason.rawValue
        }
    }

    func record(_ request: JSONText) -> String {
        let text = { (key: String) in request[key]?.string.map { $0.trimmingSpaces() } }
        guard let kind = text("kind"), let title = text("title"), let dateText = text("date") else { return CoreCall.failure("bad-request") }
        guard case .success(let date) = TypedInput.date(dateText) else { return CoreCall.failure("bad-date") }
        guard let amounts = amounts(request["quantities"]) else { return CoreCall.failure("bad-number") }
        let changes = NewActivity.changes(township: replica.township, kind: kind, date: date.description, title: title,
                                          venue: text("venue"), project: text("project"),
                                          notes: request["notes"]?.string.map(TypedInput.notes), amounts: amounts)
        return write(changes, request, new: true)
    }

    func change(_ request: JSONText) -> String {
        var changes: [Change] = []
        if case .object(let fields)? = request["fields"] {
            for (name, value) in fields {
                guard let field = Field(rawValue: name), field != .township, let text = value.string else { return CoreCall.failure("bad-field") }
                if field == .date {
                    guard case .success(let date) = TypedInput.date(text) else { return CoreCall.failure("bad-date") }
                    changes.append(.set(.date, date.description))
                } else {
                    changes.append(.set(field, field == .notes ? TypedInput.notes(text) : text.trimmingSpaces()))
                }
            }
        }
        guard let amounts = amounts(request["add"], allowNegative: true) else { return CoreCall.failure("bad-number") }
        changes += amounts.map { .add(metric: $0.metric, amount: $0.amount) }
        guard !changes.isEmpty else { return CoreCall.failure("nothing-to-change") }
        return write(changes, request)
    }

    /// Amounts typed for metrics of the catalog, in stored units; nil if one is not an amount.
    func amounts(_ typed: JSONText?, allowNegative: Bool = false) -> [(metric: String, amount: Int64)]? {
        guard case .object(let members)? = typed else { return typed == nil ? [] : nil }
        var out: [(metric: String, amount: Int64)] = []
        for (code, value) in members {
            guard let metric = replica.rule.catalog.metric(code: code), let text = value.string else { return nil }
            if text.trimmingSpaces().isEmpty { continue }
            guard let amount = metric.parse(text), allowNegative || amount >= 0 else { return nil }
            out.append((code, amount))
        }
        return out
    }

    func write(_ changes: [Change], _ request: JSONText, new: Bool = false) -> String {
        guard let now = request["now"]?.int else { return CoreCall.failure("bad-request") }
        var target: ActivityID?
        if !new {
            guard let id = request["activity"]?.string.flatMap(ActivityID.init(parsing:)), replica.states[id] != nil else {
                return CoreCall.failure("unknown-activity")
            }
            guard replica.states[id]?[.township] == replica.township else { return CoreCall.failure("other-township") }
            guard replica.states[id]?.deleted == false else { return CoreCall.failure("activity-deleted") }
            target = id
        }
        do {
            let (activity, ops) = try replica.write(changes, activity: target, now: now)
            return JSONText.object([("activity", .string(activity.rawValue)), ("first", .int(ops.first?.seq ?? 0)),
                                    ("last", .int(ops.last?.seq ?? 0)), ("chunk", .string(Hex.string(OpChunk.encode(ops))))]).text
        } catch {
            return refusal(error)
        }
    }

    /// A deleted activity comes back as a new one with its fields and quantities (as
    /// `ktx restore` does: a delete is final, so the old id stays deleted everywhere).
    func restore(_ request: JSONText) -> String {
        guard let id = request["activity"]?.string.flatMap(ActivityID.init(parsing:)), let old = replica.states[id] else {
            return CoreCall.failure("unknown-activity")
        }
        guard old[.township] == replica.township else { return CoreCall.failure("other-township") }
        guard old.deleted else { return CoreCall.failure("not-deleted") }
        guard let kind = old[.kind], let date = old[.date], let title = old[.title] else { return CoreCall.failure("unknown-activity") }
        let amounts = old.quantities.filter { replica.rule.catalog.metric(code: $0.key) != nil && $0.value > 0 }.map { (metric: $0.key, amount: $0.value) }
        let changes = NewActivity.changes(township: replica.township, kind: kind, date: date, title: title, venue: old[.venue],
                                          project: old[.project], notes: old[.notes], amounts: amounts)
        return write(changes, request, new: true)
    }

    func activities() -> String {
        JSONText.object([("activities", .array(replica.activities.map(CoreCall.activity)))]).text
    }

    func totals(year: Int64?) -> String {
        var byKind: [String: (count: Int64, sums: [String: Int64])] = [:]
        let prefix = year.map { String($0) + "-" }
        for (_, state) in replica.activities where !state.deleted && state[.township] == replica.township {
            if let prefix, state[.date]?.hasPrefix(prefix) != true { continue }
            let kind = state[.kind] ?? ""
            var entry = byKind[kind] ?? (0, [:])
            entry.count += 1
            for (metric, amount) in state.quantities where replica.rule.catalog.metric(code: metric) != nil {
                entry.sums[metric, default: 0] += amount
            }
            byKind[kind] = entry
        }
        let rows: [JSONText] = byKind.keys.sorted().map { kind in
            let entry = byKind[kind] ?? (0, [:])
            let sums = entry.sums.keys.sorted().map { ($0, JSONText.int(entry.sums[$0] ?? 0)) }
            return .object([("kind", .string(kind)), ("activities", .int(entry.count)), ("quantities", .object(sums))])
        }
        return JSONText.object([("totals", .array(rows))]).text
    }

    func vector() -> String {
        let entries = replica.vector.sorted { $0.key.hex < $1.key.hex }.map { ($0.key.hex, JSONText.int($0.value)) }
        return JSONText.object([("vector", .object(entries))]).text
    }

    func unsent(_ request: JSONText) -> String {
        let ops = replica.own(from: (request["after"]?.int ?? 0) + 1)
        let activities = Set(ops.filter { !$0.targetsIndicator }.map { $0.activity })
        return JSONText.object([("operations", .int(Int64(ops.count))), ("activities", .int(Int64(activities.count)))]).text
    }

    func restamp(_ request: JSONText) -> String {
        guard let first = request["first"]?.int, let now = request["now"]?.int else { return CoreCall.failure("bad-request") }
        let ops = replica.restamp(from: first, now: now)
        guard !ops.isEmpty else { return CoreCall.failure("nothing-to-push") }
        return JSONText.object([("first", .int(ops.first?.seq ?? 0)), ("last", .int(ops.last?.seq ?? 0)),
                                ("chunk", .string(Hex.string(OpChunk.encode(ops))))]).text
    }

    func pushBody(_ request: JSONText) -> String {
        guard let first = request["first"]?.int else { return CoreCall.failure("bad-request") }
        var seals: [RunSeal] = []
        for seal in request["seals"]?.array ?? [] {
            guard let from = seal["first"]?.int, let last = seal["last"]?.int, let prev = seal["prev"]?.string.flatMap(Hex.bytes),
                  let digest = seal["digest"]?.string.flatMap(Hex.bytes), let key = seal["key"]?.string.flatMap(Hex.bytes),
                  let signature = seal["signature"]?.string.flatMap(Hex.bytes) else { return CoreCall.failure("bad-request") }
            seals.append(RunSeal(first: from, last: last, prev: prev, digest: digest, key: key, signature: signature))
        }
        // Up to `last` when given: an entry being sealed while the page syncs waits for the next push.
        let last = request["last"]?.int ?? Int64.max
        let ops = replica.own(from: first).filter { $0.seq <= last }
        guard !ops.isEmpty else { return CoreCall.failure("nothing-to-push") }
        let body = PullStream.encodePush(ops, township: replica.township, seals: seals)
        return JSONText.object([("body", .string(Hex.string(body)))]).text
    }

    func report(_ request: JSONText) -> String {
        guard let given = request["targets"], let targets = TargetsText.targets(given) else { return CoreCall.failure("bad-targets") }
        let through = request["through"]?.int ?? 12
        guard (1...12).contains(through) else { return CoreCall.failure("bad-request") }
        let cells = replica.reportCells(year: targets.year, throughMonth: Int(through), maxima: Performance.maxima(of: targets))
        let projects = targets.projects.map { Performance.project($0, cells: cells, throughMonth: Int(through)) { _ in nil } }
        return JSONText.object([("year", .int(Int64(targets.year))), ("through", .int(through)),
                                ("projects", .array(projects.map(TargetsText.json)))]).text
    }
}
