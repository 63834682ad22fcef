-- 0007_published: how far this replica's own operations have left it.
-- `published` is the highest own seq handed to any hub (set before the hand-over, so it
-- never says less than a hub may hold). Own operations beyond it have never left this
-- PC: when its clock is found to have been wrong, they may be re-stamped; everything at
-- or below it may be held by others and is immutable.
-- `seen` is the newest timestamp of another replica's operation this replica has merged: a
-- PC with no hub clock to ask (a folder) compares its own dates with it, and keeps back
-- operations dated far beyond it (its clock is probably wrong) instead of publishing them.
-- Operations recorded before this version count as published: nothing older is re-stamped.
-- Shipped migrations are never edited; add a new file instead.

ALTER TABLE replica_self ADD COLUMN published INTEGER NOT NULL DEFAULT 0;

ALTER TABLE replica_self ADD COLUMN seen INTEGER NOT NULL DEFAULT 0;

UPDATE replica_self SET published = (SELECT max_seq FROM replica WHERE replica.num = replica_self.replica);
