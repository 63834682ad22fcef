-- 0006_catalog_state: the version of the activity catalog the totals were last built with.
-- A replica keeps operations of kinds and metrics its catalog does not know (a newer ktx's)
-- out of its totals; when it is opened by a ktx whose catalog has another version, the
-- tables are rebuilt from the log so that they count exactly what that catalog knows.
-- Version 1 is the catalog every earlier ktx shipped.
-- Shipped migrations are never edited; add a new file instead.

CREATE TABLE catalog_state (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);

INSERT INTO catalog_state (id, version) VALUES (1, 1);
