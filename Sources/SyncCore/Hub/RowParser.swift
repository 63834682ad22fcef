extension WireOp {
    init(seq: Int64, hlc: Int64, activity: String, kind: Int, field: String, text: String?, number: Int64?) {
        self.seq = seq
        self.hlc = hlc
        self.activity = activity
        self.kind = kind
        self.field = field
        self.text = text
        self.number = number
    }

    /// Parses a JSON array of operation rows written exactly as ``OperationFile/appendRow(_:to:)``
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
        switch kind {
        case 0, 3: guard let t = string() else { return nil }; text = t
        case 1: guard let n = int() else { return nil }; number = n
        case 2:
            for c in "null".utf8 { guard eat(c) else { return nil } }
        default: return nil
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
