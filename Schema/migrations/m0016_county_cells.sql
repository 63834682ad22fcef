-- 0016_county_cells: what a province-wide hub or county replica reads in time that does not
-- grow with the number of townships.
-- Shipped migrations are never edited; add a new file instead.

-- The totals of `total_cell` summed over townships, per (kind, budget project, month):
-- the performance report and totals not split by township read these (a few hundred rows)
-- instead of every township's cells (144,000 at 2,000 replicas of 1,000 townships). Kept
-- up to date by every merge with `total_cell`, rebuilt with it, checked by `ktx check`.
CREATE TABLE county_cell (
    kind        TEXT NOT NULL,
    project     TEXT NOT NULL,
    month       TEXT NOT NULL,             -- 'YYYY-MM', '' when the date is unknown
    metric      TEXT NOT NULL,             -- '' for the number of live activities
    value       INTEGER NOT NULL,
    PRIMARY KEY (kind, project, month, metric)
) WITHOUT ROWID;

INSERT INTO county_cell (kind, project, month, metric, value)
SELECT kind, project, month, metric, SUM(value) FROM total_cell
GROUP BY 1, 2, 3, 4 HAVING SUM(value) != 0;

-- When each replica's newest operation was made, read from an index: the column `newest`
-- sits after the chunk's operations in the row, and reaching it walks the whole chunk
-- (every overflow page), which on a log of 10,000,000 operations was most of the report's
-- coverage line.
CREATE INDEX op_chunk_newest ON op_chunk (replica, last_seq, newest);
