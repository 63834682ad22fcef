import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// RFC 4180 CSV: fields with commas, quotes or line breaks are quoted.
public enum CSV {
    /// One CSV record: fields quoted where they need it, joined with commas.
    public static func line(_ fields: [String]) -> String {
        fields.map { field in
            if field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return field
        }.joined(separator: ",")
    }
}



extension CSV {
    /// One record of a CSV file, with the line it starts on (from 1).
    public struct Record: Sendable, Equatable {
        /// The line the record starts on, from 1.
        public var line: Int
        /// Its fields, unquoted.
        public var fields: [String]
    }

    /// An unterminated quoted field.
    public struct ParseError: Error, Sendable {
        /// The line the field starts on.
        public var line: Int
    }

    /// Parses RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks; CRLF or
    /// LF line ends). Blank lines are skipped.
    public static func parse(_ text: String) throws(ParseError) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var line = 1
        var recordLine = 1
        var quoted = false
        var quoteLine = 1
        var atFieldStart = true
        var chars = text.makeIterator()
        var pending: Character?
        func next() -> Character? {
            if let p = pending { pending = nil; return p }
            return chars.next()
        }
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            field = ""
            atFieldStart = true
        }
        while let c = next() {
            if quoted {
                if c == "\"" {
                    if let n = next() {
                        if n == "\"" { field.append("\"") } else { quoted = false; pending = n }
                    } else { quoted = false }
                } else {
                    if c == "\n" || c == "\r\n" || c == "\r" { line += 1 }
                    field.append(c == "\r\n" ? "\n" : c)
                }
                continue
            }
            switch c {
            case "\"" where atFieldStart:
                quoted = true
                quoteLine = line
                atFieldStart = false
            case ",":
                fields.append(field)
                field = ""
                atFieldStart = true
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.append(c)
                atFieldStart = false
            }
        }
        if quoted { throw ParseError(line: quoteLine) }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}

/// Text files as spreadsheets save them: UTF-8 with or without a byte-order mark, or
/// GB18030 (what Excel on a Chinese Windows PC saves as "CSV").
public enum TextFile {
    /// The encodings ktx reads.
    public enum Encoding: String, Sendable { case utf8 = "UTF-8", gb18030 = "GB18030" }

    /// Decodes bytes: UTF-8 when they are valid UTF-8 (a BOM is dropped), else GB18030;
    /// nil when they are neither.
    public static func decode(_ bytes: [UInt8]) -> (text: String, encoding: Encoding)? {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) { return (text, .utf8) }
        return convert(Array(bytes), from: "GB18030", to: "UTF-8")
            .flatMap { String(validating: $0, as: UTF8.self) }.map { ($0, .gb18030) }
    }

    /// Encodes text as GB18030 (for tests and for offices that need it).
    public static func gb18030(_ text: String) -> [UInt8]? {
        convert(Array(text.utf8), from: "UTF-8", to: "GB18030")
    }

    /// Converts bytes between encodings with the C library's iconv; nil on any invalid input.
    private static func convert(_ input: [UInt8], from source: String, to target: String) -> [UInt8]? {
        let cd = iconv_open(target, source)
        guard cd != iconv_t(bitPattern: -1) else { return nil }
        defer { iconv_close(cd) }
        var input = input
        var output = [UInt8](repeating: 0, count: input.count * 4 + 16)
        let produced: Int? = input.withUnsafeMutableBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                var inPtr = UnsafeMutableRawPointer(inBuf.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var outPtr = UnsafeMutableRawPointer(outBuf.baseAddress)?.assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outLeft = outBuf.count
                if inLeft > 0 && iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 { return nil }
                if iconv(cd, nil, nil, &outPtr, &outLeft) == -1 { return nil }
                return outBuf.count - outLeft
            }
        }
        guard let produced else { return nil }
        return Array(output.prefix(produced))
    }
}
