-- Up Migration

-- What the model saw, for serving drift: the values of the columns the version reads, as they were
-- scored (null for predictions logged before this column, or by a writer that keeps no inputs).
ALTER TABLE predictions ADD COLUMN inputs jsonb;
-- Serving checks read the predictions logged since the previous check: a BRIN index on the log's
-- append order costs the writer next to nothing (unlike a b-tree on every insert).
CREATE INDEX predictions_created_at_brin ON predictions USING brin (created_at);

-- A drift report compares either new pipeline data with the champion's training data (`data`) or
-- the inputs the model served with it (`serving`), which come from no snapshot.
ALTER TABLE drift_reports ADD COLUMN kind text NOT NULL DEFAULT 'data' CHECK (kind IN ('data', 'serving'));
ALTER TABLE drift_reports ALTER COLUMN current_snapshot_id DROP NOT NULL;
ALTER TABLE drift_reports ADD CONSTRAINT drift_reports_data_has_snapshot CHECK (kind = 'serving' OR current_snapshot_id IS NOT NULL);
CREATE INDEX drift_reports_pipeline_kind_idx ON drift_reports (pipeline, kind, created_at DESC);

-- Down Migration
DROP INDEX drift_reports_pipeline_kind_idx;
ALTER TABLE drift_reports DROP CONSTRAINT drift_reports_data_has_snapshot;
DELETE FROM drift_reports WHERE kind = 'serving';
ALTER TABLE drift_reports ALTER COLUMN current_snapshot_id SET NOT NULL;
ALTER TABLE drift_reports DROP COLUMN kind;
DROP INDEX predictions_created_at_brin;
ALTER TABLE predictions DROP COLUMN inputs;
