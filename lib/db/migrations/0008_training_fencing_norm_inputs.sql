-- Up Migration

-- The newest attempt of each training run: a version registered by an older attempt (one Temporal
-- gave up on after a lost heartbeat, still computing somewhere) is refused.
CREATE TABLE training_attempts (
  run_key     text PRIMARY KEY,
  attempt     integer NOT NULL CHECK (attempt > 0),
  started_at  timestamptz NOT NULL DEFAULT now(),
  -- What the attempt measured when it stopped (a cancelled attempt writes no training row itself).
  rows        integer,
  cpu_ms      integer,
  contention  real
);

-- What a training's duration measured, so its norm can follow input size and load: the rows it
-- learned from, the CPU its thread used beside the wall time, and how many trainings shared the
-- worker (time-weighted mean over the run, per core).
ALTER TABLE training_runs ADD COLUMN attempt integer;
ALTER TABLE training_runs ADD COLUMN rows integer CHECK (rows >= 0);
ALTER TABLE training_runs ADD COLUMN cpu_ms integer CHECK (cpu_ms >= 0);
ALTER TABLE training_runs ADD COLUMN contention real CHECK (contention >= 1);

-- A version whose run ended without it (cancelled or failed after it was registered): never
-- evaluated or promoted, kept for the record.
ALTER TABLE model_versions ADD COLUMN orphaned_at timestamptz;
ALTER TABLE model_versions ADD COLUMN orphaned_reason text;

-- Down Migration
ALTER TABLE model_versions DROP COLUMN orphaned_reason;
ALTER TABLE model_versions DROP COLUMN orphaned_at;
ALTER TABLE training_runs DROP COLUMN contention;
ALTER TABLE training_runs DROP COLUMN cpu_ms;
ALTER TABLE training_runs DROP COLUMN rows;
ALTER TABLE training_runs DROP COLUMN attempt;
DROP TABLE training_attempts;
