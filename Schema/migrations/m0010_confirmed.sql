-- 0010_confirmed: the highest own seq a hub has confirmed holding (its push returned).
-- `published` (0007) may say more: it is set before a hand-over that can be cut off. A sync
-- compares the hub's operations of this replica after `confirmed` with its own, so a copy
-- of this database that wrote the same seqs is found even after a cut-off push.
-- Shipped migrations are never edited; add a new file instead.

ALTER TABLE replica_self ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;

UPDATE replica_self SET confirmed = published;
