import KtxCore

/// The core's rules as calls of JSON text in and JSON text out: the one door through which the
/// offline web app reaches KtxCore (compiled to WebAssembly, `scripts/build-wasm.sh`), and the
/// same code natively, so the conformance vectors the Swift tests write are answered the same
/// by both. Timestamps travel as strings of digits (64 bits do not fit a JavaScript number);
/// bytes (chunks, digests, seal messages) as lowercase hex.
///
/// Calls (`{"call": NAME, …}`):
/// - `tick` `{last, now}` → `{hlc}`: the next timestamp of a hybrid clock at wall time `now`.
/// - `check` `{replica, metrics?, rows}` → `{verdicts}`: each row's refusal code, or null
///   when the acceptance rule takes it (`metrics`: `[{code, scale}]`, the catalog's bounds).
/// - `pack` `{replica, rows}` → `{chunk}`: the rows packed as the log and a seal's digest
///   pack them.
/// - `unpack` `{replica, first, chunk}` → `{rows}`.
/// - `seal-message` `{replica, first, last, prev, digest}` → `{message}`: the bytes a run's
///   Ed25519 signature covers.
/// - `merge` `{metrics?, logs: [{replica, rows}]}` → `{taken, activities}`: each replica's
///   operations up to the first the rule refuses (`taken` counts them), merged; every
///   activity's state in id order, as the merge rules make it whatever the order.
/// - `amount` `{scale, text}` → `{amount}` or `{slip}`: an amount as a clerk typed it.
/// - `date` `{text}` → `{date}` or `{problem}`: a date as a clerk typed it.
///
/// A request that is not one of these answers `{"error": CODE}`.
public enum CoreCall {
    /// The answer to one request, as JSON text.
    public static func answer(_ request: [UInt8]) -> String {
        let parsed: JSONText
        do {
            parsed = try JSONText.parse(request)
        } catch {
            return failure("malformed-json")
        }
        switch parsed["call"]?.string {
        case "tick": return tick(parsed)
        case "check": return check(parsed)
        case "pack": return pack(parsed)
        case "unpack": return unpack(parsed)
        case "seal-message": return sealMessage(parsed)
        case "merge": return merge(parsed)
        case "amount": return amount(parsed)
        case "date": return date(parsed)
        default: return failure("unknown-call")
        }
    }

    static func failure(_ code: String) -> String { JSONText.object([("error", .string(code))]).text }

    static func tick(_ request: JSONText) -> String {
        guard let last = request["last"]?.int, let now = request["now"]?.int else { return failure("bad-request") }
        var clock = HybridClock(last: HLCTimestamp(rawValue: last))
        let next = clock.tick(now: now)
        return JSONText.object([("hlc", .string(String(next.rawValue)))]).text
    }

    static func check(_ request: JSONText) -> String {
        guard let replica = request["replica"]?.string.flatMap(ReplicaID.init(hex:)), let rows = request["rows"]?.array else {
            return failure("bad-request")
        }
        let rule = AcceptanceRule(catalog: catalog(request["metrics"]))
        let verdicts: [JSONText] = rows.map { row in
            guard let wire = wireOp(row) else { return .string(RefusalReason.malformed.rawValue) }
            do throws(RefusalReason) {
                _ = try wire.accepted(replica: replica, by: rule)
                return .null
            } catch {
                return .string(error.rawValue)
            }
        }
        return JSONText.object([("verdicts", .array(verdicts))]).text
    }

    static func pack(_ request: JSONText) -> String {
        guard let replica = request["replica"]?.string.flatMap(ReplicaID.init(hex:)), let rows = request["rows"]?.array,
              let ops = operations(rows, replica: replica) else { return failure("bad-request") }
        return JSONText.object([("chunk", .string(Hex.string(OpChunk.encode(ops))))]).text
    }

    static func unpack(_ request: JSONText) -> String {
        guard let replica = request["replica"]?.string.flatMap(ReplicaID.init(hex:)), let first = request["first"]?.int,
              let chunk = request["chunk"]?.string.flatMap(Hex.bytes) else { return failure("bad-request") }
        do {
            let ops = try OpChunk.decode(chunk, replica: replica, firstSeq: first)
            return JSONText.object([("rows", .array(ops.map(row)))]).text
        } catch {
            return failure("damaged")
        }
    }

    static func sealMessage(_ request: JSONText) -> String {
        guard let replica = request["replica"]?.string.flatMap(ReplicaID.init(hex:)),
              let first = request["first"]?.int, let last = request["last"]?.int,
              let prev = request["prev"]?.string.flatMap(Hex.bytes), let digest = request["digest"]?.string.flatMap(Hex.bytes)
        else { return failure("bad-request") }
        let seal = RunSeal(first: first, last: last, prev: prev, digest: digest, key: [], signature: [])
        return JSONText.object([("message", .string(Hex.string(seal.message(replica: replica))))]).text
    }

    static func merge(_ request: JSONText) -> String {
        guard let logs = request["logs"]?.array else { return failure("bad-request") }
        // A receiver that holds nothing, taking each log as a page's replica takes a run: in
        // seq order, up to the first operation the rule refuses (its later ones wait with it).
        guard let nobody = ReplicaID(bytes: [UInt8](repeating: 0, count: 16)) else { return failure("bad-request") }
        let receiver = PageReplica(me: nobody, township: "", catalog: catalog(request["metrics"]), clock: .zero)
        var taken: [(String, JSONText)] = []
        for log in logs {
            guard let replica = log["replica"]?.string.flatMap(ReplicaID.init(hex:)), let rows = log["rows"]?.array,
                  let ops = operations(rows, replica: replica) else { return failure("bad-request") }
            _ = try? receiver.take(ops.sorted { $0.seq < $1.seq }, of: replica, township: nil)
            taken.append((replica.hex, .int(receiver.held(replica))))
        }
        return JSONText.object([("taken", .object(taken)), ("activities", .array(receiver.activities.map(activity)))]).text
    }

    /// An activity's state as the calls answer it.
    static func activity(_ id: ActivityID, _ state: ActivityState) -> JSONText {
        let fields = Field.allCases.compactMap { field in state[field].map { (field.rawValue, JSONText.string($0)) } }
        let quantities = state.quantities.keys.sorted().map { ($0, JSONText.int(state.quantities[$0] ?? 0)) }
        return .object([("id", .string(id.rawValue)), ("deleted", .bool(state.deleted)),
                        ("fields", .object(fields)), ("quantities", .object(quantities))])
    }

    static func amount(_ request: JSONText) -> String {
        guard let scale = request["scale"]?.int, scale == 1 || scale == 100, let text = request["text"]?.string else {
            return failure("bad-request")
        }
        let metric = Metric(code: "amount", name: "", english: "amount", unit: "", scale: scale)
        if let value = metric.parse(text) { return JSONText.object([("amount", .int(value))]).text }
        let slip: JSONText = switch metric.whyNotAnAmount(text) {
        case .unit(let unit)?: .string("unit:" + unit)
        case .wholeNumber?: .string("whole-number")
        case .tooManyDecimals?: .string("too-many-decimals")
        case nil: .null
        }
        return JSONText.object([("slip", slip)]).text
    }

    static func date(_ request: JSONText) -> String {
        guard let text = request["text"]?.string else { return failure("bad-request") }
        switch TypedInput.date(text) {
        case .success(let day): return JSONText.object([("date", .string(day.description))]).text
        case .failure(let problem):
            let code = switch problem {
            case .form: "form"
            case .month: "month"
            case .day: "day"
            case .year: "year"
            }
            return JSONText.object([("problem", .string(code))]).text
        }
    }

    // MARK: Rows

    /// A catalog of the metrics given (`[{code, scale}]`); none given, none known (every
    /// well-formed code then has the bound of an unknown metric).
    static func catalog(_ metrics: JSONText?) -> Catalog {
        let list = (metrics?.array ?? []).compactMap { m -> Metric? in
            guard let code = m["code"]?.string, let scale = m["scale"]?.int else { return nil }
            return Metric(code: code, name: code, english: code, unit: "", scale: scale)
        }
        return Catalog(version: 0, kinds: [], metrics: list, rules: [])
    }

    /// A row `[seq, hlc, activity, kind, field, value]` (hlc a number or a string of digits).
    static func wireOp(_ row: JSONText) -> WireOp? {
        guard let items = row.array, items.count == 6, case .int(let seq) = items[0], let hlc = items[1].int,
              case .string(let activity) = items[2], case .int(let kind) = items[3], case .string(let field) = items[4]
        else { return nil }
        switch items[5] {
        case .string(let text): return WireOp(seq: seq, hlc: hlc, activity: activity, kind: Int(kind), field: field, text: text, number: nil)
        case .int(let number): return WireOp(seq: seq, hlc: hlc, activity: activity, kind: Int(kind), field: field, text: nil, number: number)
        case .null: return WireOp(seq: seq, hlc: hlc, activity: activity, kind: Int(kind), field: field, text: nil, number: nil)
        default: return nil
        }
    }

    /// The rows as operations of `replica`; nil if any is not an operation.
    static func operations(_ rows: [JSONText], replica: ReplicaID) -> [Op]? {
        var ops: [Op] = []
        for row in rows {
            guard let wire = wireOp(row), let op = try? wire.op(replica: replica) else { return nil }
            ops.append(op)
        }
        return ops
    }

    /// An operation as a row, its timestamp a string.
    static func row(_ op: Op) -> JSONText {
        let wire = WireOp(op)
        let value: JSONText = wire.text.map { .string($0) } ?? wire.number.map { .int($0) } ?? .null
        return .array([.int(wire.seq), .string(String(wire.hlc)), .string(wire.activity), .int(Int64(wire.kind)),
                       .string(wire.field), value])
    }
}
