import Crypto
import Foundation
import SyncCore

/// Signing and verifying runs (`RunSeal`) with Ed25519 from swift-crypto.
enum RunSigning {
    /// The SHA-256 of a run's canonical form: its operations packed as the log stores them
    /// (`OpChunk`, format version 1; the replica and the seqs are in the signed message).
    static func digest(_ operations: some Collection<Op>) -> [UInt8] {
        digest(packed: OpChunk.encode(operations))
    }

    static func digest(packed: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: packed))
    }

    /// The link the next run's `prev` names: the SHA-256 of what the run signs.
    static func hash(_ seal: RunSeal, replica: ReplicaID) -> [UInt8] {
        Array(SHA256.hash(data: seal.message(replica: replica)))
    }

    /// Seals a run of this replica's operations (at least one).
    static func seal(_ operations: some Collection<Op>, replica: ReplicaID, prev: [UInt8],
                     key: Curve25519.Signing.PrivateKey) throws -> RunSeal {
        guard let first = operations.first, let last = operations.reversed().first else { preconditionFailure("an empty run is never sealed") }
        var seal = RunSeal(first: first.seq, last: last.seq, prev: prev,
                           digest: digest(operations), key: Array(key.publicKey.rawRepresentation),
                           signature: [])
        seal.signature = Array(try key.signature(for: seal.message(replica: replica)))
        return seal
    }

    /// Whether the seal's signature is the key's over what it says; the digest is the
    /// caller's to compare with the operations.
    static func isSigned(_ seal: RunSeal, replica: ReplicaID) -> Bool {
        guard seal.isWellFormed, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: seal.key) else { return false }
        return key.isValidSignature(seal.signature, for: seal.message(replica: replica))
    }

    /// The replica id a key names: a new replica's id is derived from its public key, so
    /// nobody without the key can sign operations for it.
    static func replicaID(for publicKey: [UInt8]) -> ReplicaID {
        let hash = Array(SHA256.hash(data: ReplicaID.derivationMessage(publicKey: publicKey)))
        // swift-format-ignore: NeverForceUnwrap
        // 16 bytes of a 32-byte hash always make an id.
        return ReplicaID(bytes: hash.prefix(16))!
    }
}
