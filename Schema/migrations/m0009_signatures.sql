-- 0009_signatures: signing keys and signed runs.
-- Every replica signs the runs of operations it publishes (Ed25519; see RunSeal), and every
-- receiver verifies them before merging. The key is made when a replica is first opened by
-- this version (a new replica's id is derived from its key, so nobody else can sign for it).
-- Shipped migrations are never edited; add a new file instead.

-- This replica's own private key (32 bytes), made at first open.
ALTER TABLE replica_self ADD COLUMN signing_key BLOB;

-- Each replica's public key (32 bytes), once known, and the first seq of its first signed
-- run: its operations before that were made before it signed, and arrive unsigned.
ALTER TABLE replica ADD COLUMN public_key BLOB;
ALTER TABLE replica ADD COLUMN signed_from INTEGER;

-- The signed runs this database holds, as sealed by their replica: relayed exactly so.
CREATE TABLE op_run (
    replica     INTEGER NOT NULL REFERENCES replica(num),
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    prev        BLOB NOT NULL,
    digest      BLOB NOT NULL,
    signature   BLOB NOT NULL,
    PRIMARY KEY (replica, last_seq)
) WITHOUT ROWID;
