-- Up Migration

-- Immutable, content-addressed data snapshots: the exact data every model was trained on.
CREATE TABLE snapshots (
  id               bigserial PRIMARY KEY,
  digest           text NOT NULL UNIQUE,
  pipeline         text NOT NULL,
  source           jsonb NOT NULL,
  schema_hash      text NOT NULL,
  row_count        integer NOT NULL CHECK (row_count >= 0),
  quarantined_count integer NOT NULL DEFAULT 0 CHECK (quarantined_count >= 0),
  fetched_at       timestamptz NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE snapshot_rows (
  snapshot_id  bigint NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  row_number   integer NOT NULL,
  data         jsonb NOT NULL,
  PRIMARY KEY (snapshot_id, row_number)
);

CREATE TABLE quarantined_rows (
  snapshot_id  bigint NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  line         integer NOT NULL,
  raw          text NOT NULL,
  reason       text NOT NULL,
  PRIMARY KEY (snapshot_id, line)
);

-- One row per registered model; versions lock it to number themselves 1, 2, 3 … without gaps.
CREATE TABLE models (
  name        text PRIMARY KEY,
  pipeline    text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE model_versions (
  id                     bigserial PRIMARY KEY,
  model_name             text NOT NULL REFERENCES models(name),
  version                integer NOT NULL CHECK (version > 0),
  -- The workflow run that trained it: a retried activity finds its version instead of adding one.
  run_key                text NOT NULL,
  trainer                text NOT NULL,
  params                 jsonb NOT NULL,
  features               jsonb NOT NULL,
  artifact               jsonb NOT NULL,
  artifact_digest        text NOT NULL,
  training_snapshot_ids  bigint[] NOT NULL,
  code_version           text NOT NULL,
  metrics                jsonb NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  UNIQUE (model_name, version),
  UNIQUE (model_name, run_key)
);

-- champion, challenger, …: the primary key keeps exactly one version per alias and model.
CREATE TABLE model_aliases (
  model_name   text NOT NULL REFERENCES models(name),
  alias        text NOT NULL,
  version_id   bigint NOT NULL REFERENCES model_versions(id),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model_name, alias)
);

CREATE TABLE training_runs (
  id            bigserial PRIMARY KEY,
  model_name    text NOT NULL REFERENCES models(name),
  run_key       text NOT NULL UNIQUE,
  workflow_id   text NOT NULL,
  run_id        text NOT NULL,
  snapshot_id   bigint NOT NULL REFERENCES snapshots(id),
  outcome       text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'cancelled_over_norm')),
  duration_ms   integer NOT NULL CHECK (duration_ms >= 0),
  norm_ms       integer,
  version_id    bigint REFERENCES model_versions(id),
  error         text,
  finished_at   timestamptz NOT NULL DEFAULT now()
);

-- Who did what, when and why: promotions, rejections, rollbacks, approvals.
CREATE TABLE audit_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  model_name  text,
  version_id  bigint REFERENCES model_versions(id),
  reason      text NOT NULL DEFAULT '',
  details     jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_model_idx ON audit_log (model_name, at);

-- Down Migration
DROP TABLE audit_log;
DROP TABLE training_runs;
DROP TABLE model_aliases;
DROP TABLE model_versions;
DROP TABLE models;
DROP TABLE quarantined_rows;
DROP TABLE snapshot_rows;
DROP TABLE snapshots;
