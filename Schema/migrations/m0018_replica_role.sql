-- 0018_replica_role: what this replica may do, known before anything is written, so a local
-- command never writes an operation every receiver would refuse (a township PC setting an
-- indicator value). 'county' or 'township'; NULL for a replica made before 0018 until it
-- learns its role (a roster naming it, a folder it governs, the role of the token a hub
-- answered its sync with).
-- Shipped migrations are never edited; add a new file instead.

ALTER TABLE replica_self ADD COLUMN role TEXT CHECK (role IN ('county', 'township'));

-- The seq up to which this replica's own operations were checked against the rules every
-- receiver applies (with its role): a sync checks only what was written since, and again
-- from 1 when the role changes.
ALTER TABLE replica_self ADD COLUMN vetted INTEGER NOT NULL DEFAULT 0;

-- Own operations every receiver refuses (written by an older ktx, or refused by a rule added
-- later): left out of this replica's log, kept here to be shown, and not reported again when
-- the hub hands them back. The replica's later operations continued under a new replica id.
CREATE TABLE left_out (
    replica     BLOB NOT NULL,             -- the replica that wrote it (16 bytes)
    seq         INTEGER NOT NULL,
    reason      TEXT NOT NULL,             -- a RefusalReason code
    op          BLOB NOT NULL,             -- the operation, as a chunk of one (OpChunk)
    left_at     INTEGER NOT NULL,          -- unix milliseconds
    continued_as BLOB NOT NULL,            -- the replica its later operations continued under
    PRIMARY KEY (replica, seq)
) WITHOUT ROWID;
