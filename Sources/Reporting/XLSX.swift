import Foundation
import SyncCore
import ZIPFoundation

/// A workbook for Excel, WPS and LibreOffice: Office Open XML (`.xlsx`) written with
/// ZIPFoundation, strings inline, a few fixed styles, merged cells, column widths, A4 page
/// setup fitted to the page width, and page numbers in the footer.
public struct Workbook: Sendable {
    /// The sheets, in order.
    public var sheets: [Sheet] = []
    /// The file's description property (`docProps/core.xml`): what `ktx verify` needs to make
    /// the same workbook again.
    public var description: String?

    /// An empty workbook.
    public init() {}

    /// One worksheet: rows of cells from A1, with merges and column widths.
    public struct Sheet: Sendable {
        /// The sheet's name (at most 31 characters, as Excel allows).
        public var name: String
        /// The rows, from row 1.
        public var rows: [[Cell]] = []
        /// Merged ranges, e.g. `A1:I1`.
        public var merges: [String] = []
        /// Column widths in characters, from column A.
        public var widths: [Double] = []
        /// The footer, in Excel's header/footer codes (`&P` the page, `&N` the pages).
        public var footer: String?
        /// Whether it prints in landscape.
        public var landscape = false
        /// Rows printed again at the top of every page after the first they appear on
        /// (Excel's print titles), 1-based: a table's header row.
        public var repeatedRows: ClosedRange<Int>?

        /// An empty sheet.
        public init(name: String) { self.name = name }

        /// Adds a row below the last.
        public mutating func append(_ row: [Cell]) { rows.append(row) }

        /// Merges `columns` cells of the last row appended, from column `from` (0-based).
        public mutating func mergeLast(from: Int, columns: Int) {
            guard columns > 1 else { return }
            let r = rows.count
            merges.append("\(Workbook.column(from))\(r):\(Workbook.column(from + columns - 1))\(r)")
        }
    }

    /// How a cell looks: its border, weight, wrapping and number format.
    public enum Style: Int, Sendable {
        /// No border: notes around the table.
        case plain = 0
        /// Bold, large, centred: the form's title.
        case title = 1
        /// Bold on grey, bordered, wrapped: column headings.
        case heading = 2
        /// Bordered, wrapped text.
        case text = 3
        /// Bordered whole number with thousands separators: 1,266,995.
        case integer = 4
        /// Bordered number with two decimals: 0.50.
        case decimal = 5
        /// Bordered percentage with one decimal: 95.0%.
        case percent = 6
        /// Bold, bordered text: totals.
        case strong = 7
    }

    /// What a cell holds.
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Double)
        case empty
    }

    /// One cell.
    public struct Cell: Sendable {
        /// What it holds.
        public var value: Value
        /// How it looks.
        public var style: Style

        /// A cell holding a value, in a style.
        public init(_ value: Value, _ style: Style = .text) {
            self.value = value
            self.style = style
        }

        /// A text cell.
        public static func text(_ s: String, _ style: Style = .text) -> Cell { Cell(.text(s), style) }
        /// A number cell; an empty one for nil.
        public static func number(_ v: Double?, _ style: Style = .decimal) -> Cell { Cell(v.map(Value.number) ?? .empty, style) }
        /// An empty bordered cell.
        public static var blank: Cell { Cell(.empty, .text) }
    }

    /// A footer with the page and the page count, centred: 第 1 页，共 4 页.
    public static func pageNumbers(_ language: Language) -> String {
        language.pick(zh: "&C第 &P 页，共 &N 页", en: "&CPage &P of &N")
    }

    /// `0` → `A`, `25` → `Z`, `26` → `AA`.
    public static func column(_ index: Int) -> String {
        var n = index + 1
        var s = ""
        while n > 0 {
            let r = (n - 1) % 26
            s = String(UnicodeScalar(UInt8(65 + r))) + s
            n = (n - 1) / 26
        }
        return s
    }

    /// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`, unique.
    public static func sheetName(_ wanted: String, taken: [String]) -> String {
        let cleaned = String(wanted.map { "[]:*?/\\".contains($0) ? "_" : $0 })
        var name = String(cleaned.prefix(31))
        var n = 2
        while taken.contains(name) {
            let suffix = "(\(n))"
            name = String(cleaned.prefix(31 - suffix.count)) + suffix
            n += 1
        }
        return name.isEmpty ? "Sheet\(taken.count + 1)" : name
    }

    /// The `.xlsx` file's bytes.
    public func data() throws -> Data {
        let archive = try Archive(accessMode: .create)
        func add(_ path: String, _ text: String) throws {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count),
                                 modificationDate: Date(timeIntervalSince1970: 1_704_067_200),
                                 compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        try add("[Content_Types].xml", contentTypes)
        try add("_rels/.rels", rootRels)
        try add("xl/workbook.xml", workbookXML)
        try add("xl/_rels/workbook.xml.rels", workbookRels)
        try add("xl/styles.xml", Self.styles)
        if let description {
            try add("docProps/core.xml", Self.header + """
                <cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
                xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>ktx</dc:creator>\
                <dc:description>\(Self.escape(description))</dc:description></cp:coreProperties>
                """)
        }
        for (i, sheet) in sheets.enumerated() {
            try add("xl/worksheets/sheet\(i + 1).xml", Self.sheetXML(sheet))
        }
        guard let data = archive.data else { throw CocoaError(.fileWriteUnknown) }
        return data
    }

    // MARK: Parts

    private static let header = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    private static let mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    private static let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    private var contentTypes: String {
        Self.header + """
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
            <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
            <Default Extension="xml" ContentType="application/xml"/>\
            <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
            <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
            \(sheets.indices.map { "<Override PartName=\"/xl/worksheets/sheet\($0 + 1).xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" }.joined())\
            \(description == nil ? "" : "<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>")\
            </Types>
            """
    }

    private var rootRels: String {
        Self.header + """
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
            <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
            \(description == nil ? "" : "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>")\
            </Relationships>
            """
    }

    private var workbookXML: String {
        var names: [String] = []
        for sheet in sheets { names.append(Self.sheetName(sheet.name, taken: names)) }
        let titles = sheets.enumerated().compactMap { i, sheet in
            sheet.repeatedRows.map { rows in
                "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"\(i)\">"
                    + Self.escape("'\(names[i].replacingOccurrences(of: "'", with: "''"))'!$\(rows.lowerBound):$\(rows.upperBound)") + "</definedName>"
            }
        }
        return Self.header + "<workbook xmlns=\"\(Self.mainNS)\" xmlns:r=\"\(Self.relNS)\"><sheets>"
            + names.enumerated().map { "<sheet name=\"\(Self.escape($1))\" sheetId=\"\($0 + 1)\" r:id=\"rId\($0 + 1)\"/>" }.joined()
            + "</sheets>" + (titles.isEmpty ? "" : "<definedNames>" + titles.joined() + "</definedNames>") + "</workbook>"
    }

    private var workbookRels: String {
        Self.header + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + sheets.indices.map { "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet\($0 + 1).xml\"/>" }.joined()
            + "<Relationship Id=\"rId\(sheets.count + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>"
            + "</Relationships>"
    }

    /// The cell formats, in the order of ``Style``.
    private static let styles = header + """
        <styleSheet xmlns="\(mainNS)">\
        <numFmts count="1"><numFmt numFmtId="164" formatCode="0.0&quot;%&quot;"/></numFmts>\
        <fonts count="3">\
        <font><sz val="10.5"/><name val="宋体"/><family val="3"/><charset val="134"/></font>\
        <font><b/><sz val="14"/><name val="宋体"/><family val="3"/><charset val="134"/></font>\
        <font><b/><sz val="10.5"/><name val="宋体"/><family val="3"/><charset val="134"/></font>\
        </fonts>\
        <fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
        <fill><patternFill patternType="solid"><fgColor rgb="FFEEEEEE"/><bgColor indexed="64"/></patternFill></fill></fills>\
        <borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>\
        <border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>\
        <top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>\
        <cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
        <cellXfs count="8">\
        <xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1"><alignment vertical="top" wrapText="1"/></xf>\
        <xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>\
        <xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>\
        <xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>\
        <xf numFmtId="3" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>\
        <xf numFmtId="4" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>\
        <xf numFmtId="164" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>\
        <xf numFmtId="0" fontId="2" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>\
        </cellXfs>\
        <cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>\
        </styleSheet>
        """

    static func sheetXML(_ sheet: Sheet) -> String {
        var x = header + "<worksheet xmlns=\"\(mainNS)\" xmlns:r=\"\(relNS)\">"
        x += "<sheetPr><pageSetUpPr fitToPage=\"1\"/></sheetPr>"
        if !sheet.widths.isEmpty {
            x += "<cols>" + sheet.widths.enumerated().map { "<col min=\"\($0 + 1)\" max=\"\($0 + 1)\" width=\"\($1)\" customWidth=\"1\"/>" }.joined() + "</cols>"
        }
        x += "<sheetData>"
        let heights = rowHeights(sheet)
        for (r, row) in sheet.rows.enumerated() {
            x += "<row r=\"\(r + 1)\" ht=\"\(heights[r])\" customHeight=\"1\">"
            for (c, cell) in row.enumerated() {
                let ref = "\(column(c))\(r + 1)"
                let s = cell.style.rawValue
                switch cell.value {
                case .empty: x += "<c r=\"\(ref)\" s=\"\(s)\"/>"
                case let .number(v): x += "<c r=\"\(ref)\" s=\"\(s)\"><v>\(number(v))</v></c>"
                case let .text(t): x += "<c r=\"\(ref)\" s=\"\(s)\" t=\"inlineStr\"><is><t xml:space=\"preserve\">\(escape(t))</t></is></c>"
                }
            }
            x += "</row>"
        }
        x += "</sheetData>"
        if !sheet.merges.isEmpty {
            x += "<mergeCells count=\"\(sheet.merges.count)\">" + sheet.merges.map { "<mergeCell ref=\"\($0)\"/>" }.joined() + "</mergeCells>"
        }
        x += "<pageMargins left=\"0.5\" right=\"0.5\" top=\"0.6\" bottom=\"0.6\" header=\"0.3\" footer=\"0.3\"/>"
        x += "<pageSetup paperSize=\"9\" orientation=\"\(sheet.landscape ? "landscape" : "portrait")\" fitToWidth=\"1\" fitToHeight=\"0\"/>"
        if let footer = sheet.footer { x += "<headerFooter><oddFooter>\(escape(footer))</oddFooter></headerFooter>" }
        return x + "</worksheet>"
    }

    /// The height (points) of every row, so that LibreOffice and Excel print each text whole
    /// instead of drawing it over the next row or a ruled line: the lines a wrapped text needs
    /// (a CJK character counts two units, others one, over its column's width or its merged
    /// columns', in character units as `<col width>` is), each as tall as a CJK font draws
    /// the row's type (about 1.45 em), and room above and below for the rules.
    static func rowHeights(_ sheet: Sheet) -> [Double] {
        var spans: [String: Int] = [:]
        for merge in sheet.merges {
            let ends = merge.split(separator: ":").map(String.init)
            guard ends.count == 2 else { continue }
            let first = ends[0].prefix { $0.isLetter }, last = ends[1].prefix { $0.isLetter }
            spans[ends[0]] = columnIndex(String(last)) - columnIndex(String(first)) + 1
        }
        var out: [Double] = []
        for (r, row) in sheet.rows.enumerated() {
            var lines = 1
            var lineHeight = 15.0
            for (c, cell) in row.enumerated() {
                guard case let .text(t) = cell.value, !t.isEmpty else { continue }
                let span = spans["\(column(c))\(r + 1)"] ?? 1
                let width = (c..<(c + span)).reduce(0.0) { $0 + (sheet.widths.indices.contains($1) ? sheet.widths[$1] : 8.43) }
                let scale = cell.style == .title ? 14.0 / 10.5 : 1.0
                if cell.style == .title { lineHeight = 21 }
                var needed = 0
                for paragraph in t.split(separator: "\n", omittingEmptySubsequences: false) {
                    let units = paragraph.unicodeScalars.reduce(0.0) { $0 + ($1.value >= 0x2E80 ? 2.2 : 1.1) } * scale
                    // A little less than the full width: cell padding, and words kept whole.
                    needed += max(1, Int((units / max(1, width - 2)).rounded(.up)))
                }
                lines = max(lines, needed)
            }
            out.append(Double(lines) * lineHeight + 3)
        }
        return out
    }

    /// `A` → 0, `Z` → 25, `AA` → 26.
    static func columnIndex(_ letters: String) -> Int {
        letters.unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
    }

    /// A number as XML Schema writes a double: shortest round-trip digits.
    static func number(_ v: Double) -> String {
        v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
    }

    /// Text for XML: the five entities, and control characters XML 1.0 cannot hold dropped.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(u)
            default: if u.value >= 0x20 { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}
