-- 0011_governed_hubs: the county's key each folder remote was added with (pinned: a folder
-- governed by another key, or by none, is refused), and the newest county-signed roster this
-- replica has verified per county key (a folder holding an older one, or none, is read with it).
-- Shipped migrations are never edited; add a new file instead.

ALTER TABLE remote ADD COLUMN hub_key BLOB;

CREATE TABLE hub_roster (
    county_key  BLOB PRIMARY KEY,
    serial      INTEGER NOT NULL,
    body        TEXT NOT NULL,
    signature   BLOB NOT NULL
) WITHOUT ROWID;
