-- 0005_activity_writers: an activity row names the replica that won each field by its
-- local number (replica.num), not by its 16-byte id: the row shrinks by about 90 bytes,
-- and a merge of a large pull writes that much less. The stamp's order is unchanged:
-- ties are still broken by the full replica id, looked up through replica.num.
-- (No REFERENCES clause: GRDB enables foreign keys, and checking six per row would cost
-- a merge more than the narrower row saves; the merge only writes numbers it registered.)
-- Shipped migrations are never edited; add a new file instead.

CREATE TABLE activity_next (
    id              TEXT PRIMARY KEY,
    township        TEXT, township_at INTEGER, township_by INTEGER,
    kind            TEXT, kind_at     INTEGER, kind_by     INTEGER,
    date            TEXT, date_at     INTEGER, date_by     INTEGER,
    title           TEXT, title_at    INTEGER, title_by    INTEGER,
    venue           TEXT, venue_at    INTEGER, venue_by    INTEGER,
    project         TEXT, project_at  INTEGER, project_by  INTEGER,
    deleted         INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO activity_next
SELECT a.id,
       a.township, a.township_at, (SELECT num FROM replica WHERE id = a.township_by),
       a.kind,     a.kind_at,     (SELECT num FROM replica WHERE id = a.kind_by),
       a.date,     a.date_at,     (SELECT num FROM replica WHERE id = a.date_by),
       a.title,    a.title_at,    (SELECT num FROM replica WHERE id = a.title_by),
       a.venue,    a.venue_at,    (SELECT num FROM replica WHERE id = a.venue_by),
       a.project,  a.project_at,  (SELECT num FROM replica WHERE id = a.project_by),
       a.deleted
FROM activity a;

DROP TABLE activity;
ALTER TABLE activity_next RENAME TO activity;
