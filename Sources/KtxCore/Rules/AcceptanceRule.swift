/// Why an operation was refused: a stable code, the same on every replica and hub and
/// in every way an operation arrives (a local command, a folder file, an HTTP push or pull).
public enum RefusalReason: String, Error, Sendable, Hashable, CaseIterable {
    /// The row does not have the shape of an operation, or its kind code is not one this
    /// format defines (`[seq, hlc, activity, kind, field, value]`, kinds 0 to 3).
    case malformed = "malformed"
    /// The seq is below 1.
    case badSeq = "bad-seq"
    /// The timestamp is outside the years 2000 to 2999.
    case badTimestamp = "bad-timestamp"
    /// The activity id (or, for an indicator value, the indicator key) is malformed.
    case badTarget = "bad-target"
    /// A text field is empty where it must not be, too long, or holds control or
    /// bidirectional-override characters.
    case badText = "bad-text"
    /// A date that is not a real day written `YYYY-MM-DD`.
    case badDate = "bad-date"
    /// A kind or metric code that is not a well-formed code (`a-z`, digits, `_`).
    case badCode = "bad-code"
    /// An amount outside the bound its metric allows.
    case amountOutOfRange = "amount-out-of-range"
    /// A manual indicator value that is not a non-negative decimal number.
    case badIndicatorValue = "bad-indicator-value"
    /// Not signed, though its replica signs its operations (they come only in signed runs
    /// once it has signed one): a file or page made by someone else.
    case unsigned = "unsigned"
    /// The run's signature or digest does not match its operations: altered or forged.
    case badSignature = "bad-signature"
    /// Signed with a key that is not its replica's.
    case wrongKey = "wrong-key"
    /// Signed with a key that does not name the replica, met here first through signed runs
    /// with no roster naming its key: a replica made before ktx signed (it waits until the
    /// county enrols it; nothing is lost) or a forgery; nothing here can tell them apart.
    case unverifiedKey = "unverified-key"
    /// A second, different run for seqs of the replica this receiver holds another run for:
    /// the replica's database exists twice (a copied PC, a restored backup). Both runs are
    /// signed with its key, which proves it.
    case forked = "forked"
    /// A manual indicator value from a replica the county did not enrol with the county role.
    case countyOnly = "county-only"
    /// A change to an activity of another township than its replica's.
    case otherActivity = "other-activity"
    /// An activity moved into another township than its replica's.
    case otherTownship = "other-township"
    /// A township's year submitted by a county PC: only a township's own PCs submit it.
    case townshipOnly = "township-only"

}

/// An operation that was refused, and where it came from.
public struct Refusal: Hashable, Sendable {
    /// Where it arrived from: a file of a folder hub, a pushed or pulled batch, a command.
    public var source: String
    /// The replica that made it.
    public var replica: ReplicaID
    /// Its seq in that replica's log.
    public var seq: Int64
    /// Why it was refused.
    public var reason: RefusalReason

    /// A refusal of one operation, from where it arrived.
    public init(source: String, replica: ReplicaID, seq: Int64, reason: RefusalReason) {
        self.source = source
        self.replica = replica
        self.seq = seq
        self.reason = reason
    }

}

/// The one rule that decides whether an operation may enter a replica or a hub, whatever
/// way it arrives. It depends only on the operation and the catalog, never on what the
/// receiver holds, so every replica accepts the same set and converges.
///
/// - **Refused** (malformed): a seq below 1; a timestamp outside the years 2000–2999; an
///   activity id that is not `<12 hex>-<n>`, or an indicator key that is not
///   `<year>/<project>/<indicator>`; text that is empty (township, title), longer than
///   ``maxTextScalars`` scalars, or holds control, line-separator or bidirectional-control
///   characters; a date that is not a real day; a kind or metric code that is not
///   ``isCode(_:)``; an amount beyond its metric's ``Metric/maximumAmount`` (for a metric
///   this catalog does not know, ``Catalog/unknownMetricBound``); a manual indicator value
///   that is not ``Change/isValidIndicatorValue(_:)``.
/// - **Kept but not counted**: a well-formed kind or metric code this catalog does not know
///   (a newer ktx's). Such operations are stored and relayed; totals leave them out until
///   this replica runs a catalog that knows them and rebuilds.
///
/// The bounds keep every sum far from overflow (10^11 per operation; a total would need
/// 9 × 10^7 such operations on one activity), and sums are checked all the same.
public struct AcceptanceRule: Sendable {
    /// The catalog whose metric bounds apply.
    public let catalog: Catalog
    private let bounds: [String: Int64]

    /// The most Unicode scalars a text field may hold.
    public static let maxTextScalars = 200
    /// Timestamps before 2000-01-01 are refused.
    public static let earliestMillis: Int64 = 946_684_800_000
    /// Timestamps from 3000-01-01 are refused.
    public static let latestMillis: Int64 = 32_503_680_000_000

    /// The rule with a catalog's kinds and metrics (a code it does not know is kept, not counted).
    public init(catalog: Catalog) {
        self.catalog = catalog
        var bounds: [String: Int64] = [:]
        for metric in catalog.metrics { bounds[metric.code] = metric.maximumAmount }
        self.bounds = bounds
    }


    /// Why the operation must be refused; nil if it is accepted.
    ///
    /// - Parameters:
    ///   - op: the operation, from anywhere.
    ///   - targetChecked: the caller has already found the same target well formed
    ///     (the previous operation of a run changes the same activity, as most do).
    public func check(_ op: Op, targetChecked: Bool = false) -> RefusalReason? {
        guard op.seq >= 1 else { return .badSeq }
        let millis = op.timestamp.rawValue >> 16
        guard op.timestamp.rawValue >= 0, millis >= Self.earliestMillis, millis < Self.latestMillis else { return .badTimestamp }
        if case let .indicator(value) = op.change {
            guard Self.isIndicatorKey(op.activity.rawValue) else { return .badTarget }
            return Change.isValidIndicatorValue(value) ? nil : .badIndicatorValue
        }
        if case let .newerField(name, value) = op.change {
            // A step of the year's close: its own shape (a submit on an activity id of its
            // replica's, the county's steps on `<year>/close/<township>`).
            if YearClose.names(op) {
                guard Self.isNotes(value) || (name == YearClose.Action.approve.rawValue && value.isEmpty) else { return .badText }
                let onKey = Self.isIndicatorKey(op.activity.rawValue)
                guard name == YearClose.Action.submit.rawValue ? Self.isActivityID(op.activity.rawValue) : onKey else { return .badTarget }
                return YearClose.Step(op) == nil ? .badText : nil
            }
            // A newer ktx's field: a well-formed code naming it, text of notes' bounds, on an
            // activity or an indicator key.
            guard Self.isCode(name) else { return .badCode }
            guard Self.isActivityID(op.activity.rawValue) || Self.isIndicatorKey(op.activity.rawValue) else { return .badTarget }
            return value.isEmpty || Self.isNotes(value) ? nil : .badText
        }
        if case let .set(.notes, value) = op.change, op.targetsIndicator {
            guard Self.isIndicatorKey(op.activity.rawValue) else { return .badTarget }
            return value.isEmpty || Self.isNotes(value) ? nil : .badText
        }
        guard targetChecked || Self.isActivityID(op.activity.rawValue) else { return .badTarget }
        switch op.change {
        case let .set(field, value):
            switch field {
            case .kind: return Self.isCode(value) ? nil : .badCode
            case .date: return CalendarDate.isCanonical(value) ? nil : .badDate
            case .township, .title: return Self.isText(value) ? nil : .badText
            case .venue, .project: return value.isEmpty || Self.isText(value) ? nil : .badText
            case .notes: return value.isEmpty || Self.isNotes(value) ? nil : .badText
            }
        case let .add(metric, amount):
            guard let bound = bounds[metric] ?? (Self.isCode(metric) ? Catalog.unknownMetricBound : nil) else { return .badCode }
            return amount.magnitude <= bound.magnitude ? nil : .amountOutOfRange
        case .delete, .indicator, .newerField:
            return nil
        }
    }

    /// Whether text is a well-formed indicator key: `year/project/indicator`, a year from
    /// 1900 to 2999, project and indicator as text may be.
    public static func isIndicatorKey(_ text: String) -> Bool {
        guard let key = IndicatorKey(rawValue: text) else { return false }
        return (1900...2999).contains(key.year) && isText(key.project) && isText(key.indicator)
    }

    /// The most Unicode scalars notes may hold.
    public static let maxNotesScalars = 2000

    /// Whether notes may be stored: 1 to ``maxNotesScalars`` scalars, lines of text as
    /// ``isText(_:)`` allows, separated by line feeds.
    public static func isNotes(_ text: String) -> Bool {
        var count = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            count += line.unicodeScalars.count + 1
            guard line.isEmpty || isText(String(line)) else { return false }
        }
        return count >= 2 && count <= maxNotesScalars + 1
    }

    /// Whether text may be stored: 1 to ``maxTextScalars`` scalars, none of them a control
    /// character (C0, C1, DEL), a line or paragraph separator, or a bidirectional control
    /// (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), which could make a title show
    /// something other than what it holds.
    public static func isText(_ text: String) -> Bool {
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            let v = scalar.value
            if v < 0x20 || (v >= 0x7F && v < 0xA0) || v == 0x061C || v == 0x200E || v == 0x200F
                || (v >= 0x2028 && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069) {
                return false
            }
        }
        return count >= 1 && count <= maxTextScalars
    }

    /// Whether text is a well-formed kind or metric code: 1 to 32 of `a-z`, `0-9` and `_`,
    /// starting with a letter. Codes the catalog lacks but that have this shape are a
    /// newer ktx's, kept and relayed.
    public static func isCode(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard let first = utf8.first, first >= 0x61, first <= 0x7A, utf8.count <= 32 else { return false }
        return utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }
    }

    /// Whether text is an activity id exactly as ktx writes it: 12 lowercase hex digits,
    /// `-`, a positive decimal number without leading zeros.
    public static func isActivityID(_ text: String) -> Bool {
        let utf8 = text.utf8
        guard utf8.count >= 14, utf8.count <= 32 else { return false }
        var i = 0
        var digitsStart = -1
        for b in utf8 {
            if i < 12 {
                guard (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) else { return false }
            } else if i == 12 {
                guard b == 0x2D else { return false }
                digitsStart = 13
            } else {
                guard b >= 0x30 && b <= 0x39, !(i == digitsStart && b == 0x30) else { return false }
            }
            i += 1
        }
        return i > 13 && i - 13 <= 18
    }
}
