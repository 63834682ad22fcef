-- 0012_restored: deleted activities this replica brought back as new ones (`ktx restore`),
-- so a second restore names the first instead of adding the activity again, and `ktx show`
-- links the two. Local to the replica that restored.
-- Shipped migrations are never edited; add a new file instead.

CREATE TABLE restored (
    old         TEXT PRIMARY KEY,
    new         TEXT NOT NULL,
    restored_at INTEGER NOT NULL
) WITHOUT ROWID;
