/// The HTTP hub's JSON API, version 1 (`/v1`), as Codable types shared by the server
/// and the client. `openapi.json` at the repository root describes the same API.
///
/// Operations travel as arrays, as in folder-hub files:
/// `[seq, hlc, activity, kind, field, value]` with kind 0 set (value a string),
/// 1 add (value an integer), 2 delete (field "" and value null), 3 a manual indicator value
/// (activity the `IndicatorKey`, field "" and value a string).
public enum HubAPI {
    /// `GET /v1/vector`: what the hub holds, replica id (hex) → highest contiguous seq.
    public struct Vector: Codable, Sendable, Equatable {
        /// Replica id (32 hex digits) → the highest contiguous seq held.
        public var replicas: [String: Int64]
        /// In the hub's answer: the hub's clock, unix milliseconds, so a PC learns whether
        /// its own clock is wrong. Absent in requests and from hubs before 0.3.
        public var now: Int64?
        /// In the hub's answer: the body types `POST /v1/ops` takes besides JSON
        /// (`PullStream.pushContentType`). Absent from older hubs, which take JSON only.
        public var accepts: [String]?
        /// In the hub's answer: the role of the caller's token (`township`, `county` or
        /// `admin`), so a replica is never pushed with a token of another role than its own
        /// (a township's PC bound as the county's for good). Absent from older hubs.
        public var role: String?

        /// A vector as JSON: each replica's last seq, by hex id, with what the hub adds.
        public init(replicas: [String: Int64], now: Int64? = nil, accepts: [String]? = nil, role: String? = nil) {
            self.replicas = replicas
            self.now = now
            self.accepts = accepts
            self.role = role
        }

        /// A vector's JSON form, with the hub's clock, the push formats it accepts and the caller's role.
        public init(_ vector: VersionVector, now: Int64? = nil, accepts: [String]? = nil, role: String? = nil) {
            replicas = Dictionary(uniqueKeysWithValues: vector.map { ($0.key.hex, $0.value) })
            self.now = now
            self.accepts = accepts
            self.role = role
        }

        /// The version vector; nil if any key is not a replica id or any seq is negative.
        public var versionVector: VersionVector? {
            var out = VersionVector()
            for (hex, seq) in replicas {
                guard let id = ReplicaID(hex: hex), seq >= 0 else { return nil }
                out[id] = seq
            }
            return out
        }
    }

    /// `GET /v1/me`: who the calling token speaks for.
    public struct Me: Codable, Sendable, Equatable {
        /// `township`, `county` or `admin`.
        public var role: String
        /// The township of a township token; nil for the others.
        public var township: String?

        /// A token's role and township.
        public init(role: String, township: String?) {
            self.role = role
            self.township = township
        }
    }

    /// `GET /v1/status` (county and admin tokens): the PCs whose pushes the hub refused since
    /// they last pushed successfully, by reason: their records are not reaching the county.
    public struct Status: Codable, Sendable, Equatable {
        /// A PC whose pushes the hub refuses (a county token's `GET /v1/status`).
        public struct NotFlowing: Codable, Sendable, Equatable {
            /// Its replica id, hex.
            public var replica: String
            /// Its township.
            public var township: String
            /// The hub's refusal code (a `RefusalReason` or another hub code).
            public var code: String
            /// Operations refused from it since it last pushed successfully.
            public var operations: Int64
            /// When the last refusal was, unix milliseconds.
            public var last: Int64

            /// A PC whose pushes the hub refuses.
            public init(replica: String, township: String, code: String, operations: Int64, last: Int64) {
                (self.replica, self.township, self.code, self.operations, self.last) = (replica, township, code, operations, last)
            }
        }

        /// Where a township's year stands on the hub (issue 30).
        public struct Year: Codable, Sendable, Equatable {
            /// The budget year.
            public var year: Int
            /// The township the standing is of.
            public var township: String
            /// `not-submitted`, `submitted`, `returned` or `approved`.
            public var state: String
            /// When it was submitted, returned or approved, unix milliseconds.
            public var at: Int64?
            /// Why the county returned it.
            public var reason: String?

            /// A township's year as the hub holds it.
            public init(year: Int, township: String, state: String, at: Int64?, reason: String?) {
                (self.year, self.township, self.state, self.at, self.reason) = (year, township, state, at, reason)
            }
        }

        /// The PCs whose pushes the hub refuses.
        public var notFlowing: [NotFlowing]
        /// Where each township stands in each year's close (absent from hubs before 0.4).
        public var years: [Year]

        enum CodingKeys: String, CodingKey { case notFlowing = "not_flowing", years }

        /// The hub's status for a county token.
        public init(notFlowing: [NotFlowing], years: [Year] = []) {
            self.notFlowing = notFlowing
            self.years = years
        }

        /// Reads a status; an older hub's, without years, reads as none.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            notFlowing = try c.decode([NotFlowing].self, forKey: .notFlowing)
            // A hub before 0.4 sends none.
            years = try c.decodeIfPresent([Year].self, forKey: .years) ?? []
        }
    }

    /// A contiguous run of one replica's operations: the body of `POST /v1/ops`, and
    /// one element of a pull page.
    public struct Batch: Codable, Sendable, Equatable {
        /// The pushing replica's id, hex.
        public var replica: String
        /// The township the push is for (a county replica's push names the county's office).
        public var township: String?
        /// The operations, contiguous in seq.
        public var operations: [WireOp]
        /// The signed runs the operations form, as their replica sealed them; absent for
        /// operations made before ktx signed.
        public var seals: [RunSeal]?

        /// A batch from its parts, as they travel.
        public init(replica: String, township: String?, operations: [WireOp], seals: [RunSeal]? = nil) {
            self.replica = replica
            self.township = township
            self.operations = operations
            self.seals = seals
        }

        /// A batch of one replica's contiguous operations, with the seal of their run if signed.
        public init(_ ops: [Op], township: String?, seal: RunSeal? = nil) {
            replica = ops.first?.replica.hex ?? ""
            self.township = township
            operations = ops.map(WireOp.init)
            seals = seal.map { [$0] }
        }

        /// Why a pushed batch cannot be taken as it is: the facts, with a stable code; the
        /// hub words it (HubServer).
        public enum Problem: Error, Sendable, Equatable {
            /// The replica id is not 32 hex digits.
            case badReplica
            /// The batch holds no operation.
            case emptyBatch
            /// The batch's township is not text the acceptance rule takes.
            case badTownship
            /// Operation `operation` (1-based) with seq `seq` is refused by the acceptance rule.
            case refused(operation: Int, seq: Int64, reason: RefusalReason)
            /// Operation `operation` has seq `seq` where `expected` was due: the batch has a gap.
            case gap(operation: Int, seq: Int64, expected: Int64)
            /// Operation `operation` is dated beyond the hub's clock and its allowed skew.
            case futureTimestamp(operation: Int)

            /// The stable code the hub answers with (``HubErrorCode``, or a `RefusalReason`'s).
            public var code: String {
                switch self {
                case .badReplica: HubErrorCode.badReplica.rawValue
                case .emptyBatch: HubErrorCode.emptyBatch.rawValue
                case .badTownship: RefusalReason.badText.rawValue
                case .refused(_, _, let reason): reason.rawValue
                case .gap: HubErrorCode.gap.rawValue
                case .futureTimestamp: HubErrorCode.futureTimestamp.rawValue
                }
            }
        }

        /// The batch's operations, each decoded by the codec and passed by the acceptance rule,
        /// contiguous, none dated beyond `latestAllowed` (unix milliseconds: the hub's clock
        /// plus the allowed skew).
        ///
        /// - Throws: a ``Problem`` whose code is the first refusal's reason (`RefusalReason`),
        ///   or `bad-replica`, `empty-batch`, `gap`, `future-timestamp`.
        public func decoded(by rule: AcceptanceRule, latestAllowed: Int64) throws(Problem) -> (replica: ReplicaID, operations: [Op]) {
            guard let id = ReplicaID(hex: replica) else { throw .badReplica }
            let ops = try Self.checked(count: operations.count, township: township, latestAllowed: latestAllowed,
                                       seq: { operations[$0].seq }) { i throws(RefusalReason) in
                try operations[i].accepted(replica: id, by: rule)
            }
            return (id, ops)
        }

        /// The packed operations of a pushed run (`PullStream.decodePush(_:)`), passed by the
        /// acceptance rule, none dated beyond `latestAllowed`: the checks of
        /// ``decoded(by:latestAllowed:)``, with the same problems.
        public static func checked(_ ops: [Op], township: String?, by rule: AcceptanceRule,
                                   latestAllowed: Int64) throws(Problem) -> [Op] {
            try checked(count: ops.count, township: township, latestAllowed: latestAllowed, seq: { ops[$0].seq }) { i throws(RefusalReason) in
                if let reason = rule.check(ops[i]) { throw reason }
                return ops[i]
            }
        }

        /// The checks every pushed run passes, however it was encoded: at least one
        /// operation, the township as text, each operation decoded and taken by the rule (`op`),
        /// seqs without gaps, none dated in the future.
        static func checked(count: Int, township: String?, latestAllowed: Int64, seq: (Int) -> Int64,
                            op: (Int) throws(RefusalReason) -> Op) throws(Problem) -> [Op] {
            guard count > 0 else { throw .emptyBatch }
            if let township, !AcceptanceRule.isText(township) {
                throw .badTownship
            }
            var ops: [Op] = []
            ops.reserveCapacity(count)
            for i in 0..<count {
                let next: Op
                do {
                    next = try op(i)
                } catch {
                    throw .refused(operation: i + 1, seq: seq(i), reason: error)
                }
                if i > 0, next.seq != ops[i - 1].seq + 1 {
                    throw .gap(operation: i + 1, seq: next.seq, expected: ops[i - 1].seq + 1)
                }
                if next.timestamp.millis > latestAllowed {
                    throw .futureTimestamp(operation: i + 1)
                }
                ops.append(next)
            }
            return ops
        }
    }

    /// The answer to a push.
    public struct PushResult: Codable, Sendable, Equatable {
        /// Operations new to the hub.
        public var accepted: Int
        /// Operations the hub already held.
        public var duplicates: Int

        /// What a push stored: new operations and those held already.
        public init(accepted: Int, duplicates: Int) {
            self.accepted = accepted
            self.duplicates = duplicates
        }
    }

    /// `POST /v1/pull`: operations beyond `after`, at most `limit`.
    public struct PullRequest: Codable, Sendable, Equatable {
        /// Replica id (hex) → the last seq the caller holds; the hub answers what follows.
        public var after: [String: Int64]
        /// The most operations in the answer; the hub's own limit when absent or larger.
        public var limit: Int?
        /// `township`: only the caller's township's replicas and the county's; nil: everything.
        public var scope: String?

        /// A pull of what lies beyond `after`, at most about `limit` operations.
        public init(after: VersionVector, limit: Int?, scope: String? = nil) {
            self.after = Vector(after).replicas
            self.limit = limit
            self.scope = scope
        }
    }

    /// A page of a pull. When `more` is true, pull again after merging this page: the
    /// new version vector is the continuation, so a pull cut off part way resumes.
    public struct PullPage: Codable, Sendable, Equatable {
        /// Batches of operations, one replica's each, in seq order.
        public var batches: [Batch]
        /// Whether more follows: ask again after these.
        public var more: Bool

        /// A page of batches.
        public init(batches: [Batch], more: Bool) {
            self.batches = batches
            self.more = more
        }

        /// Writes a page as JSON without building its ``Batch`` values: the same bytes
        /// `JSONEncoder` with sorted keys would write, through the one row writer
        /// (`OperationRow`), several times faster (a pull is the hub's busiest answer).
        public static func encode(_ runs: [(replica: ReplicaID, township: String?, operations: [Op], seals: [RunSeal])], more: Bool) -> [UInt8] {
            var out: [UInt8] = []
            out.reserveCapacity(64 + runs.reduce(0) { $0 + $1.operations.count * 64 })
            out.append(contentsOf: #"{"batches":["#.utf8)
            for (i, run) in runs.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(contentsOf: #"{"operations":["#.utf8)
                for (j, op) in run.operations.enumerated() {
                    if j > 0 { out.append(UInt8(ascii: ",")) }
                    OperationRow.append(op, to: &out)
                }
                out.append(contentsOf: #"],"replica":""#.utf8)
                out.append(contentsOf: run.replica.hex.utf8)
                out.append(UInt8(ascii: "\""))
                if !run.seals.isEmpty {
                    out.append(contentsOf: #","seals":["#.utf8)
                    for (k, seal) in run.seals.enumerated() {
                        if k > 0 { out.append(UInt8(ascii: ",")) }
                        out.append(contentsOf: #"{"digest":""#.utf8)
                        out.append(contentsOf: Hex.string(seal.digest).utf8)
                        out.append(contentsOf: #"","first":\#(seal.first),"key":""#.utf8)
                        out.append(contentsOf: Hex.string(seal.key).utf8)
                        out.append(contentsOf: #"","last":\#(seal.last),"prev":""#.utf8)
                        out.append(contentsOf: Hex.string(seal.prev).utf8)
                        out.append(contentsOf: #"","signature":""#.utf8)
                        out.append(contentsOf: Hex.string(seal.signature).utf8)
                        out.append(contentsOf: #""}"#.utf8)
                    }
                    out.append(UInt8(ascii: "]"))
                }
                if let township = run.township {
                    out.append(contentsOf: #","township":"#.utf8)
                    OperationRow.appendJSONString(township, to: &out)
                }
                out.append(UInt8(ascii: "}"))
            }
            out.append(contentsOf: (more ? #"],"more":true}"# : #"],"more":false}"#).utf8)
            return out
        }
    }

    /// Every error response: a stable code and a message that says what to do.
    public struct ErrorBody: Codable, Sendable, Equatable {
        /// The refusal: a stable code and its message.
        public struct Detail: Codable, Sendable, Equatable {
            /// A stable code (``HubErrorCode``).
            public var code: String
            /// What is wrong, in English, for logs; a client shows the code's words (`HubCode`, in KtxWords).
            public var message: String
        }

        /// The refusal.
        public var error: Detail

        /// An error answer: its code and message.
        public init(code: String, message: String) { error = Detail(code: code, message: message) }
    }

    /// `GET /healthz`.
    public struct Health: Codable, Sendable, Equatable {
        /// `ok` while the hub answers.
        public var status: String
        /// Operations the hub holds.
        public var operations: Int64

        /// The health answer: `ok` and the operations held.
        public init(status: String, operations: Int64) {
            self.status = status
            self.operations = operations
        }
    }
}
