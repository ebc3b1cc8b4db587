-- Up Migration
-- Which rows a version learned from (the pipeline's data as of a snapshot, cut by key), so a drift
-- check can compare new rows with exactly those; and the drift method chosen per column when the
-- version was registered, so a pipeline's scores stay comparable from one check to the next.
ALTER TABLE model_versions ADD COLUMN training_window jsonb;
ALTER TABLE model_versions ADD COLUMN drift_methods jsonb;

-- Down Migration
ALTER TABLE model_versions DROP COLUMN drift_methods;
ALTER TABLE model_versions DROP COLUMN training_window;
