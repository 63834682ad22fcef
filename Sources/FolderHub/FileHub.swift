import Crypto
import Foundation
import SyncCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A hub that is a plain folder: a shared drive or a USB stick that many offices use at
/// once, with no server and no locks.
///
/// Layout:
/// ```
/// ktx-hub.json                                  marks the folder as a hub
/// ops/<replica id>/<first>-<last>-<writer>.ktxops  immutable, checksummed (see OperationFile)
/// ```
/// Each replica writes only files named after itself (`writer`), each made visible
/// whole by writing a temporary file, syncing it to disk and renaming it; nothing is
/// ever modified in place, so concurrent syncs never conflict. A replica relays the
/// operations of others that the folder lacks, so offices that never meet still converge.
///
/// What the folder holds is read from file names alone: a sync with nothing to do
/// lists the folders and reads no operation file.
///
/// Its file I/O blocks (a USB stick can take seconds), so the actor runs on a dispatch
/// queue of its own (``FolderExecutor``), never on a thread of Swift's cooperative pool.
public actor FileHub: Hub {
    /// The folder, as given.
    public nonisolated let location: String
    private let executor = FolderExecutor()
    /// The folder actor's executor: its blocking file work runs there, off the cooperative pool.
    public nonisolated var unownedExecutor: UnownedSerialExecutor { executor.asUnownedSerialExecutor() }
    private let writer: ReplicaID
    private let durable: Bool
    private var listing: [ReplicaID: [Entry]]?
    private var prepared = false
    private var badFiles: Set<String> = []
    private var reported: Set<String> = []
    private var warnings: [HubWarning] = []
    private let pinnedKey: [UInt8]?
    private let cachedRoster: SignedDocument?
    private var governance: Governance?
    private let scope: String?

    struct Entry: Hashable {
        var name: String
        var first: Int64
        var last: Int64
    }

    /// The name of the marker file.
    public static let markerName = "ktx-hub.json"

    /// Opens a folder hub.
    ///
    /// - Parameters:
    ///   - path: the folder, made a hub by ``create(at:)``; a sync through a folder that is
    ///     missing or not a hub fails and changes nothing.
    ///   - writer: the replica that writes through this connection.
    ///   - durable: sync each file to disk before it becomes visible (turn off only in tests).
    ///   - pinnedKey: the county key this replica pinned when it added the hub: a folder
    ///     governed by another key, or by none, is refused (``KtxError`` `hub-key-changed`).
    ///   - cachedRoster: the newest roster this replica has verified for that key.
    ///   - scope: a township: pull only its replicas and the county's, by the roster (a
    ///     scoped replica; the folder must be governed).
    public init(path: String, writer: ReplicaID, durable: Bool = true, pinnedKey: [UInt8]? = nil,
                cachedRoster: SignedDocument? = nil, scope: String? = nil) {
        self.scope = scope
        self.location = path
        self.writer = writer
        self.durable = durable
        self.pinnedKey = pinnedKey
        self.cachedRoster = cachedRoster
    }

    /// The folder's governance, verified; nil for a folder no county governs.
    public func currentGovernance() throws -> Governance? {
        try ensureHub()
        return governance
    }

    /// Records an enrolment request in a governed folder for a replica it does not enrol yet; an ungoverned folder is open.
    public func enrol(_ replica: ReplicaID, request makeRequest: @Sendable () throws -> (EnrolmentRequest, SignedDocument)) async throws -> Enrolment {
        try ensureHub()
        guard var governance else { return .open }
        if governance.folderIsBehind {
            try Self.writeRosterBack(governance, at: location, writer: writer)
            governance.folderIsBehind = false
            self.governance = governance
        }
        if let member = governance.roster.member(replica) {
            if let after = member.revokedAfter { return .revoked(after: after) }
            return .enrolled(member.role)
        }
        let (request, signed) = try makeRequest()
        let dir = location + "/" + Self.requestsFolder
        let target = dir + "/" + replica.hex + ".json"
        // A request already there is kept if it is this replica's (same key); one written
        // by anyone else under this replica's name is replaced.
        let existing = (try? Self.readDocument(target)).flatMap { $0 }.flatMap { SignedDocument(fileBytes: $0) }
            .map { SignedDocument(purpose: signed.purpose, body: $0.body, signature: $0.signature) }
        let kept = existing.flatMap { try? JSONDecoder().decode(EnrolmentRequest.self, from: Data($0.body.utf8)) }
        let ours = existing.map { existing in
            kept?.key == request.key && kept?.township == request.township && request.keyBytes.map(existing.isSigned(by:)) == true
        } ?? false
        if !ours {
            try makeDirectory(dir)
            try writeAtomically(signed.fileBytes(), to: target, in: dir)
        }
        return .waiting
    }

    // MARK: Hub

    /// What the folder holds, per replica: the highest seq held from 1 without a gap.
    public func versionVector() async throws -> VersionVector {
        try ensureHub()
        let listing = try list()
        var vector = VersionVector()
        for (replica, entries) in listing {
            vector[replica] = Self.contiguousEnd(badFiles.isEmpty ? entries : entries.filter { !badFiles.contains(path(replica, $0.name)) })
        }
        return vector
    }

    /// Writes a run of one replica's operations as one file, whole (temporary file, fsync, rename).
    public func push(_ operations: [Op], township: String?, seal: RunSeal?) async throws {
        // No file holds more than a reader takes (a run is smaller than that).
        if seal == nil, operations.count > OperationFile.maxOperations {
            var from = 0
            while from < operations.count {
                let to = min(operations.count, from + OperationFile.maxOperations)
                try await push(Array(operations[from..<to]), township: township, seal: nil)
                from = to
            }
            return
        }
        guard let firstOp = operations.first, let lastOp = operations.last else { return }
        try ensureHub()
        let replica = firstOp.replica
        let dir = location + "/ops/" + replica.hex
        // A link in place of a replica's folder is someone's attempt to steer files elsewhere
        // (ktx never makes one, and never follows one): the link itself goes, and is told.
        var info = stat()
        if lstat(dir, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK, unlink(dir) == 0 {
            warn("ops/\(replica.hex)", .foreign, "a link in place of a replica folder: removed, never followed")
        }
        try makeDirectory(dir)
        let name = OperationFile.name(first: firstOp.seq, last: lastOp.seq, writer: writer)
        let target = dir + "/" + name
        let relative = path(replica, name)
        if !FileManager.default.fileExists(atPath: target) || badFiles.contains(relative) {
            let bytes = OperationFile.encode(operations, township: township, writer: writer, seal: seal)
            try writeAtomically(bytes, to: target, in: dir)
        } else if let seal {
            let theirs = (try? readFile(target)).flatMap { try? OperationFile.decode($0, replica: replica, first: firstOp.seq, last: lastOp.seq).0.seal }
            if let theirs, theirs.digest == seal.digest {
                // The same run, written before: nothing to do.
            } else if let theirs, theirs.key == seal.key, Self.isValidlySigned(theirs, replica: replica) {
                // The same name holds other operations signed with this replica's key: its
                // seqs were written by another copy of its database.
                throw KtxError.copiedReplica(replica.short, file: relative)
            } else {
                // Not this replica's: noise someone put in its place. Never a reason to stop; kept
                // aside (not overwritten) so that every reader, the county's first, is told.
                let kept = try keepAside(target, replica: replica, name: name)
                warn(kept ?? relative, .forged, theirs == nil ? "not signed, or not a run of operations: set aside" : "not signed with its key: set aside")
                let bytes = OperationFile.encode(operations, township: township, writer: writer, seal: seal)
                try writeAtomically(bytes, to: target, in: dir)
            }
        }
        badFiles.remove(relative)
        listing?[replica, default: []].append(Entry(name: name, first: firstOp.seq, last: lastOp.seq))
    }

    /// Reads what lies beyond `vector`, at most about `limit` operations, skipping files that are damaged or not the replica's.
    public func pull(after vector: VersionVector, limit: Int) async throws -> PullPage {
        try await pull(after: vector, limit: limit, only: nil)
    }

    private func pull(after vector: VersionVector, limit: Int, only: ReplicaID?) async throws -> PullPage {
        try ensureHub()
        let listing = try list()
        var inScope: ((ReplicaID) -> Bool)?
        if let scope {
            // Which replicas are the township's and the county's: only a roster says.
            guard let roster = governance?.roster else {
                throw KtxError(.scopeNeedsRoster(location: location))
            }
            inScope = { replica in
                guard let member = roster.member(replica) else { return false }
                return member.role == .county || member.township == scope
            }
        }
        for (replica, entries) in listing.sorted(by: { $0.key < $1.key }) where (only == nil || only == replica) && inScope.map({ $0(replica) }) ?? true {
            let next = vector[replica] + 1
            let candidates = entries
                .filter { $0.first <= next && $0.last >= next && !badFiles.contains(path(replica, $0.name)) }
                .sorted { ($0.last, $0.name) > ($1.last, $1.name) }
            for entry in candidates {
                let relative = path(replica, entry.name)
                let bytes: Data
                do {
                    bytes = try readFile(location + "/" + relative)
                } catch {
                    skip(relative, error.reason, error.detail)
                    continue
                }
                do {
                    let (header, ops) = try OperationFile.decode(bytes, replica: replica, first: entry.first, last: entry.last)
                    // A signed run goes whole (its signature covers all of it); the merger
                    // skips what it holds.
                    var page = PullPage(operations: header.seal == nil ? Array(ops.drop { $0.seq < next }) : ops,
                                        warnings: takeWarnings(), source: relative)
                    if let township = header.township { page.townships[replica] = township }
                    if let seal = header.seal { page.seals[replica] = [seal] }
                    page.roster = governance?.roster
                    return page
                } catch {
                    // Not a file of operations at all, in this replica's own place: nobody's
                    // but noise; moved out like a forged one.
                    if replica == writer, movedOutOfOwnPlace(relative, .forged, error.detail) { continue }
                    skip(relative, error.reason, error.detail)
                }
            }
        }
        return PullPage(warnings: takeWarnings())
    }

    /// The first of `runs` whose file in the folder holds other bytes than the run: checked from
    /// the file's header (the run's seal, and the length the header gives its body), so a sync
    /// reads a few hundred bytes per run, not the runs; a body altered behind a kept header,
    /// length and all, is for the readers' checksum to find. A missing file needs no check: the folder's
    /// vector already stops before it.
    public func firstLostRun(of replica: ReplicaID, among runs: [RunSeal]) async throws -> RunSeal? {
        try ensureHub()
        let entries = try list()[replica] ?? []
        var byRange: [Int64: [Entry]] = [:]
        for entry in entries { byRange[entry.first, default: []].append(entry) }
        for run in runs.sorted(by: { $0.first < $1.first }) {
            let candidates = (byRange[run.first] ?? []).filter { $0.last == run.last && !badFiles.contains(path(replica, $0.name)) }
            guard !candidates.isEmpty else { continue }
            if !candidates.contains(where: { holds(run, at: location + "/" + path(replica, $0.name)) }) { return run }
        }
        return nil
    }

    /// Whether the file at `path` holds `run`: its header carries the run's seal and seqs, and the
    /// file is as long as the header says.
    private func holds(_ run: RunSeal, at path: String) -> Bool {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return false }
        var prefix = [UInt8](repeating: 0, count: 4 << 10)
        let n = prefix.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0, let (header, bodyStart) = try? OperationFile.header(Data(prefix[0..<n])) else { return false }
        return header.seal?.digest == run.digest && header.seal?.signature == run.signature
            && header.first == run.first && header.last == run.last && Int(info.st_size) == bodyStart + header.bytes
    }

    // MARK: Folder

    private func path(_ replica: ReplicaID, _ name: String) -> String { "ops/\(replica.hex)/\(name)" }

    /// Whether a run's signature is valid for what it says, with the key it names (which key
    /// a replica's is, is the receiver's to judge).
    static func isValidlySigned(_ seal: RunSeal, replica: ReplicaID) -> Bool {
        guard seal.isWellFormed, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: seal.key) else { return false }
        return key.isValidSignature(seal.signature, for: seal.message(replica: replica))
    }

    /// The latest time the county signed the folder's roster: an operation dated a year past it is held.
    public func clockFloorMillis() async -> Int64? {
        guard (try? ensureHub()) != nil, let roster = governance?.roster,
              roster.signedAtMillis >= AcceptanceRule.earliestMillis else { return nil }
        return roster.signedAtMillis
    }

    /// Marks a file as not to be read again, and reports it once with the reason.
    public func setAside(_ source: String, reason: HubWarning.Reason, detail: String) async {
        // A file in this replica's own place that it did not sign: the office is the one
        // that knows, and moves it out into `tampered/`, where every reader sees it until the
        // county removes it. Another's place is only skipped.
        if reason == .forged, movedOutOfOwnPlace(source, reason, detail) { return }
        skip(source, reason, detail)
    }

    /// Moves a file out of this replica's own place (`ops/<writer>/`) into `tampered/` and
    /// says so; false, and nothing moved, for a file elsewhere or one that cannot be moved.
    private func movedOutOfOwnPlace(_ source: String, _ reason: HubWarning.Reason, _ detail: String) -> Bool {
        let parts = source.split(separator: "/")
        guard parts.count == 3, parts[0] == "ops", parts[1] == writer.hex,
              let kept = try? keepAside(location + "/" + source, replica: writer, name: String(parts[2])) else { return false }
        badFiles.insert(source)
        warn(kept, reason, detail + ": set aside")
        return true
    }

    /// Warnings noted since the last page, for a sync that pulls no more pages.
    public func pendingWarnings() -> [HubWarning] { takeWarnings() }

    private func skip(_ file: String, _ reason: HubWarning.Reason, _ detail: String) {
        badFiles.insert(file)
        warn(file, reason, detail)
    }

    private func warn(_ file: String, _ reason: HubWarning.Reason, _ detail: String) {
        guard reported.insert(file).inserted else { return }
        warnings.append(HubWarning(file: file, reason: reason, detail: detail))
    }

    private func takeWarnings() -> [HubWarning] {
        defer { warnings = [] }
        return warnings
    }

    /// Makes sure the folder is a hub. A sync never creates one: a missing folder is a USB
    /// stick not inserted or a typo, and a sync into a new local folder would report success
    /// for data that went nowhere. Only ``create(at:)`` (`ktx hub init`) makes a hub.
    private func ensureHub() throws {
        guard !prepared else { return }
        // A governed folder whose marker was deleted: any office that pinned the county's key
        // writes it back (the roster's signature, not the marker, is what is trusted).
        if let pinnedKey, Self.lostItsMarker(location), Self.rosterFileIsSigned(at: location, by: pinnedKey) != false {
            try Self.writeMarkerBack(at: location, countyKey: pinnedKey, roster: cachedRoster, writer: writer)
            warn(Self.markerName, .marker, "missing")
        }
        try Self.requireHub(at: location)
        let (governance, warnings) = try Self.readGovernance(at: location, pinned: pinnedKey, cached: cachedRoster)
        self.governance = governance
        for warning in warnings { warn(warning.file, warning.reason, warning.detail) }
        // Files an office found in its place and set aside: every reader says they are there
        // until someone removes them.
        for replica in (try? Self.names(in: location + "/" + Self.tamperedName)) ?? [] {
            for name in (try? Self.names(in: location + "/\(Self.tamperedName)/\(replica)")) ?? [] {
                warn("\(Self.tamperedName)/\(replica)/\(name)", .forged, "set aside by the office it names")
            }
        }
        prepared = true
    }

    /// Where an office moves a file it found under its name at its next seqs, not signed
    /// with its key: `tampered/<replica>/<file name>`.
    public static let tamperedName = "tampered"

    /// Moves someone else's file out of a replica's place into `tampered/`, a number added to
    /// its name if one is there already; returns its path in the hub (nil if it could not be
    /// moved: it is then overwritten, as before).
    private func keepAside(_ file: String, replica: ReplicaID, name: String) throws -> String? {
        let dir = location + "/\(Self.tamperedName)/\(replica.hex)"
        guard (try? makeDirectory(location + "/" + Self.tamperedName)) != nil, (try? makeDirectory(dir)) != nil else { return nil }
        try requireNoLink(upTo: dir)
        for n in 0..<100 {
            let kept = n == 0 ? name : "\(name).\(n)"
            // link + unlink: never over a file set aside before.
            if link(file, dir + "/" + kept) == 0 {
                unlink(file)
                return "\(Self.tamperedName)/\(replica.hex)/\(kept)"
            }
            if errno != EEXIST { return nil }
        }
        return nil
    }

    /// Checks that a folder exists and is a hub; throws ``KtxError`` `hub-missing` or `not-a-hub`.
    public static func requireHub(at location: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: location, isDirectory: &isDir) else { throw KtxError.hubMissing(location) }
        guard isDir.boolValue else { throw KtxError.notAHub(location) }
        var info = stat()
        guard lstat(location + "/" + markerName, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw KtxError.notAHub(location)
        }
    }

    /// What a hub folder holds of one replica, for a person to look over.
    public struct ReplicaSummary: Sendable, Equatable {
        /// The replica.
        public var replica: ReplicaID
        /// As the replica's own first file announces it.
        public var township: String?
        /// Operations held from seq 1 without a gap.
        public var operations: Int64
        /// Whether its files are signed (written by ktx 0.3 or later).
        public var signed: Bool
        /// The key its first file is signed with.
        public var key: [UInt8]?
    }

    /// Every replica whose operations the folder holds, with its township and how many.
    public func summary() async throws -> [ReplicaSummary] {
        let vector = try await versionVector()
        var out: [ReplicaSummary] = []
        for replica in vector.replicas.sorted() {
            let page = try await pull(after: VersionVector(), limit: 1, only: replica)
            out.append(ReplicaSummary(replica: replica, township: page.townships[replica],
                                      operations: vector[replica], signed: page.seals[replica] != nil,
                                      key: page.seals[replica]?.first?.key))
        }
        return out
    }

    /// What ``create(at:)`` found.
    public enum Creation: Sendable, Equatable {
        /// A new hub was made (the folder was missing or empty).
        case created
        /// The folder was a hub already, holding operations of these replicas.
        case existing(replicas: [ReplicaID])
    }

    /// Makes a folder a hub: creates it if missing (its parent must exist), marks it, and
    /// returns what it found. A folder that holds other files is refused.
    ///
    /// - Parameter county: the county's replica, which governs the hub: it is enrolled
    ///   (county role) and signs the roster. An existing hub (one made before 0.3) is
    ///   adopted: governed from now on, the replicas found in it waiting for the county to
    ///   approve them. A hub another key governs is refused. Without `county`, a hub no
    ///   county governs, as before 0.3 (kept for tests and upgrades).
    public static func create(at location: String, county: CountySigner?, cached: SignedDocument? = nil, now: Int64 = 0) throws -> Creation {
        // The county repairs a folder it governs that lost its marker; one another county's
        // roster governs is refused.
        if let county, lostItsMarker(location) {
            guard rosterFileIsSigned(at: location, by: county.key) != false else {
                throw KtxError.notTheCounty(location, governor: "—")
            }
            try writeMarkerBack(at: location, countyKey: county.key, roster: cached, writer: county.replica)
        }
        let creation = try create(at: location)
        guard let county else { return creation }
        do {
            let (existing, _) = try readGovernance(at: location, pinned: nil, cached: cached)
            if let existing {
                guard existing.countyKey == county.key else {
                    throw KtxError.notTheCounty(location, governor: fingerprint(of: existing.countyKey))
                }
                if existing.folderIsBehind { try writeRosterBack(existing, at: location, writer: county.replica) }
                return creation
            }
        } catch let error as KtxError where error.code == .badRoster {
            // Governed, but no roster this county signed is left anywhere: a new one follows.
        }
        let roster = Roster(serial: 1, county: county.key, members: [
            Roster.Member(replica: county.replica, township: county.township, role: .county, key: county.key, approvedAt: now),
        ])
        try writeGovernance(at: location, roster: roster, signer: county)
        return creation
    }

    /// Makes a folder a hub no county governs (see ``create(at:county:cached:now:)``).
    public static func create(at location: String) throws -> Creation {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: location, isDirectory: &isDir) {
            guard isDir.boolValue else { throw KtxError.notAHub(location) }
            if (try? requireHub(at: location)) != nil {
                let names = (try? Self.names(in: location + "/ops")) ?? []
                return .existing(replicas: names.compactMap { ReplicaID(hex: $0) }.sorted())
            }
            let contents: [String]
            do { contents = try names(in: location) } catch {
                throw KtxError.hubUnreadable(location, reason: describe(error), underlying: error as NSError)
            }
            guard contents.filter({ !$0.hasPrefix(".") }).isEmpty else {
                throw KtxError(.folderNotEmpty(location: location))
            }
        } else {
            let parent = (location as NSString).deletingLastPathComponent
            guard parent.isEmpty || fm.fileExists(atPath: parent, isDirectory: &isDir), isDir.boolValue else {
                throw KtxError.hubMissing(parent)
            }
            do { try fm.createDirectory(atPath: location, withIntermediateDirectories: false) } catch {
                throw KtxError.hubUnreadable(location, reason: describe(error), underlying: error as NSError)
            }
        }
        let maker = FileHub(path: location, writer: ReplicaID.random(), durable: true)
        try maker.makeDirectory(location + "/ops")
        let json = #"{"format":"ktx-hub","version":1}"# + "\n"
        try maker.writeAtomically(Array(json.utf8), to: location + "/" + markerName, in: location)
        return .created
    }

    /// Lists every operation file by name, once per connection; foreign names are reported.
    private func list() throws -> [ReplicaID: [Entry]] {
        if let listing { return listing }
        let fm = FileManager.default
        let opsDir = location + "/ops"
        var out: [ReplicaID: [Entry]] = [:]
        let names: [(name: String, type: UInt8)]
        do { names = try Self.entries(in: opsDir) } catch {
            if !fm.fileExists(atPath: opsDir) { listing = [:]; return [:] }
            throw KtxError.hubUnreadable(location, reason: Self.describe(error), underlying: error as NSError)
        }
        // The replica folders, in the order listed; anything else is reported.
        var folders: [(replica: ReplicaID, name: String)] = []
        for (name, type) in names where !name.hasPrefix(".") {
            // Lowercase only, as ktx names them.
            guard let replica = ReplicaID(hex: name), !name.utf8.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "F") }) else {
                warn("ops/\(name)", .foreign, "not a replica folder")
                continue
            }
            // readdir's type when the file system gives it (a link is DT_LNK: not followed).
            var info = stat()
            guard type == UInt8(DT_DIR)
                    || (type == UInt8(DT_UNKNOWN) && lstat(opsDir + "/" + name, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR) else {
                warn("ops/\(name)", .foreign, "not a folder (a link or a file): not followed")
                continue
            }
            folders.append((replica, name))
        }
        // Reading each folder is a system call or three, most of a no-op sync's time on a
        // province's hub (thousands of replicas): read on every core.
        let read = Self.readFolders(folders.map { opsDir + "/" + $0.name }, temporaryPrefix: ".tmp-\(writer.hex)-")
        for (folder, files) in zip(folders, read) {
            guard let files else {
                warn("ops/\(folder.name)", .foreign, "not a readable folder")
                continue
            }
            for foreign in files.foreign { warn("ops/\(folder.name)/\(foreign)", .foreign, "not an operation file name") }
            out[folder.replica] = files.entries
        }
        listing = out
        return out
    }

    /// The operation files of replica folders and the names that are not operation files,
    /// nil for a folder that cannot be read; stale temporary files of this writer removed.
    /// Folders are read on every core when there are many.
    private static func readFolders(_ paths: [String], temporaryPrefix: String) -> [(entries: [Entry], foreign: [String])?] {
        @Sendable func read(_ dir: String) -> (entries: [Entry], foreign: [String])? {
            guard let files = try? names(in: dir) else { return nil }
            removeStaleTemporaryFiles(in: dir, names: files, prefix: temporaryPrefix)
            var entries: [Entry] = []
            var foreign: [String] = []
            entries.reserveCapacity(files.count)
            for file in files where !file.hasPrefix(".") {
                if let parsed = OperationFile.parseName(file) {
                    entries.append(Entry(name: file, first: parsed.first, last: parsed.last))
                } else {
                    foreign.append(file)
                }
            }
            return (entries, foreign)
        }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard paths.count >= 64, cores > 1 else { return paths.map(read) }
        var out = [(entries: [Entry], foreign: [String])?](repeating: nil, count: paths.count)
        out.withUnsafeMutableBufferPointer { slots in
            // Each worker fills its own slots: no two write the same element.
            nonisolated(unsafe) let slots = slots
            DispatchQueue.concurrentPerform(iterations: cores) { worker in
                for i in stride(from: worker, to: paths.count, by: cores) { slots[i] = read(paths[i]) }
            }
        }
        return out
    }

    /// The highest seq reachable from 1 through the given ranges without a gap.
    static func contiguousEnd(_ entries: [Entry]) -> Int64 {
        var end: Int64 = 0
        for e in entries.sorted(by: { $0.first < $1.first }) {
            if e.first > end + 1 { break }
            end = max(end, e.last)
        }
        return end
    }

    // MARK: Files

    /// The names in a folder, read with readdir alone. Foundation's listing also looks at
    /// each entry, and fails when another office's sync renames its temporary file meanwhile.
    static func names(in dir: String) throws -> [String] {
        try entries(in: dir).map(\.name)
    }

    /// The names in a folder with their type as readdir tells it (`DT_DIR`, `DT_REG`, …;
    /// `DT_UNKNOWN` on file systems that do not say), so a listing needs no stat per entry.
    static func entries(in dir: String) throws -> [(name: String, type: UInt8)] {
        try entries(of: opendir(dir))
    }

    /// Reads and closes an open folder; nil (it did not open) throws errno.
    private static func entries(of handle: OpaquePointer?) throws -> [(name: String, type: UInt8)] {
        guard let handle else {
            let code = errno
            throw NSError(domain: NSPOSIXErrorDomain, code: Int(code),
                          userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(code))])
        }
        defer { closedir(handle) }
        var out: [(name: String, type: UInt8)] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { out.append((name, entry.pointee.d_type)) }
        }
        return out
    }

    nonisolated func makeDirectory(_ path: String) throws {
        try requireNoLink(upTo: (path as NSString).deletingLastPathComponent)
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            // Another office's sync may create the same folder at the same moment.
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                try requireNoLink(upTo: path)
                return
            }
            throw KtxError.hubUnreadable(location, reason: Self.describe(error), underlying: error as NSError)
        }
        try requireNoLink(upTo: path)
    }

    /// Refuses a folder inside the hub that is a symbolic link, or is reached through one:
    /// whoever can write to the folder could otherwise make a sync write files anywhere this
    /// PC's account may (a link is never followed when reading either).
    nonisolated func requireNoLink(upTo dir: String) throws {
        guard dir.hasPrefix(location), dir.count > location.count else { return }
        var path = location
        for part in dir.dropFirst(location.count).split(separator: "/") {
            path += "/" + part
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            guard (info.st_mode & S_IFMT) == S_IFDIR else {
                let name = String(path.dropFirst(location.count + 1))
                throw KtxError(.linkInHub(location: location, name: name))
            }
        }
    }

    /// Reads an operation file: a regular file, not followed if it is a link, refused
    /// unread if it is larger than any writer makes (a FIFO, a device or a 4 GiB file in
    /// the folder costs the reader nothing).
    private func readFile(_ path: String) throws(OperationFile.Problem) -> Data {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP { throw OperationFile.Problem(reason: .foreign, detail: "a symbolic link: not followed") }
            throw OperationFile.Problem(reason: .damaged, detail: "cannot be opened (\(String(cString: strerror(code))))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw OperationFile.Problem(reason: .foreign, detail: "not a regular file: not read")
        }
        let size = Int(info.st_size)
        guard size <= OperationFile.maxBytes else {
            throw OperationFile.Problem(reason: .foreign, detail: "\(size) bytes, larger than any ktx writes (\(OperationFile.maxBytes)): not read")
        }
        var data = Data(count: size)
        var done = 0
        let ok = data.withUnsafeMutableBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return size == 0 }
            while done < size {
                let n = read(fd, base + done, size - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                if n == 0 { break }
                done += n
            }
            return true
        }
        guard ok, done == size else {
            throw OperationFile.Problem(reason: .damaged, detail: "cannot be read (\(String(cString: strerror(errno))))")
        }
        return data
    }

    /// How old a temporary file of this writer must be before it counts as left by a sync
    /// that was killed (a live sync renames its file within seconds).
    public static let staleTemporaryAge: TimeInterval = 3600

    /// Removes this writer's own temporary files left by killed syncs; never anyone else's.
    private static func removeStaleTemporaryFiles(in dir: String, names: [String], prefix: String) {
        let cutoff = Date().timeIntervalSince1970 - Self.staleTemporaryAge
        for name in names where name.hasPrefix(prefix) {
            var info = stat()
            let path = dir + "/" + name
            guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, TimeInterval(info.st_mtim.tv_sec) < cutoff else { continue }
            unlink(path)
        }
    }

    /// Writes a file whole or not at all: a temporary file, fsync, rename, fsync of the folder.
    nonisolated func writeAtomically(_ bytes: [UInt8], to target: String, in dir: String) throws {
        try requireNoLink(upTo: dir)
        let temp = dir + "/.tmp-\(writer.hex)-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw ioError("create \(temp)") }
        var written = 0
        let ok: Bool = bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return raw.isEmpty }
            while written < raw.count {
                let n = write(fd, base + written, raw.count - written)
                if n < 0 { if errno == EINTR { continue }; return false }
                written += n
            }
            return true
        }
        if !ok || (durable && fsync(fd) != 0) {
            let error = ioError("write \(temp)")
            close(fd)
            unlink(temp)
            throw error
        }
        close(fd)
        guard rename(temp, target) == 0 else {
            let error = ioError("rename to \(target)")
            unlink(temp)
            throw error
        }
        if durable {
            let dfd = open(dir, O_RDONLY)
            if dfd >= 0 { _ = fsync(dfd); close(dfd) }
        }
    }

    private nonisolated func ioError(_ what: String) -> KtxError {
        KtxError.hubUnreadable(location, reason: "\(what): \(String(cString: strerror(errno)))")
    }

    /// Why a folder could not be used, in plain words (never Foundation's "The operation
    /// could not be completed").
    public static func describe(_ error: any Error) -> String {
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        switch CocoaError.Code(rawValue: ns.code) {
        case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or folder / 文件或文件夹不存在"
        case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied / 没有权限"
        case .fileWriteOutOfSpace: return "the disk is full / 磁盘已满"
        case .fileWriteVolumeReadOnly: return "read-only medium / 只读介质"
        case .fileWriteFileExists: return "a file is in the way / 有同名文件"
        default: return "cannot be used / 无法使用"
        }
    }
}

/// The executor of a ``FileHub``: a serial dispatch queue, where its blocking reads and
/// writes of the folder may wait without holding up the tasks of the cooperative pool.
final class FolderExecutor: SerialExecutor, @unchecked Sendable {
    // @unchecked: the queue is immutable and DispatchQueue is thread-safe.
    private let queue = DispatchQueue(label: "ktx.folder-hub", qos: .userInitiated)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor { UnownedSerialExecutor(ordinary: self) }
}
