import Crypto
import Foundation
import SyncCore

/// The file format of a folder hub: one immutable file per contiguous run of one
/// replica's operations.
///
/// ```
/// KTXOPS 1
/// {"replica":"…","township":"…","writer":"…","first":1,"last":3,"count":3,"bytes":123,"sha256":"…"}
/// [[1,110338420817297408,"3fa9c2d1b0e4-1",0,"title","科技下乡 示范"],
/// [2,…,1,"attendance",120],
/// [3,…,2,"",null]]
/// ```
/// The header's `sha256` and `bytes` cover everything after the header line, so a
/// truncated or altered file is detected before any of it is merged.
public enum OperationFile {
    /// The first line of every operation file.
    public static let magic = "KTXOPS 1"
    /// The file name extension.
    public static let fileExtension = "ktxops"
    private static let extensionBytes = Array(fileExtension.utf8)
    /// The most operations a writer puts in one file; a file's header claiming more is refused.
    public static let maxOperations = 10_000
    /// The largest file a writer makes: ``maxOperations`` rows of the longest text the
    /// acceptance rule allows, escaped, with room to spare. A larger file is refused unread.
    public static let maxBytes = 32 << 20

    /// The header of an operation file.
    public struct Header: Codable, Sendable, Equatable {
        /// The replica whose operations the file holds, 32 hex digits.
        public var replica: String
        /// The township that replica announces.
        public var township: String?
        /// The replica that wrote the file (32 hex digits): only the replica itself, or a relaying receiver.
        public var writer: String
        /// The first seq in the file.
        public var first: Int64
        /// The last seq in the file.
        public var last: Int64
        /// The number of operations.
        public var count: Int
        /// The size of the body in bytes.
        public var bytes: Int
        /// The SHA-256 of the body, hex.
        public var sha256: String
        /// The run's signature by its replica (absent in files of operations made before
        /// ktx signed). Its digest is `sha256`: the body is the run's canonical body.
        public var seal: RunSeal?
    }

    /// Why a file could not be read.
    public struct Problem: Error, Sendable, Equatable {
        /// Why the file was refused.
        public var reason: HubWarning.Reason
        /// What exactly is wrong, in English, for logs.
        public var detail: String

        /// A problem with one file.
        public init(reason: HubWarning.Reason, detail: String) {
            self.reason = reason
            self.detail = detail
        }
    }

    /// The name of the file holding `first...last` of a replica's operations, as written by `writer`.
    public static func name(first: Int64, last: Int64, writer: ReplicaID) -> String {
        "\(pad(first))-\(pad(last))-\(writer.hex).\(fileExtension)"
    }

    /// Parses a file name into (first, last, writer); nil if it is not an operation file's name.
    public static func parseName(_ name: String) -> (first: Int64, last: Int64, writer: ReplicaID)? {
        // `000000000001-000000005000-<32 hex>.<extension>`, read in place: every file name of
        // a folder hub's listing goes through here on every sync.
        var copy = name
        return copy.withUTF8 { utf8 -> (Int64, Int64, ReplicaID)? in
            let ext = extensionBytes
            guard utf8.count == 12 + 1 + 12 + 1 + 32 + 1 + ext.count, utf8[12] == UInt8(ascii: "-"), utf8[25] == UInt8(ascii: "-"),
                  utf8[58] == UInt8(ascii: "."), ext.indices.allSatisfy({ utf8[59 + $0] == ext[$0] }) else { return nil }
            func number(_ from: Int) -> Int64? {
                var n: Int64 = 0
                for i in from..<(from + 12) {
                    let c = utf8[i]
                    guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else { return nil }
                    n = n * 10 + Int64(c - UInt8(ascii: "0"))
                }
                return n
            }
            guard let first = number(0), let last = number(13), first >= 1, last >= first,
                  let writer = ReplicaID.parse(hex: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: utf8[26..<58])))
            else { return nil }
            return (first, last, writer)
        }
    }

    private static func pad(_ n: Int64) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 12 - s.count)) + s
    }

    /// Encodes a contiguous run of one replica's operations.
    public static func encode(_ operations: [Op], township: String?, writer: ReplicaID, seal: RunSeal? = nil) -> [UInt8] {
        precondition(!operations.isEmpty, "an operation file holds at least one operation")
        let body = OperationRow.body(operations)
        let header = Header(
            replica: operations[0].replica.hex, township: township, writer: writer.hex,
            first: operations[0].seq, last: operations[operations.count - 1].seq,
            count: operations.count, bytes: body.count,
            sha256: Hex.string(SHA256.hash(data: body)), seal: seal)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // swift-format-ignore: NeverUseForceTry
        // A header of strings and integers always encodes.
        let headerBytes = try! encoder.encode(header)
        return Array(magic.utf8) + [UInt8(ascii: "\n")] + Array(headerBytes) + [UInt8(ascii: "\n")] + body
    }

    /// Decodes and verifies a file; throws a ``Problem`` naming what is wrong.
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - replica: the replica the file's folder is named after.
    ///   - first: the first seq the file's name promises.
    ///   - last: the last seq the file's name promises.
    public static func decode(_ bytes: [UInt8], replica: ReplicaID, first: Int64, last: Int64) throws(Problem) -> (Header, [Op]) {
        try decode(Data(bytes), replica: replica, first: first, last: last)
    }

    /// The header of a file from its first bytes (the magic line and the header line), and
    /// where the body starts: how long the file must be is `bodyStart + header.bytes`.
    public static func header(_ bytes: Data) throws(Problem) -> (header: Header, bodyStart: Int) {
        let newline = UInt8(ascii: "\n")
        guard let end1 = bytes.firstIndex(of: newline),
              String(decoding: bytes[bytes.startIndex..<end1], as: UTF8.self) == magic
        else { throw Problem(reason: .foreign, detail: "not a ktx operation file") }
        guard let end2 = bytes[(end1 + 1)...].firstIndex(of: newline) else {
            throw Problem(reason: .damaged, detail: "truncated header")
        }
        do {
            return (try JSONDecoder().decode(Header.self, from: bytes[(end1 + 1)..<end2]), end2 + 1 - bytes.startIndex)
        } catch {
            throw Problem(reason: .damaged, detail: "unreadable header")
        }
    }

    /// Decodes and verifies a file read as `Data`, without copying its body.
    public static func decode(_ bytes: Data, replica: ReplicaID, first: Int64, last: Int64) throws(Problem) -> (Header, [Op]) {
        let (header, bodyStart) = try self.header(bytes)
        let body = bytes[(bytes.startIndex + bodyStart)...]
        guard body.count == header.bytes else {
            throw Problem(reason: .damaged, detail: "length \(body.count) bytes, header says \(header.bytes)")
        }
        guard Hex.string(SHA256.hash(data: body)) == header.sha256 else {
            throw Problem(reason: .damaged, detail: "checksum mismatch")
        }
        guard header.replica == replica.hex, header.first == first, header.last == last,
              header.count == Int(last - first + 1), header.count <= maxOperations
        else { throw Problem(reason: .foreign, detail: "header does not match the file's name and folder") }
        let rows: [WireOp]
        if let parsed = body.withUnsafeBytes({ WireOp.parseRows($0) }) {
            rows = parsed
        } else {
            do {
                rows = try JSONDecoder().decode([WireOp].self, from: body)
            } catch {
                throw Problem(reason: .damaged, detail: "unreadable operations")
            }
        }
        guard rows.count == header.count else {
            throw Problem(reason: .damaged, detail: "\(rows.count) operations, header says \(header.count)")
        }
        var operations: [Op] = []
        operations.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            guard row.seq == first + Int64(i), let op = try? row.op(replica: replica) else {
                throw Problem(reason: .damaged, detail: "operation \(i + 1) is malformed")
            }
            operations.append(op)
        }
        return (header, operations)
    }
}
