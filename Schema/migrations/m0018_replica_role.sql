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

-- What the last sync with each remote found about PCs whose records are not flowing: this
-- PC's own (not enrolled, revoked, clock ahead, push refused, operations left out, continued
-- under a new id) and others' (refused, held, someone else's file in their place). Replaced
-- at each sync of that remote; `ktx status` shows them with the reason and the next step.
CREATE TABLE flow_problem (
    remote      TEXT NOT NULL,
    replica     BLOB NOT NULL,             -- 16 bytes
    cause       TEXT NOT NULL,             -- a FlowProblem.Cause
    own         INTEGER NOT NULL,          -- 1: this PC's own
    township    TEXT,
    seq         INTEGER,                   -- where it stops, when known
    code        TEXT,                      -- a refusal's reason code, or a file's name
    seen_at     INTEGER NOT NULL,          -- unix milliseconds
    PRIMARY KEY (remote, replica, cause)
) WITHOUT ROWID;
