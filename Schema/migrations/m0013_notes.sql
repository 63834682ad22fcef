-- 0013_notes: 备注 on activities, and the county's notes on indicators (偏差原因分析及改进措施
-- in the self-evaluation form). Both are set operations of the field `notes`, merged last
-- writer wins like every field; on an indicator key (activity = 'year/project/indicator').
-- Shipped migrations are never edited; add a new file instead.

ALTER TABLE activity ADD COLUMN notes TEXT;
ALTER TABLE activity ADD COLUMN notes_at INTEGER;
ALTER TABLE activity ADD COLUMN notes_by INTEGER;            -- replica.num, as the other fields

CREATE TABLE indicator_note (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    at          INTEGER NOT NULL,
    by          BLOB NOT NULL
) WITHOUT ROWID;
