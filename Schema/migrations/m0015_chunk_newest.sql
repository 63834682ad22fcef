-- 0015_chunk_newest: when the newest operation of each chunk was made (its HLC), written
-- with the chunk, so "how current is each township's data" (the report's coverage, the
-- dashboard) reads one number per replica instead of unpacking its last chunk: on a hub of
-- thousands of PCs that unpacking was most of the report's time.
-- NULL for chunks written before this migration: those are unpacked as before.
-- Shipped migrations are never edited; add a new file instead.

ALTER TABLE op_chunk ADD COLUMN newest INTEGER;
