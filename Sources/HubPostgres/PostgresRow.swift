import Foundation
import HubStorage
import Store
import SyncCore

/// An operation as the hub's PostgreSQL tables hold it: the wire row's columns, with `text`
/// '' and `number` 0 where the kind has none (PostgreSQL arrays of them carry no NULLs).
enum PostgresRow {
    /// The operation of a stored row, decoded by the same codec as every way in.
    static func op(_ replica: ReplicaID, seq: Int64, hlc: Int64, activity: String, kind: Int16, field: String,
                   text: String, number: Int64) throws -> Op {
        let code = Int(kind)
        let (add, delete) = (Int(OperationKind.add.rawValue), Int(OperationKind.delete.rawValue))
        let wire = WireOp(seq: seq, hlc: hlc, activity: activity, kind: code, field: field,
                          text: code == add || code == delete ? nil : text, number: code == add ? number : nil)
        do {
            return try wire.op(replica: replica)
        } catch {
            throw HubUnavailable("the hub database holds a malformed operation (replica \(replica.short), seq \(seq))")
        }
    }

    /// Columns of many operations, for one `INSERT … SELECT unnest(…)`.
    struct Columns {
        var seq: [Int64] = []
        var hlc: [Int64] = []
        var activity: [String] = []
        var kind: [Int16] = []
        var field: [String] = []
        var text: [String] = []
        var number: [Int64] = []

        mutating func append(_ op: Op) {
            let wire = WireOp(op)
            seq.append(wire.seq)
            hlc.append(wire.hlc)
            activity.append(wire.activity)
            kind.append(Int16(wire.kind))
            field.append(wire.field)
            text.append(wire.text ?? "")
            number.append(wire.number ?? 0)
        }
    }

    /// The advisory-lock key of a replica: its id's first 8 bytes (two replicas sharing them
    /// only wait for each other).
    static func lockKey(_ replica: ReplicaID) -> Int64 {
        replica.bytes.prefix(8).reduce(Int64(0)) { ($0 << 8) | Int64($1) }
    }
}
