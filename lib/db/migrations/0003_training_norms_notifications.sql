-- Up Migration

-- The trainer's own code, next to the git commit: a team's trainer module or script changes outside git too.
ALTER TABLE model_versions ADD COLUMN trainer_digest text NOT NULL DEFAULT '';

-- How long a run was allowed, and why: kept with every outcome so a cancellation can be explained later.
ALTER TABLE training_runs ADD COLUMN norm_basis text;
CREATE INDEX training_runs_model_outcome_idx ON training_runs (model_name, outcome, finished_at DESC);

-- Durable outbox: one row per event (the dedupe key), delivered with retries by an activity.
CREATE TABLE notifications (
  id            bigserial PRIMARY KEY,
  dedupe_key    text NOT NULL UNIQUE,
  kind          text NOT NULL,
  severity      text NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
  pipeline      text NOT NULL,
  title         text NOT NULL,
  body          text NOT NULL,
  details       jsonb NOT NULL DEFAULT '{}',
  created_at    timestamptz NOT NULL DEFAULT now(),
  attempts      integer NOT NULL DEFAULT 0,
  delivered_at  timestamptz,
  last_error    text
);
CREATE INDEX notifications_undelivered_idx ON notifications (created_at) WHERE delivered_at IS NULL;

-- Which pipelines ingested which snapshot, and when last: snapshots are shared by content, so two
-- pipelines reading the same file meet at one snapshot, and "a pipeline's newest data" is read here.
CREATE TABLE pipeline_snapshots (
  pipeline           text NOT NULL,
  snapshot_id        bigint NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  first_ingested_at  timestamptz NOT NULL DEFAULT now(),
  last_ingested_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (pipeline, snapshot_id)
);
CREATE INDEX pipeline_snapshots_latest_idx ON pipeline_snapshots (pipeline, last_ingested_at DESC);

-- Down Migration
DROP TABLE pipeline_snapshots;
DROP TABLE notifications;
DROP INDEX training_runs_model_outcome_idx;
ALTER TABLE training_runs DROP COLUMN norm_basis;
ALTER TABLE model_versions DROP COLUMN trainer_digest;
