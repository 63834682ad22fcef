extension OpChunk {
    /// The replica's error for a chunk that cannot be read.
    public static var damaged: KtxError { KtxError(.unreadableChunk) }

    /// Unpacks a chunk of the log; an unreadable one is the replica's error
    /// (code `unreadable-chunk`).
    public static func read(_ bytes: [UInt8], replica: ReplicaID, firstSeq: Int64) throws(KtxError) -> [Op] {
        do { return try decode(bytes, replica: replica, firstSeq: firstSeq) } catch { throw damaged }
    }

    /// Unpacks a chunk of the log in place; an unreadable one is the replica's error.
    public static func read(_ bytes: UnsafeRawBufferPointer, replica: ReplicaID, firstSeq: Int64) throws(KtxError) -> [Op] {
        do { return try decode(bytes, replica: replica, firstSeq: firstSeq) } catch { throw damaged }
    }

    /// Unpacks the operations of a chunk from seq `from`, at most `limit` of them
    /// (`decode`, KtxCore); an unreadable one is the
    /// replica's error.
    public static func read(_ bytes: UnsafeRawBufferPointer, replica: ReplicaID, firstSeq: Int64,
                            from: Int64, limit: Int, strictText: Bool = false) throws(KtxError) -> [Op] {
        do {
            return try decode(bytes, replica: replica, firstSeq: firstSeq, from: from, limit: limit, strictText: strictText)
        } catch {
            throw damaged
        }
    }
}
