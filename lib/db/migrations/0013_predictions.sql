-- Up Migration

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
-- Actuals join on (pipeline, row_key), the latest prediction of a key first. No other index: each
-- one slows the log writer's inserts, and nothing else reads this table yet.
CREATE INDEX predictions_pipeline_row_key_idx ON predictions (pipeline, row_key, created_at DESC);

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

-- Down Migration
DROP TABLE actuals;
DROP TABLE predictions;
