-- Up Migration

-- A designed experiment on a pipeline: its spec as run, the snapshot every cell is scored on, and
-- the analysis once it ends. One row per runExperiment workflow (continue-as-new keeps the id).
CREATE TABLE experiments (
  id            bigserial PRIMARY KEY,
  name          text NOT NULL,
  pipeline      text NOT NULL,
  -- json, not jsonb: the factors' declared order is the design's standard order, and jsonb reorders keys.
  spec          json NOT NULL,
  -- The pipeline spec (and its folder) as the experiment started: every cell varies this one.
  pipeline_spec json NOT NULL,
  spec_dir      text NOT NULL,
  snapshot_id   bigint NOT NULL REFERENCES snapshots(id),
  cell_count    integer NOT NULL CHECK (cell_count > 0),
  status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'stopped', 'failed')),
  requested_by  text NOT NULL,
  workflow_id   text NOT NULL UNIQUE,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  analysis      jsonb
);
CREATE INDEX experiments_pipeline_idx ON experiments (pipeline, started_at DESC);

-- One row per cell that ended, written once: a cell that finished is never run or written again.
CREATE TABLE experiment_cells (
  experiment_id  bigint NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  cell_index     integer NOT NULL CHECK (cell_index >= 0),
  levels         jsonb NOT NULL,
  -- One score of the primary metric per replicate (fold × seed); null unless done.
  scores         jsonb,
  metric         text NOT NULL,
  status         text NOT NULL CHECK (status IN ('done', 'failed', 'cancelled')),
  reason         text,
  duration_ms    integer NOT NULL DEFAULT 0,
  finished_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (experiment_id, cell_index),
  CHECK ((status = 'done') = (scores IS NOT NULL))
);

-- Down Migration
DROP TABLE experiment_cells;
DROP TABLE experiments;
