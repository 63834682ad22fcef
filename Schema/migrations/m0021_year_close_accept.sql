-- 0021_year_close_accept: the county may accept amendments one by one (issue 30): an `accept`
-- step on `<year>/close/<township>` names the operations beyond the approval that count after
-- all. `frontier` holds those operations for an accept row (`<replica hex>:<seq> …`).
-- SQLite cannot change a CHECK constraint, so the table is made again with the same rows.
-- Filled from the log by the migration's Swift step (Store.collectYearClose): accept steps a
-- newer ktx wrote were kept in the log by an earlier one as fields it did not know.
-- Shipped migrations are never edited; add a new file instead.

CREATE TABLE year_close_v2 (
    replica   INTEGER NOT NULL REFERENCES replica(num),
    seq       INTEGER NOT NULL,
    hlc       INTEGER NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('submit', 'approve', 'return', 'accept')),
    year      INTEGER NOT NULL,
    township  TEXT,
    frontier  TEXT NOT NULL DEFAULT '',
    reason    TEXT,
    PRIMARY KEY (replica, seq)
) WITHOUT ROWID;

INSERT INTO year_close_v2 (replica, seq, hlc, action, year, township, frontier, reason)
SELECT replica, seq, hlc, action, year, township, frontier, reason FROM year_close;

DROP TABLE year_close;
ALTER TABLE year_close_v2 RENAME TO year_close;
CREATE INDEX year_close_by_year ON year_close (year, township);
