-- 0004_chunks_and_totals: the operation log in chunks, and totals kept per cell.
-- Shipped migrations are never edited; add a new file instead.
-- (The rows of the old `op` table are packed into chunks by the Swift step that runs
-- right after this file; see Store.migrator.)

-- The operation log, the truth: operations of one replica with seqs first_seq...last_seq,
-- packed by OpChunk (SyncCore). A merge writes one row per replica and batch instead of
-- one per operation.
CREATE TABLE op_chunk (
    id          INTEGER PRIMARY KEY,
    replica     INTEGER NOT NULL REFERENCES replica(num),
    first_seq   INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    ops         BLOB NOT NULL
);
CREATE UNIQUE INDEX op_chunk_by_replica ON op_chunk (replica, last_seq);

-- Totals over live activities per (township, kind, budget project, month), kept up to date
-- by every merge, so `ktx totals` and `ktx report` read a few thousand cells, not every
-- activity. metric '' holds the number of live activities; the others the sum of each
-- quantity. Absent (NULL) values are ''. A cache like `activity`: rebuilt from the log.
CREATE TABLE total_cell (
    township    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    project     TEXT NOT NULL,
    month       TEXT NOT NULL,             -- 'YYYY-MM', '' when the date is unknown
    metric      TEXT NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (township, kind, project, month, metric)
) WITHOUT ROWID;

INSERT INTO total_cell (township, kind, project, month, metric, value)
SELECT COALESCE(township, ''), COALESCE(kind, ''), COALESCE(project, ''), COALESCE(substr(date, 1, 7), ''), '', COUNT(*)
FROM activity WHERE deleted = 0 GROUP BY 1, 2, 3, 4;

INSERT INTO total_cell (township, kind, project, month, metric, value)
SELECT COALESCE(a.township, ''), COALESCE(a.kind, ''), COALESCE(a.project, ''), COALESCE(substr(a.date, 1, 7), ''), q.metric, SUM(q.value)
FROM activity a JOIN quantity q ON q.activity = a.id
WHERE a.deleted = 0 GROUP BY 1, 2, 3, 4, 5 HAVING SUM(q.value) != 0;

-- The report's largest single value of a metric ({最大: …}) reads one metric's rows.
CREATE INDEX quantity_by_metric ON quantity (metric);
