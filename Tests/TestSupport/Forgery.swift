import FolderHub
import Foundation
import Store
import SyncCore

/// What someone with write access to a hub folder, and no key of an office's, can put under
/// the office's name at its next seqs.
public enum Forgery: String, CaseIterable, Sendable, CustomStringConvertible {
    case junk, unsigned, signedWithAnotherKey
    public var description: String { rawValue }

    /// The file's name and bytes for the office `replica`'s seqs `seqs`: five additions of −24
    /// to its activity `activity`, "written" by a random writer.
    public func file(for replica: ReplicaID, seqs: ClosedRange<Int64>, activity: ActivityID) throws -> (name: String, bytes: [UInt8]) {
        let fake = seqs.map { seq in
            Op(replica: replica, seq: seq, timestamp: HLCTimestamp(millis: 1_700_000_000_000, counter: 0),
               activity: activity, change: .add(metric: "attendance", amount: -24))
        }
        let writer = ReplicaID.random()
        let bytes: [UInt8] = switch self {
        case .junk: Array("not an operation file".utf8)
        case .unsigned: OperationFile.encode(fake, township: "河西镇", writer: writer)
        case .signedWithAnotherKey:
            OperationFile.encode(fake, township: "河西镇", writer: writer,
                                 seal: try Store.sealRuns(fake, key: ReplicaLab.orderedKeys(1)[0]).first!)
        }
        return (OperationFile.name(first: seqs.lowerBound, last: seqs.upperBound, writer: writer), bytes)
    }
}
