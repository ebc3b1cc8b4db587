-- Up Migration

-- A run judges its candidate again when the champion moved before its decision was written: each
-- judgement is kept, one per champion it was made against (none: 0). A retried activity still
-- finds its own row; the run's decision rests on the newest.
ALTER TABLE evaluations DROP CONSTRAINT evaluations_version_id_workflow_id_key;
CREATE UNIQUE INDEX evaluations_run_champion_key ON evaluations (version_id, workflow_id, (coalesce(champion_version_id, 0)));

-- Down Migration
DROP INDEX evaluations_run_champion_key;
ALTER TABLE evaluations ADD CONSTRAINT evaluations_version_id_workflow_id_key UNIQUE (version_id, workflow_id);
