-- Up Migration

-- One evaluation per candidate and run: the numbers and the tests that decided its promotion.
CREATE TABLE evaluations (
  id                   bigserial PRIMARY KEY,
  version_id           bigint NOT NULL REFERENCES model_versions(id),
  snapshot_id          bigint NOT NULL REFERENCES snapshots(id),
  workflow_id          text NOT NULL,
  champion_version_id  bigint REFERENCES model_versions(id),
  holdout_start        text NOT NULL,
  metrics              jsonb NOT NULL,
  champion_metrics     jsonb,
  gates                jsonb NOT NULL,
  model_tests          jsonb NOT NULL,
  backtest             jsonb,
  passed               boolean NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  UNIQUE (version_id, workflow_id)
);

-- Down Migration
DROP TABLE evaluations;
