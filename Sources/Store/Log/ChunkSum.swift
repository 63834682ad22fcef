import Crypto
import Foundation
import GRDB
import SyncCore

/// The checksum kept beside each chunk's bytes (`op_chunk.sum`): the first 8 bytes of their
/// SHA-256. A chunk whose bytes changed after it was written (a failing disk, a hand edit)
/// may still unpack, into operations nobody made; its sum no longer matches, and every
/// command that relies on the log says so instead of counting, copying or rebuilding from it.
enum ChunkSum {
    static func of(_ bytes: some DataProtocol) -> Int64 {
        SHA256.hash(data: bytes).withUnsafeBytes { $0.loadUnaligned(as: Int64.self) }
    }
}

extension Store {
    /// Migration 0019's Swift step: the sums of the chunks written before it. Damage done
    /// before the upgrade cannot be told from the bytes alone: a chunk that does not unpack
    /// keeps no sum, and is found as damaged like one whose sum does not match.
    static func sumChunks(_ db: Database) throws {
        let update = try db.makeStatement(sql: "UPDATE op_chunk SET sum = ? WHERE id = ?")
        let ids = try replicaIDs(db)
        let rows = try Row.fetchCursor(db, sql: "SELECT id, replica, first_seq, ops FROM op_chunk")
        while let row = try rows.next() {
            let bytes: Data = row[3]
            guard let id = ids[row[1]],
                  (try? OpChunk.read([UInt8](bytes), replica: id, firstSeq: row[2])) != nil else { continue }
            try update.execute(arguments: [ChunkSum.of(bytes), row[0] as Int64])
        }
    }

    /// The first chunk whose bytes do not match their sum, as the `damaged-log` error that
    /// says which operations and what to do; nil when every chunk is whole. Reads every
    /// chunk's bytes (about 10 bytes an operation), unpacks none.
    static func damagedChunk(_ db: Database) throws -> KtxError? {
        let ids = try replicaIDs(db)
        let chunks = try HotStatement(db, "SELECT replica, first_seq, last_seq, ops, sum FROM op_chunk")
        defer { chunks.reset() }
        while try chunks.step() {
            if !chunks.isNull(4), ChunkSum.of(chunks.blob(3)) == chunks.int64(4) { continue }
            let replica = ids[chunks.int64(0)]?.short ?? "?"
            return KtxError.damagedChunk(replica: replica, from: chunks.int64(1), to: chunks.int64(2))
        }
        return nil
    }
}
