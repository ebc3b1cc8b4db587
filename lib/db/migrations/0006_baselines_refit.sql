-- Up Migration

-- A version is scored before it is refitted on all its examples, holdout included. The fit that was
-- scored is kept beside the registered one (the candidate's evaluation must use it: the refit has
-- seen the holdout), and what each fit learned from: examples, first and last time, artifact digest.
ALTER TABLE model_versions ADD COLUMN evaluated_artifact jsonb;
ALTER TABLE model_versions ADD COLUMN fits jsonb;

-- Each evaluation scores naive baselines on the same holdout, compares with the champion beyond
-- noise, and states which fit its metrics come from.
ALTER TABLE evaluations ADD COLUMN holdout_examples integer;
ALTER TABLE evaluations ADD COLUMN baselines jsonb;
ALTER TABLE evaluations ADD COLUMN champion_comparison jsonb;
ALTER TABLE evaluations ADD COLUMN metrics_basis text;

-- Down Migration
ALTER TABLE evaluations DROP COLUMN metrics_basis;
ALTER TABLE evaluations DROP COLUMN champion_comparison;
ALTER TABLE evaluations DROP COLUMN baselines;
ALTER TABLE evaluations DROP COLUMN holdout_examples;
ALTER TABLE model_versions DROP COLUMN fits;
ALTER TABLE model_versions DROP COLUMN evaluated_artifact;
