-- 0003_indicator: manual values of performance indicators (ktx indicator set).
-- Shipped migrations are never edited; add a new file instead.

-- Materialized from op rows of kind 3 (activity = the key 'year/project/indicator'):
-- the winning write per indicator, last writer wins by (hlc, replica id), as fields.
CREATE TABLE indicator_value (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    by          BLOB NOT NULL
) WITHOUT ROWID;
