-- 0001_replica: the replica, its operation log, and the materialized tables.
-- Shipped migrations are never edited; add a new file instead.

-- This database's own identity: exactly one row.
CREATE TABLE replica_self (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    replica     INTEGER NOT NULL REFERENCES replica(num),
    created_at  INTEGER NOT NULL,          -- unix milliseconds
    clock       INTEGER NOT NULL           -- last hybrid logical clock value issued or seen
);

-- Every replica whose operations this database holds (itself included).
-- max_seq is this database's version vector entry: the highest contiguous seq held.
CREATE TABLE replica (
    num         INTEGER PRIMARY KEY,
    id          BLOB NOT NULL UNIQUE,      -- 16 random bytes
    township    TEXT,                      -- as announced by that replica, if known
    max_seq     INTEGER NOT NULL DEFAULT 0
);

-- The operation log: the truth. Everything else below is a cache of it.
-- kind: 0 = set a descriptive field (value TEXT), 1 = add to a quantity (value INTEGER),
--       2 = delete the activity (field '' and value NULL).
CREATE TABLE op (
    replica     INTEGER NOT NULL REFERENCES replica(num),
    seq         INTEGER NOT NULL,
    hlc         INTEGER NOT NULL,
    activity    TEXT NOT NULL,
    kind        INTEGER NOT NULL,
    field       TEXT NOT NULL,
    value,
    PRIMARY KEY (replica, seq)
) WITHOUT ROWID;

-- Materialized activities: each descriptive field with the stamp (hlc, replica id)
-- of the write that won it, so later operations merge without reading the log.
CREATE TABLE activity (
    id              TEXT PRIMARY KEY,
    township        TEXT, township_at INTEGER, township_by BLOB,
    kind            TEXT, kind_at     INTEGER, kind_by     BLOB,
    date            TEXT, date_at     INTEGER, date_by     BLOB,
    title           TEXT, title_at    INTEGER, title_by    BLOB,
    venue           TEXT, venue_at    INTEGER, venue_by    BLOB,
    project         TEXT, project_at  INTEGER, project_by  BLOB,
    deleted         INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- Materialized counters: the sum of every addition to (activity, metric).
CREATE TABLE quantity (
    activity    TEXT NOT NULL,
    metric      TEXT NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (activity, metric)
) WITHOUT ROWID;

-- Hubs this replica syncs with.
CREATE TABLE remote (
    name            TEXT PRIMARY KEY,
    location        TEXT NOT NULL,
    kind            TEXT NOT NULL,         -- 'folder' (later: 'http')
    added_at        INTEGER NOT NULL,
    last_sync_at    INTEGER,
    last_pushed     INTEGER,
    last_pulled     INTEGER
);

-- What each remote was known to hold at the end of the last sync with it.
CREATE TABLE remote_vv (
    remote      TEXT NOT NULL REFERENCES remote(name) ON DELETE CASCADE,
    replica     INTEGER NOT NULL REFERENCES replica(num),
    seq         INTEGER NOT NULL,
    PRIMARY KEY (remote, replica)
) WITHOUT ROWID;
