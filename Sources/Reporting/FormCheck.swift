import Crypto
import Foundation
import SyncCore
import ZIPFoundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Every report and form carries a short digest of its figures, and an Excel file made by ktx
/// says how it was made, so `ktx verify` can make it again from a replica and name each cell
/// that differs (issue 30).
extension Workbook {
    /// What the workbook's cells hold, sheet by sheet, as `ref → value` (numbers written as the
    /// file writes them; empty cells left out).
    public var cellValues: [[String: String]] {
        sheets.map { sheet in
            var out: [String: String] = [:]
            for (r, row) in sheet.rows.enumerated() {
                for (c, cell) in row.enumerated() {
                    switch cell.value {
                    case .empty: continue
                    case let .number(v): out["\(Self.column(c))\(r + 1)"] = Self.number(v)
                    case let .text(t): if !t.isEmpty { out["\(Self.column(c))\(r + 1)"] = t }
                    }
                }
            }
            return out
        }
    }

    /// The digest of the figures: the first 12 hex digits of the SHA-256 of every number cell
    /// (its place and value), as `xxxx-xxxx-xxxx`. Two files with the same digest hold the same
    /// figures in the same places, whatever language their words are in.
    public var figuresDigest: String {
        var hasher = SHA256()
        for (i, sheet) in sheets.enumerated() {
            for (r, row) in sheet.rows.enumerated() {
                for (c, cell) in row.enumerated() {
                    guard case let .number(v) = cell.value else { continue }
                    hasher.update(data: Array("\(i)!\(Self.column(c))\(r + 1)=\(Self.number(v))\u{1E}".utf8))
                }
            }
        }
        let hex = Hex.string(hasher.finalize()).prefix(12)
        return stride(from: 0, to: 12, by: 4).map { String(hex.dropFirst($0).prefix(4)) }.joined(separator: "-")
    }

    /// Row first, then column (`B2` < `A10`).
    public static func cellOrderPublic(_ a: String, _ b: String) -> Bool { cellOrder(a, b) }

    static func cellOrder(_ a: String, _ b: String) -> Bool {
        func split(_ ref: String) -> (Int, String) {
            let letters = ref.prefix { $0.isLetter }
            return (Int(ref.dropFirst(letters.count)) ?? 0, String(letters))
        }
        let (ra, ca) = split(a), (rb, cb) = split(b)
        return ra != rb ? ra < rb : (ca.count, ca) < (cb.count, cb)
    }
}

/// An `.xlsx` file read back: its description property and its cells, whoever saved it last
/// (ktx's inline strings, or Excel's and LibreOffice's shared strings).
public struct XLSXFile: Sendable {
    /// The file's description property (what `ktx verify` needs to make the workbook again).
    public var description: String?
    /// Every sheet's cells, by reference (`A1`), as text.
    public var sheets: [[String: String]]

    /// Reads a workbook from a file; a file that is not one is refused.
    public init(contentsOf url: URL) throws {
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw KtxError(.badFormat, zh: "\(url.path) 不是 Excel（.xlsx）文件", en: "\(url.path) is not an Excel (.xlsx) file")
        }
        func read(_ path: String) throws -> Data? {
            guard let entry = archive[path] else { return nil }
            var data = Data()
            _ = try archive.extract(entry, consumer: { data.append($0) })
            return data
        }
        // A part that is not well-formed XML is a damaged file, not an empty one.
        func damaged(_ part: String) -> KtxError {
            KtxError(.badFormat, zh: "\(url.path) 已损坏：\(part) 无法读取", en: "\(url.path) is damaged: its \(part) cannot be read")
        }
        let shared = try read("xl/sharedStrings.xml").map { try XMLCells.sharedStrings($0) ?? { throw damaged("xl/sharedStrings.xml") }() } ?? []
        description = try read("docProps/core.xml").flatMap { XMLCells.text(of: "description", in: $0) }
        var sheets: [[String: String]] = []
        // Sheets in workbook order, as ktx names them (`sheetN.xml`); another program may
        // rename the parts, so they are found by number.
        var n = 1
        while let data = try read("xl/worksheets/sheet\(n).xml") {
            guard let cells = XMLCells.cells(data, shared: shared) else { throw damaged("xl/worksheets/sheet\(n).xml") }
            sheets.append(cells)
            n += 1
        }
        self.sheets = sheets
    }
}

/// A small SAX reading of the parts `XLSXFile` needs.
final class XMLCells: NSObject, XMLParserDelegate {
    private var shared: [String] = []
    private var out: [String: String] = [:]
    private var strings: [String] = []
    private var ref: String?
    private var type: String?
    private var text = ""
    private var inText = false
    private var wanted: String?
    private var found: String?
    private var mode = 0
    /// Open elements, and whether any was seen: a part is whole when its root closed.
    private var depth = 0
    private var started = false

    /// Parses with `parser`; false if it is not a whole, well-formed document (libxml2 on Linux
    /// answers true for a document cut short).
    private func read(_ parser: XMLParser) -> Bool {
        parser.delegate = self
        return parser.parse() && parser.parserError == nil && started && depth == 0
    }

    /// A sheet's cells by reference; nil if the part is not well-formed.
    static func cells(_ data: Data, shared: [String]) -> [String: String]? {
        let reader = XMLCells()
        reader.shared = shared
        reader.mode = 0
        return reader.read(XMLParser(data: data)) ? reader.out : nil
    }

    /// The shared strings in order; nil if the part is not well-formed.
    static func sharedStrings(_ data: Data) -> [String]? {
        let reader = XMLCells()
        reader.mode = 1
        return reader.read(XMLParser(data: data)) ? reader.strings : nil
    }

    static func text(of element: String, in data: Data) -> String? {
        let reader = XMLCells()
        reader.mode = 2
        reader.wanted = element
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        return reader.read(parser) ? reader.found : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        depth += 1
        started = true
        switch mode {
        case 0:
            if name == "c" { ref = attributes["r"]; type = attributes["t"]; text = "" }
            if name == "v" || name == "t" { inText = true }
        case 1:
            if name == "si" { text = "" }
            if name == "t" { inText = true }
        default:
            if name == wanted { inText = true; text = "" }
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inText { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        switch mode {
        case 0:
            if name == "v" || name == "t" { inText = false }
            if name == "c", let ref {
                if type == "s", let i = Int(text), shared.indices.contains(i) {
                    out[ref] = shared[i]
                } else if !text.isEmpty {
                    if type == nil || type == "n", let v = Double(text) { out[ref] = Workbook.number(v) } else { out[ref] = text }
                }
                self.ref = nil
            }
        case 1:
            if name == "t" { inText = false }
            if name == "si" { strings.append(text) }
        default:
            if name == wanted { inText = false; found = text }
        }
    }
}
