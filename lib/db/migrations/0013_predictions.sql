-- Up Migration

-- One row per scoreBatch run: the version its alias pointed to when it started (every prediction
-- of the batch is that version's, whatever is promoted meanwhile), what it read and how it ended.
-- Its durations teach the scoring runtime norm.
CREATE TABLE scoring_runs (
  batch_id          text PRIMARY KEY,
  pipeline          text NOT NULL,
  model             text NOT NULL,
  version           integer NOT NULL CHECK (version > 0),
  version_id        bigint NOT NULL REFERENCES model_versions(id),
  alias             text NOT NULL,
  workflow_id       text NOT NULL,
  requested_by      text NOT NULL,
  source            jsonb NOT NULL,
  output_file       text,
  status            text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'cancelled_over_norm', 'failed')),
  rows_read         integer,
  rows_scored       integer,
  rows_quarantined  integer,
  duration_ms       integer CHECK (duration_ms >= 0),
  norm_ms           integer,
  error             text,
  started_at        timestamptz NOT NULL DEFAULT now(),
  finished_at       timestamptz
);
CREATE INDEX scoring_runs_model_status_idx ON scoring_runs (model, status, finished_at DESC);
CREATE INDEX scoring_runs_pipeline_idx ON scoring_runs (pipeline, started_at DESC);

-- Rows of a scoring source that were not scored, with why (unreadable, or refused by the model's
-- input checks): never turned into a NaN prediction.
CREATE TABLE scoring_quarantine (
  batch_id  text NOT NULL REFERENCES scoring_runs(batch_id) ON DELETE CASCADE,
  line      integer NOT NULL,
  raw       text NOT NULL,
  reason    text NOT NULL,
  PRIMARY KEY (batch_id, line)
);

-- Every prediction Driftline made, batch or online. (batch_id, row_key) is unique so a retried
-- batch chunk writes nothing twice; an online request is its own batch.
CREATE TABLE predictions (
  id               bigserial PRIMARY KEY,
  prediction_id    text NOT NULL UNIQUE DEFAULT gen_random_uuid()::text,
  pipeline         text NOT NULL,
  model            text NOT NULL,
  version          integer NOT NULL CHECK (version > 0),
  batch_id         text NOT NULL,
  row_key          text NOT NULL,
  -- The row's own time (the pipeline's time column), when it has one.
  at               timestamptz,
  -- A regressor's answer; a classifier's is predicted_class with its probabilities ({class: p}).
  prediction       double precision,
  predicted_class  text,
  probabilities    jsonb,
  -- sha256 of the input row as scored: what the model saw, for lineage and serving drift.
  input_digest     text NOT NULL,
  source           text NOT NULL CHECK (source IN ('batch', 'online')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (batch_id, row_key),
  CHECK (prediction IS NOT NULL OR predicted_class IS NOT NULL)
);
-- Actuals join on (pipeline, row_key); live accuracy and volume read the newest first.
CREATE INDEX predictions_pipeline_row_key_idx ON predictions (pipeline, row_key, created_at DESC);
CREATE INDEX predictions_pipeline_created_idx ON predictions (pipeline, created_at DESC);
CREATE INDEX predictions_model_version_idx ON predictions (model, version);

-- Observed outcomes, one per row key: a later recording of the same key replaces the value.
CREATE TABLE actuals (
  id           bigserial PRIMARY KEY,
  pipeline     text NOT NULL,
  row_key      text NOT NULL,
  value        double precision,
  class        text,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  recorded_by  text NOT NULL,
  UNIQUE (pipeline, row_key),
  CHECK (value IS NOT NULL OR class IS NOT NULL)
);
CREATE INDEX actuals_pipeline_recorded_idx ON actuals (pipeline, recorded_at DESC);

-- Down Migration
DROP TABLE actuals;
DROP TABLE predictions;
DROP TABLE scoring_quarantine;
DROP TABLE scoring_runs;
