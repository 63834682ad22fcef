-- 0020_year_close: the steps of the year's close (issue 30) a replica holds: a township's
-- submit, the county's approve or return. One row per operation; where a (year, township)
-- stands is folded from its rows (YearClose.Standing), the same on every replica.
-- `township` is the township the county's step is about (its target's); NULL for a submit,
-- whose township is its writing replica's (`replica.township`, as the roster or token binds it). `frontier` is `<replica hex>:<seq> …` (submit, approve);
-- `reason` the county's words when it returns a year.
-- Filled from the log by the migration's Swift step (Store.collectYearClose): steps a newer
-- ktx wrote were kept in the log by an earlier one.
-- Shipped migrations are never edited; add a new file instead.

CREATE TABLE year_close (
    replica   INTEGER NOT NULL REFERENCES replica(num),
    seq       INTEGER NOT NULL,
    hlc       INTEGER NOT NULL,
    action    TEXT NOT NULL CHECK (action IN ('submit', 'approve', 'return')),
    year      INTEGER NOT NULL,
    township  TEXT,
    frontier  TEXT NOT NULL DEFAULT '',
    reason    TEXT,
    PRIMARY KEY (replica, seq)
) WITHOUT ROWID;

CREATE INDEX year_close_by_year ON year_close (year, township);
