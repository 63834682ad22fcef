import Crypto
import Foundation
import SyncCore

/// A hub folder the county governs: its county key in `ktx-hub.json`, the county-signed
/// roster in `roster.json`, and new offices' requests in `requests/`.
///
/// ```
/// ktx-hub.json                 {"format":"ktx-hub","version":2,"county":KEY,"county_replica":ID}
/// roster.json                  the Roster, signed with the county's key (SignedDocument)
/// requests/<replica id>.json   an EnrolmentRequest, signed with the requesting replica's key
/// ```
/// Anyone who can write to the folder can replace these files, but not sign them: every
/// office pins the county key when it adds the hub (`ktx remote add`), keeps the newest
/// roster it has verified, and refuses a folder whose key differs.
public struct Governance: Sendable, Equatable {
    /// The county's Ed25519 public key.
    public var countyKey: [UInt8]
    /// The county replica that made the folder a governed hub.
    public var countyReplica: ReplicaID?
    /// The roster, verified against the county key.
    public var roster: Roster
    /// The roster as signed, to keep (a replica trusts the newest it has verified).
    public var document: SignedDocument
    /// The folder's own roster file is missing, unsigned or older: `document` came from the
    /// replica's kept copy (any office may write it back: the county signed it).
    public var folderIsBehind = false
}

/// The county's replica, able to sign: what `ktx hub init`, `approve` and `revoke` need.
public struct CountySigner: Sendable {
    /// The county replica's id.
    public var replica: ReplicaID
    /// The county office's township name.
    public var township: String
    /// The county's Ed25519 public key.
    public var key: [UInt8]
    /// Signs bytes with the county replica's private key.
    public var sign: @Sendable ([UInt8]) throws -> [UInt8]

    /// The county replica and how it signs.
    public init(replica: ReplicaID, township: String, key: [UInt8], sign: @escaping @Sendable ([UInt8]) throws -> [UInt8]) {
        self.replica = replica
        self.township = township
        self.key = key
        self.sign = sign
    }
}

/// A request in a governed hub folder, or a replica whose operations the folder holds
/// though it neither is enrolled nor asked to be (a folder adopted from before 0.3).
public struct PendingEnrolment: Sendable, Equatable {
    /// The replica.
    public var replica: ReplicaID
    /// The township it says it records for, if it asked.
    public var township: String?
    /// Its public key, if it asked.
    public var key: [UInt8]?
    /// The PC's name it gave, if it asked.
    public var host: String?
    /// When it asked, unix milliseconds.
    public var requestedAt: Int64?
    /// Operations of it the folder holds.
    public var operations: Int64
    /// True for a replica found in the folder without a request.
    public var found: Bool
}

extension SignedDocument {
    /// Whether the signature is `key`'s over the body.
    public func isSigned(by key: [UInt8]) -> Bool {
        guard let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: key) else { return false }
        return publicKey.isValidSignature(signature, for: message)
    }

    /// The file: `{"body":"…","signature":"…"}`.
    func fileBytes() -> [UInt8] {
        var out: [UInt8] = Array(#"{"body":"#.utf8)
        OperationRow.appendJSONString(body, to: &out)
        out += Array(#","signature":""#.utf8) + Array(Hex.string(signature).utf8) + Array("\"}\n".utf8)
        return out
    }

    init?(fileBytes: Data) {
        struct File: Decodable { var body: String; var signature: String }
        guard let file = try? JSONDecoder().decode(File.self, from: fileBytes), let signature = Hex.bytes(file.signature) else {
            return nil
        }
        self.init(purpose: "", body: file.body, signature: signature)
    }
}

extension FileHub {
    static let rosterName = "roster.json"
    static let requestsFolder = "requests"
    /// The largest marker, roster or request file read (a roster of 10,000 offices fits).
    static let maxDocumentBytes = 8 << 20

    struct Marker: Codable {
        var format: String
        var version: Int
        var county: String?
        var countyReplica: String?

        enum CodingKeys: String, CodingKey {
            case format, version, county
            case countyReplica = "county_replica"
        }
    }

    static func encodeJSON(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }

    /// A small file of the folder's own (marker, roster, request), or nil if missing.
    static func readDocument(_ path: String) throws(OperationFile.Problem) -> Data? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try readSmallFile(path, limit: maxDocumentBytes)
    }

    /// Whether a folder without its marker still holds a hub's operations (its `ops` folder):
    /// its marker was deleted. An empty folder (a USB stick's mount point with no stick in it)
    /// is not, nor one emptied and used for something else.
    static func lostItsMarker(_ location: String) -> Bool {
        var info = stat()
        if lstat(location + "/" + markerName, &info) == 0 { return false }
        return lstat(location + "/ops", &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether the folder's roster file, if any, is signed with `key` (the county's).
    static func rosterFileIsSigned(at location: String, by key: [UInt8]) -> Bool? {
        guard let data = try? readDocument(location + "/" + rosterName) else { return nil }
        guard let file = SignedDocument(fileBytes: data) else { return false }
        return SignedDocument(purpose: "roster", body: file.body, signature: file.signature).isSigned(by: key)
    }

    /// Writes back the marker of a governed folder that lost it, naming the county's key (the
    /// one the writer pinned, or its own for the county) and the county's replica as the
    /// county-signed roster names it.
    static func writeMarkerBack(at location: String, countyKey: [UInt8], roster: SignedDocument?, writer: ReplicaID) throws {
        let members = roster.flatMap { try? JSONDecoder().decode(Roster.self, from: Data($0.body.utf8)) }?.members ?? []
        let countyReplica = members.first { $0.role == .county && $0.keyBytes == countyKey }?.replica
        let marker = Marker(format: "ktx-hub", version: 2, county: Hex.string(countyKey), countyReplica: countyReplica)
        let maker = FileHub(path: location, writer: writer, durable: true)
        try maker.writeAtomically(Array((encodeJSON(marker) + "\n").utf8), to: location + "/" + markerName, in: location)
    }

    /// The folder's governance, verified: nil for a hub no county governs (made before 0.3).
    ///
    /// - Parameters:
    ///   - pinned: the county key this replica pinned when it added the hub; a folder with
    ///     another key, or none, is refused.
    ///   - cached: the newest roster this replica has verified; a folder holding an older
    ///     one, or none, is read with it instead (someone holding the USB stick may delete
    ///     or put back files, not sign them).
    public static func readGovernance(at location: String, pinned: [UInt8]?, cached: SignedDocument?) throws -> (Governance?, [HubWarning]) {
        let marker: Marker
        do {
            guard let data = try readDocument(location + "/" + markerName),
                  let decoded = try? JSONDecoder().decode(Marker.self, from: data), decoded.format == "ktx-hub" else {
                throw KtxError.notAHub(location)
            }
            marker = decoded
        } catch let problem as OperationFile.Problem {
            throw KtxError.badRoster(location, "\(markerName): \(problem.detail)")
        }
        guard let countyHex = marker.county else {
            if let pinned { throw KtxError.hubKeyChanged(location, pinned: fingerprint(of: pinned), found: nil) }
            return (nil, [])
        }
        guard let key = Hex.bytes(countyHex), key.count == 32 else { throw KtxError.badRoster(location, "\(markerName): malformed county key") }
        if let pinned, pinned != key {
            throw KtxError.hubKeyChanged(location, pinned: fingerprint(of: pinned), found: fingerprint(of: key))
        }
        var warnings: [HubWarning] = []
        func verified(_ document: SignedDocument) -> Roster? {
            guard document.isSigned(by: key),
                  let roster = try? JSONDecoder().decode(Roster.self, from: Data(document.body.utf8)),
                  roster.county == countyHex else { return nil }
            return roster
        }
        var best: (Roster, SignedDocument)?
        do {
            if let data = try readDocument(location + "/" + rosterName) {
                if let document = SignedDocument(fileBytes: data).map({ SignedDocument(purpose: "roster", body: $0.body, signature: $0.signature) }),
                   let roster = verified(document) {
                    best = (roster, document)
                } else {
                    warnings.append(HubWarning(file: rosterName, reason: .roster, detail: "not signed by the county's key"))
                }
            }
        } catch {
            warnings.append(HubWarning(file: rosterName, reason: .roster, detail: error.detail))
        }
        var behind = false
        if let cached, let roster = verified(cached), roster.serial > best?.0.serial ?? -1 {
            if let older = best?.0.serial {
                warnings.append(HubWarning(file: rosterName, reason: .roster,
                                           detail: "serial \(older), older than the \(roster.serial) this replica kept"))
            } else if warnings.isEmpty {
                warnings.append(HubWarning(file: rosterName, reason: .roster, detail: "missing"))
            }
            best = (roster, cached)
            behind = true
        }
        guard let (roster, document) = best else {
            throw KtxError.badRoster(location, warnings.first?.detail ?? "missing")
        }
        return (Governance(countyKey: key, countyReplica: marker.countyReplica.flatMap { ReplicaID(hex: $0) },
                           roster: roster, document: document, folderIsBehind: behind), warnings)
    }

    /// A key's fingerprint, as `ktx status` shows it (``KeyFingerprint``).
    public static func fingerprint(of key: [UInt8]) -> String { KeyFingerprint.format(sha256: SHA256.hash(data: key)) }

    /// Writes the newest county-signed roster a replica holds over the folder's missing,
    /// damaged or older one (anyone may: it is the county's signature that counts), so
    /// offices new to the folder read it too.
    static func writeRosterBack(_ governance: Governance, at location: String, writer: ReplicaID) throws {
        let maker = FileHub(path: location, writer: writer, durable: true)
        try maker.writeAtomically(governance.document.fileBytes(), to: location + "/" + rosterName, in: location)
    }

    /// Writes the marker and the roster of a governed hub (the roster first: a folder whose
    /// marker names a key always has a roster signed with it).
    static func writeGovernance(at location: String, roster: Roster, signer: CountySigner) throws {
        let body = encodeJSON(roster)
        let document = SignedDocument(purpose: "roster", body: body, signature: [])
        let signed = SignedDocument(purpose: "roster", body: body, signature: try signer.sign(document.message))
        let maker = FileHub(path: location, writer: signer.replica, durable: true)
        try maker.writeAtomically(signed.fileBytes(), to: location + "/" + rosterName, in: location)
        let marker = Marker(format: "ktx-hub", version: 2, county: Hex.string(signer.key), countyReplica: signer.replica.hex)
        try maker.writeAtomically(Array((encodeJSON(marker) + "\n").utf8), to: location + "/" + markerName, in: location)
    }

    /// The governance of a folder this county replica governs; throws `not-the-county` if
    /// it does not. `cached` is the newest roster the county replica kept (the folder's may
    /// have been deleted or put back).
    public static func governance(at location: String, for signer: CountySigner, cached: SignedDocument? = nil) throws -> Governance {
        try requireHub(at: location)
        let found: Governance?
        do {
            found = try readGovernance(at: location, pinned: nil, cached: cached).0
        } catch let error as KtxError where error.code == .hubKeyChanged {
            found = nil
        }
        guard let found else { throw KtxError.notTheCounty(location, governor: "—") }
        guard found.countyKey == signer.key else { throw KtxError.notTheCounty(location, governor: fingerprint(of: found.countyKey)) }
        return found
    }

    /// Requests in the folder, and replicas whose operations it holds but that neither are
    /// enrolled nor asked to be. A request not signed by the key it names is left out.
    public static func pendingEnrolments(at location: String, governance: Governance?) async throws -> [PendingEnrolment] {
        try requireHub(at: location)
        let roster = governance?.roster
        let hub = FileHub(path: location, writer: ReplicaID.random(), pinnedKey: governance?.countyKey, cachedRoster: governance?.document)
        let summary = try await hub.summary()
        let held = Dictionary(summary.map { ($0.replica, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [ReplicaID: PendingEnrolment] = [:]
        let folder = location + "/" + requestsFolder
        for name in (try? names(in: folder)) ?? [] where name.hasSuffix(".json") {
            guard let data = try? readDocument(folder + "/" + name), let file = SignedDocument(fileBytes: data) else { continue }
            let document = SignedDocument(purpose: "enrol", body: file.body, signature: file.signature)
            guard let request = try? JSONDecoder().decode(EnrolmentRequest.self, from: Data(document.body.utf8)),
                  let replica = request.replicaID, let key = request.keyBytes, document.isSigned(by: key),
                  name == replica.hex + ".json", roster?.member(replica) == nil else { continue }
            out[replica] = PendingEnrolment(replica: replica, township: request.township, key: key, host: request.host,
                                            requestedAt: request.requestedAt, operations: held[replica]?.operations ?? 0, found: false)
        }
        for r in summary where out[r.replica] == nil && roster?.member(r.replica) == nil {
            out[r.replica] = PendingEnrolment(replica: r.replica, township: r.township, key: r.key, host: nil,
                                              requestedAt: nil, operations: r.operations, found: true)
        }
        return out.values.sorted { ($0.township ?? "", $0.replica) < ($1.township ?? "", $1.replica) }
    }

    /// Enrols replicas (`ktx hub approve`): from their requests, or, for a replica found in
    /// the folder without one, with the key its signed files carry (none for one made
    /// before 0.3, whose first signed run then pins its key).
    ///
    /// - Returns: the members added.
    public static func approve(at location: String, replicas: [ReplicaID], role: Roster.Role?, signer: CountySigner,
                               cached: SignedDocument? = nil, now: Int64) async throws -> [Roster.Member] {
        var governance = try governance(at: location, for: signer, cached: cached)
        let pending = try await pendingEnrolments(at: location, governance: governance)
        var added: [Roster.Member] = []
        for replica in replicas {
            guard let p = pending.first(where: { $0.replica == replica }) else {
                if let member = governance.roster.member(replica), member.revokedAfter == nil { continue }
                if var member = governance.roster.member(replica) {
                    // Approving a revoked replica enrols it again.
                    member.revokedAfter = nil
                    member.revokedAt = nil
                    member.approvedAt = now
                    governance.roster.upsert(member)
                    added.append(member)
                    continue
                }
                throw KtxError(.unknownRequest(replica: replica.short))
            }
            let member = Roster.Member(replica: replica, township: p.township ?? "", role: role ?? .township, key: p.key, approvedAt: now)
            governance.roster.upsert(member)
            added.append(member)
        }
        guard !added.isEmpty else { return [] }
        governance.roster.serial += 1
        try writeGovernance(at: location, roster: governance.roster, signer: signer)
        for member in added { unlink(location + "/" + requestsFolder + "/" + member.replica + ".json") }
        return added
    }

    /// Revokes a replica (`ktx hub revoke`): its operations after `after` (what the county
    /// holds of it) are held by every office from their next sync.
    public static func revoke(at location: String, replica: ReplicaID, after: Int64, signer: CountySigner,
                              cached: SignedDocument? = nil, now: Int64) throws -> Roster.Member {
        var governance = try governance(at: location, for: signer, cached: cached)
        guard var member = governance.roster.member(replica) else {
            throw KtxError(.notEnrolled(replica: replica.short))
        }
        guard replica != signer.replica else {
            throw KtxError(.countyNotRevocable)
        }
        member.revokedAfter = min(member.revokedAfter ?? .max, after)
        member.revokedAt = now
        governance.roster.upsert(member)
        governance.roster.serial += 1
        try writeGovernance(at: location, roster: governance.roster, signer: signer)
        return member
    }

    /// Reads a regular file of at most `limit` bytes, not following links.
    static func readSmallFile(_ path: String, limit: Int) throws(OperationFile.Problem) -> Data {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            throw OperationFile.Problem(reason: .damaged, detail: "cannot be opened (\(String(cString: strerror(errno))))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, Int(info.st_size) <= limit else {
            throw OperationFile.Problem(reason: .foreign, detail: "not a regular file of at most \(limit) bytes")
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
        guard let data = try? handle.readToEnd() else { return Data() }
        return data
    }
}
