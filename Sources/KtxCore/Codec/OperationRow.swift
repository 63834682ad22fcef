/// The row every way in writes and reads an operation as:
/// `[seq, hlc, activity, kind, field, value]` (kinds from `OperationKind`; see ``WireOp``).
/// Folder files, HTTP bodies and the bench trace all use these, so they cannot drift.
public enum OperationRow {
    /// Appends one operation as a JSON array `[seq, hlc, activity, kind, field, value]`,
    /// the same shape ``WireOp`` decodes; written by hand because it is the hot path of a push.
    public static func append(_ op: Op, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        out.append(contentsOf: String(op.seq).utf8)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: String(op.timestamp.rawValue).utf8)
        out.append(UInt8(ascii: ","))
        appendJSONString(op.activity.rawValue, to: &out)
        switch op.change {
        case let .set(field, value):
            out.append(contentsOf: ",0,".utf8)
            appendJSONString(field.rawValue, to: &out)
            out.append(UInt8(ascii: ","))
            appendJSONString(value, to: &out)
        case let .add(metric, amount):
            out.append(contentsOf: ",1,".utf8)
            appendJSONString(metric, to: &out)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: String(amount).utf8)
        case .delete:
            out.append(contentsOf: ",2,\"\",null".utf8)
        case let .indicator(value):
            out.append(contentsOf: ",3,\"\",".utf8)
            appendJSONString(value, to: &out)
        case let .newerField(field, value):
            out.append(contentsOf: ",0,".utf8)
            appendJSONString(field, to: &out)
            out.append(UInt8(ascii: ","))
            appendJSONString(value, to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// Appends a JSON string literal, escaping quotes, backslashes and control characters.
    public static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0..<0x20:
                let hex = String(b, radix: 16)
                out.append(contentsOf: ("\\u00" + (hex.count == 1 ? "0" : "") + hex).utf8)
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

extension WireOp {
    /// A row as read: the seq, the clock's raw value, the target, the `OperationKind` code, the field or metric, and the text or number it carries.
    public init(seq: Int64, hlc: Int64, activity: String, kind: Int, field: String, text: String?, number: Int64?) {
        self.seq = seq
        self.hlc = hlc
        self.activity = activity
        self.kind = kind
        self.field = field
        self.text = text
        self.number = number
    }

    /// Parses a JSON array of operation rows written exactly as ``OperationRow/append(_:to:)``
    /// writes them (no spaces; strings escaped as it escapes them), several times faster than
    /// `JSONDecoder`. Returns nil for anything else, valid JSON included: the caller then
    /// decodes with `JSONDecoder`, which accepts any JSON.
    public static func parseRows(_ bytes: UnsafeRawBufferPointer) -> [WireOp]? {
        var p = RowParser(bytes: bytes)
        guard p.eat(UInt8(ascii: "[")) else { return nil }
        var rows: [WireOp] = []
        if p.eat(UInt8(ascii: "]")) { return p.atEnd ? rows : nil }
        repeat {
            guard let row = p.row() else { return nil }
            rows.append(row)
        } while p.eat(UInt8(ascii: ","))
        guard p.eat(UInt8(ascii: "]")), p.atEnd else { return nil }
        return rows
    }
}

/// The fast path of ``WireOp/parseRows(_:)``.
private struct RowParser {
    let bytes: UnsafeRawBufferPointer
    var at = 0

    var atEnd: Bool { at == bytes.count }

    mutating func eat(_ byte: UInt8) -> Bool {
        guard at < bytes.count, bytes[at] == byte else { return false }
        at += 1
        return true
    }

    mutating func row() -> WireOp? {
        let comma = UInt8(ascii: ",")
        guard eat(UInt8(ascii: "[")), let seq = int(), eat(comma), let hlc = int(), eat(comma),
              let activity = string(), eat(comma), let kind = int(), eat(comma), let field = string(), eat(comma)
        else { return nil }
        var text: String?
        var number: Int64?
        switch OperationKind(code: Int(kind)) {
        case .set, .indicator: guard let t = string() else { return nil }; text = t
        case .add: guard let n = int() else { return nil }; number = n
        case .delete:
            for c in "null".utf8 { guard eat(c) else { return nil } }
        case nil: return nil
        }
        guard eat(UInt8(ascii: "]")) else { return nil }
        return WireOp(seq: seq, hlc: hlc, activity: activity, kind: Int(kind), field: field, text: text, number: number)
    }

    mutating func int() -> Int64? {
        let negative = eat(UInt8(ascii: "-"))
        var value: Int64 = 0
        let start = at
        while at < bytes.count, bytes[at] >= 0x30, bytes[at] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(bytes[at] - 0x30))
            guard !o1, !o2 else { return nil }
            value = s
            at += 1
        }
        guard at > start, at - start == 1 || bytes[start] != 0x30 else { return nil }
        return negative ? -value : value
    }

    mutating func string() -> String? {
        guard eat(UInt8(ascii: "\"")) else { return nil }
        let start = at
        while at < bytes.count {
            switch bytes[at] {
            case UInt8(ascii: "\""):
                defer { at += 1 }
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
            case UInt8(ascii: "\\"):
                return escaped(from: start)
            case 0..<0x20:
                return nil
            default:
                at += 1
            }
        }
        return nil
    }

    /// The rest of a string that holds escapes, from its first byte at `start`.
    private mutating func escaped(from start: Int) -> String? {
        var out = Array(bytes[start..<at])
        while at < bytes.count {
            let b = bytes[at]
            at += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard at < bytes.count else { return nil }
                let e = bytes[at]
                at += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "u"):
                    // Only what the writer emits: \u00XX for control characters.
                    guard at + 4 <= bytes.count, bytes[at] == 0x30, bytes[at + 1] == 0x30,
                          let hi = Hex.value(of: bytes[at + 2]), let lo = Hex.value(of: bytes[at + 3]), hi < 8
                    else { return nil }
                    out.append(hi << 4 | lo)
                    at += 4
                default: return nil
                }
            case 0..<0x20:
                return nil
            default:
                out.append(b)
            }
        }
        return nil
    }
}

extension OperationRow {
    /// Operations as a folder file's body holds them after its header: `[row,\nrow,\n…]\n`.
    public static func body(_ operations: some Collection<Op>) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(operations.count * 64)
        body.append(UInt8(ascii: "["))
        var firstRow = true
        for op in operations {
            if !firstRow { body.append(contentsOf: ",\n".utf8) }
            firstRow = false
            append(op, to: &body)
        }
        body.append(contentsOf: "]\n".utf8)
        return body
    }
}
