-- 0008_hub_replica_role: a replica on an HTTP hub is a township's or the county's, by the
-- role of the token that first pushed it. Only the county's replicas set manual indicator
-- values; a township's change only that township's activities.
-- Shipped migrations are never edited; add a new file instead.

ALTER TABLE hub_replica ADD COLUMN role TEXT NOT NULL DEFAULT 'township' CHECK (role IN ('township', 'county'));
