-- 0014_hub_pushes: what the county's dashboard shows of each PC on an HTTP hub: when it last
-- pushed, and the operations the hub refused from it, by reason (a clock ahead, another
-- township's activity, a bad signature...).
-- Shipped migrations are never edited; add a new file instead.

ALTER TABLE hub_replica ADD COLUMN last_push_at INTEGER;
-- When it last started a sync (asked for the hub's version vector, naming itself).
ALTER TABLE hub_replica ADD COLUMN last_seen_at INTEGER;

-- A remote's scope: NULL pulls everything (the county), 'township' only this replica's own
-- township's replicas and the county's (its indicator values), on a large hub.
ALTER TABLE remote ADD COLUMN scope TEXT CHECK (scope IN ('township'));

CREATE TABLE hub_refusal (
    replica     BLOB NOT NULL,
    code        TEXT NOT NULL,
    township    TEXT,
    pushes      INTEGER NOT NULL,
    operations  INTEGER NOT NULL,
    last_at     INTEGER NOT NULL,
    message     TEXT NOT NULL,
    PRIMARY KEY (replica, code)
);
