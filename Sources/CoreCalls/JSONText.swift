import KtxCore

/// A JSON value as the calls of the core read and write it: integers only (an hlc needs all 64
/// bits, which a JavaScript number cannot hold, so the calls write timestamps as strings), and
/// objects keep their members' order, so an answer's bytes are the same wherever it is made.
public enum JSONText: Equatable, Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer within 64 bits.
    case int(Int64)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONText])
    /// An object, its members in order.
    case object([(String, JSONText)])

    /// Two values are equal when they hold the same things in the same order.
    public static func == (lhs: JSONText, rhs: JSONText) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// The member `key` of an object; nil for another value or a missing key.
    public subscript(key: String) -> JSONText? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// The string, if this is one.
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    /// The integer, if this is one, or a string of decimal digits (how timestamps travel).
    public var int: Int64? {
        switch self {
        case .int(let n): n
        case .string(let s): Int64(s)
        default: nil
        }
    }
    /// The elements, if this is an array.
    public var array: [JSONText]? { if case .array(let a) = self { a } else { nil } }

    /// Bytes that are not JSON this reader takes.
    public struct Malformed: Error, Equatable, Sendable {
        /// Where the reader stopped, in bytes from the start.
        public var offset: Int
    }

    /// Reads a JSON text (UTF-8); a number with a fraction or an exponent is refused.
    public static func parse(_ bytes: [UInt8]) throws(Malformed) -> JSONText {
        var reader = Reader(bytes: bytes)
        reader.skipSpace()
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.at == bytes.count else { throw Malformed(offset: reader.at) }
        return value
    }

    /// The value as compact JSON text.
    public var text: String {
        var out: [UInt8] = []
        write(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let n): out += String(n).utf8
        // Strings are escaped as the operation rows the hub sends are.
        case .string(let s): OperationRow.appendJSONString(s, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                OperationRow.appendJSONString(member.0, to: &out)
                out.append(UInt8(ascii: ":"))
                member.1.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func skipSpace() {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
        }

        mutating func literal(_ word: String, _ value: JSONText) throws(Malformed) -> JSONText {
            for b in word.utf8 {
                guard at < bytes.count, bytes[at] == b else { throw Malformed(offset: at) }
                at += 1
            }
            return value
        }

        mutating func value(depth: Int) throws(Malformed) -> JSONText {
            guard depth < 64, at < bytes.count else { throw Malformed(offset: at) }
            switch bytes[at] {
            case UInt8(ascii: "n"): return try literal("null", .null)
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "{"): return try object(depth: depth)
            default: return .int(try number())
            }
        }

        mutating func number() throws(Malformed) -> Int64 {
            let start = at
            if at < bytes.count, bytes[at] == UInt8(ascii: "-") { at += 1 }
            let digits = at
            while at < bytes.count, bytes[at] >= 0x30, bytes[at] <= 0x39 { at += 1 }
            guard at > digits, at - digits == 1 || bytes[digits] != 0x30,
                  let n = Int64(String(decoding: bytes[start..<at], as: UTF8.self)) else { throw Malformed(offset: start) }
            return n
        }

        mutating func array(depth: Int) throws(Malformed) -> JSONText {
            at += 1
            var items: [JSONText] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard at < bytes.count else { throw Malformed(offset: at) }
                if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                guard bytes[at] == UInt8(ascii: ",") else { throw Malformed(offset: at) }
                at += 1
            }
        }

        mutating func object(depth: Int) throws(Malformed) -> JSONText {
            at += 1
            var members: [(String, JSONText)] = []
            skipSpace()
            if at < bytes.count, bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
            while true {
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw Malformed(offset: at) }
                let key = try string()
                skipSpace()
                guard at < bytes.count, bytes[at] == UInt8(ascii: ":") else { throw Malformed(offset: at) }
                at += 1
                skipSpace()
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard at < bytes.count else { throw Malformed(offset: at) }
                if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                guard bytes[at] == UInt8(ascii: ",") else { throw Malformed(offset: at) }
                at += 1
            }
        }

        mutating func hex4() throws(Malformed) -> UInt32 {
            guard at + 4 <= bytes.count else { throw Malformed(offset: at) }
            var v: UInt32 = 0
            for _ in 0..<4 {
                guard let d = Hex.value(of: bytes[at]) else { throw Malformed(offset: at) }
                v = v << 4 | UInt32(d)
                at += 1
            }
            return v
        }

        mutating func string() throws(Malformed) -> String {
            at += 1
            var out: [UInt8] = []
            while at < bytes.count {
                let b = bytes[at]
                at += 1
                switch b {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: out, as: UTF8.self) else { throw Malformed(offset: at) }
                    return s
                case UInt8(ascii: "\\"):
                    try escape(into: &out)
                case 0..<0x20:
                    throw Malformed(offset: at - 1)
                default:
                    out.append(b)
                }
            }
            throw Malformed(offset: at)
        }

        mutating func escape(into out: inout [UInt8]) throws(Malformed) {
            guard at < bytes.count else { throw Malformed(offset: at) }
            let c = bytes[at]
            at += 1
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(c)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if code >= 0xD800, code < 0xDC00 {
                    guard at + 2 <= bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else {
                        throw Malformed(offset: at)
                    }
                    at += 2
                    let low = try hex4()
                    guard low >= 0xDC00, low < 0xE000 else { throw Malformed(offset: at) }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw Malformed(offset: at) }
                out.append(contentsOf: String(Character(scalar)).utf8)
            default:
                throw Malformed(offset: at - 1)
            }
        }
    }
}
