-- 0018_replica_role: what this replica may do, known before anything is written, so a local
-- command never writes an operation every receiver would refuse (a township PC setting an
-- indicator value). 'county' or 'township'; NULL for a replica made before 0018 until it
-- learns its role (a roster naming it, a folder it governs, the role of the token a hub
-- answered its sync with).
-- Shipped migrations are never edited; add a new file instead.

ALTER TABLE replica_self ADD COLUMN role TEXT CHECK (role IN ('county', 'township'));
