-- Up Migration

-- One drift check per pipeline run: the current snapshot against the champion's training snapshots.
-- `report` holds every column's method, statistic, p-value, thresholds and both histograms, so a
-- person can see why a column drifted (lib/drift/drift-check.ts is its schema).
CREATE TABLE drift_reports (
  id                      bigserial PRIMARY KEY,
  pipeline                text NOT NULL,
  model_name              text NOT NULL REFERENCES models(name),
  champion_version_id     bigint NOT NULL REFERENCES model_versions(id),
  reference_snapshot_ids  bigint[] NOT NULL,
  current_snapshot_id     bigint NOT NULL REFERENCES snapshots(id),
  verdict                 text NOT NULL CHECK (verdict IN ('ok', 'warn', 'fail')),
  report                  jsonb NOT NULL,
  workflow_id             text NOT NULL,
  run_id                  text NOT NULL,
  created_at              timestamptz NOT NULL DEFAULT now(),
  -- A retried activity finds the report its first attempt stored.
  UNIQUE (workflow_id, run_id)
);
CREATE INDEX drift_reports_pipeline_idx ON drift_reports (pipeline, created_at DESC);

-- Known events a person marks on a pipeline; drift reports list those overlapping their window.
CREATE TABLE annotations (
  id          bigserial PRIMARY KEY,
  pipeline    text NOT NULL,
  label       text NOT NULL,
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL,
  note        text NOT NULL DEFAULT '',
  effect      text NOT NULL DEFAULT 'none' CHECK (effect IN ('none', 'suppress_alerts', 'retrain_now')),
  created_by  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (ends_at >= starts_at)
);
CREATE INDEX annotations_pipeline_idx ON annotations (pipeline, starts_at);

-- Down Migration
DROP TABLE annotations;
DROP TABLE drift_reports;
