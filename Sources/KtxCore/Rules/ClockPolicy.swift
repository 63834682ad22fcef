/// How far ahead of a receiver's clock an operation may be dated, and what is said when one
/// is further ahead.
///
/// An operation dated beyond the allowed skew is neither merged nor allowed to move the
/// receiver's clock: it is held (left in the hub, asked for again at the next sync) and
/// reported, so one PC with a wrong clock can neither drag everyone's clock into the future
/// nor make its edits beat later ones. The skew is the same everywhere (the HTTP hub's
/// `--max-skew-hours` defaults to it), so replicas with right clocks agree.
public enum ClockPolicy {
    /// 24 hours, in milliseconds.
    public static let maxSkewMillis: Int64 = 24 * 3_600_000

    /// Through a folder there is no hub clock to ask: a PC keeps back its own operations
    /// dated more than this (a year) after the newest operation it has seen from any other
    /// office, since its clock is then almost certainly wrong (a wrong year). Shorter would
    /// keep back the work of an office that pulls rarely (a USB stick that comes once a
    /// quarter); a clock wrong by less is caught by the hubs and receivers it reaches
    /// (``maxSkewMillis``), whose hold ends by itself when their clocks catch up.
    public static let folderLeadMillis: Int64 = 366 * 24 * 3_600_000

}

/// An operation dated too far ahead of the receiver's clock: held, not merged, and
/// reported with the PC it came from. Its replica's later operations wait with it.
public struct HeldOperation: Hashable, Sendable {
    /// Where it arrived from: a file of a folder hub, a pulled page.
    public var source: String
    /// The replica that made it.
    public var replica: ReplicaID
    /// Its seq: the replica's operations from here on wait.
    public var seq: Int64
    /// The township of that replica, if known.
    public var township: String?
    /// How far ahead of the receiver's clock it is dated, in milliseconds (for ``Cause/clock``).
    public var aheadMillis: Int64
    /// Which clock it was found ahead of.
    public var cause: Cause

    /// Why an operation is held.
    public enum Cause: String, Hashable, Sendable {
        /// Dated beyond the allowed skew ahead of the receiver's clock.
        case clock
        /// Its replica is not enrolled by the county on a governed folder hub (or it changes
        /// an activity of a replica that is not).
        case notEnrolled = "not-enrolled"
        /// The county revoked its replica.
        case revoked
    }

    /// A held operation, with how far ahead it is and of which clock.
    public init(source: String, replica: ReplicaID, seq: Int64, township: String?, aheadMillis: Int64, cause: Cause = .clock) {
        self.source = source
        self.replica = replica
        self.seq = seq
        self.township = township
        self.aheadMillis = aheadMillis
        self.cause = cause
    }
}
