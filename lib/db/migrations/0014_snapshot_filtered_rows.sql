-- Up Migration

-- Rows a source's `where` left out at ingest: counted with the snapshot (they are not bad, so not
-- quarantined, and not part of rows_read = row_count + quarantined_count, which the filter kept).
ALTER TABLE snapshots ADD COLUMN filtered_count integer NOT NULL DEFAULT 0 CHECK (filtered_count >= 0);

-- Down Migration
ALTER TABLE snapshots DROP COLUMN filtered_count;
