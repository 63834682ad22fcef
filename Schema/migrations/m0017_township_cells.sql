-- 0017_township_cells: totals by township and kind that do not grow with the log.
-- Shipped migrations are never edited; add a new file instead.

-- The totals of `total_cell` summed over budget projects and months, per (township, kind,
-- year): `ktx totals --by township,kind` (and any totals split or filtered by township and
-- kind or year, not by month or quarter) read these instead of every (project, month)
-- cell of every township (144,000 at 2,000 replicas of 1,000 townships, more as the years
-- of records grow). Kept up to date by every merge with `total_cell`, rebuilt with it,
-- checked by `ktx check`.
CREATE TABLE township_cell (
    township    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    year        TEXT NOT NULL,             -- 'YYYY', '' when the date is unknown
    metric      TEXT NOT NULL,             -- '' for the number of live activities
    value       INTEGER NOT NULL,
    PRIMARY KEY (township, kind, year, metric)
) WITHOUT ROWID;

INSERT INTO township_cell (township, kind, year, metric, value)
SELECT township, kind, substr(month, 1, 4), metric, SUM(value) FROM total_cell
GROUP BY 1, 2, 3, 4 HAVING SUM(value) != 0;
