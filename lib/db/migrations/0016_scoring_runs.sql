-- Up Migration

-- One row per batch scoring run (its batch id): the version it scored with, fixed when it started,
-- and how it ended. The scoring norm learns from the succeeded ones, apart from training's history.
CREATE TABLE scoring_runs (
  batch_id          text PRIMARY KEY,
  pipeline          text NOT NULL,
  model             text NOT NULL,
  version           integer NOT NULL CHECK (version > 0),
  alias             text NOT NULL,
  workflow_id       text NOT NULL,
  outcome           text NOT NULL DEFAULT 'running' CHECK (outcome IN ('running', 'succeeded', 'failed', 'cancelled_over_norm')),
  rows_read         bigint,
  rows_scored       bigint,
  rows_quarantined  bigint,
  duration_ms       double precision,
  norm_ms           double precision,
  error             text,
  started_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz
);
CREATE INDEX scoring_runs_model_finished_idx ON scoring_runs (model, finished_at DESC) WHERE outcome = 'succeeded';

-- Rows of a scoring source that failed the model's input checks: never scored, kept with why.
-- `record` is the row's position in the source (elements of a JSON array may share a line);
-- (batch_id, record) is unique so a retried chunk quarantines nothing twice.
CREATE TABLE scoring_quarantine (
  batch_id  text NOT NULL REFERENCES scoring_runs(batch_id) ON DELETE CASCADE,
  record    integer NOT NULL,
  line      integer NOT NULL,
  raw       text NOT NULL,
  reason    text NOT NULL,
  PRIMARY KEY (batch_id, record)
);

-- Down Migration
DROP TABLE scoring_quarantine;
DROP TABLE scoring_runs;
