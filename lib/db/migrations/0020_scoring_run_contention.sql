-- Up Migration

-- A scoring run's norm follows the load it shares its worker with, as training's does: each run
-- records the compute jobs per core over its run (time-weighted, at least 1), and the norm learns
-- from its quiet equivalent (duration ÷ contention). Runs recorded before are taken as quiet.
ALTER TABLE scoring_runs ADD COLUMN contention real CHECK (contention >= 1);

-- Down Migration
ALTER TABLE scoring_runs DROP COLUMN contention;
