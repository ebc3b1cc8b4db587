-- Up Migration

-- A pipeline run that `driftline experiment promote` started from an experiment's recommendation:
-- the versions it trains carry the experiment and cell in their lineage.
CREATE TABLE experiment_promotions (
  -- The modelPipeline workflow the promote started (its training runs as <workflow_id>/…).
  workflow_id    text PRIMARY KEY,
  experiment_id  bigint NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
  cell_index     integer NOT NULL CHECK (cell_index >= 0),
  levels         jsonb NOT NULL,
  requested_by   text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX experiment_promotions_experiment_idx ON experiment_promotions (experiment_id);

-- Down Migration
DROP TABLE experiment_promotions;
