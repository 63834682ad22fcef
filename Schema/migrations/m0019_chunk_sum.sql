-- 0019_chunk_sum: a checksum of each chunk's bytes, written with them, so a chunk whose
-- bytes changed after it was written (a damaged disk, an edited file) is found by every
-- command that relies on the log (status, totals, report, record, backup, rebuild, check)
-- even when the changed bytes still unpack. The first 8 bytes of the SHA-256 of `ops`.
-- Filled for the chunks already there by the migration's Swift step (Store.sumChunks).
-- Shipped migrations are never edited; add a new file instead.

ALTER TABLE op_chunk ADD COLUMN sum INTEGER;
