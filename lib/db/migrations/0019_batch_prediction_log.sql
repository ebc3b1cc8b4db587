-- Up Migration

-- A batch scoring run writes a million predictions at a time with COPY. Each b-tree the log keeps
-- costs every one of those rows an insert, so the log keeps one where it kept two: a unique index
-- on (pipeline, row_key, batch_id) is both what makes a re-written row a no-op (batch ids are
-- unique across pipelines) and what actuals are joined on (pipeline, row_key). Keys compare
-- bytewise ("C"): a locale's collation costs every comparison of every insert, and no one reads
-- these keys in a language's alphabetical order. Actuals join with the same collation.
ALTER TABLE predictions DROP CONSTRAINT predictions_batch_id_row_key_key;
DROP INDEX predictions_pipeline_row_key_idx;
ALTER TABLE predictions
  ALTER COLUMN prediction_id TYPE text COLLATE "C",
  ALTER COLUMN pipeline TYPE text COLLATE "C",
  ALTER COLUMN batch_id TYPE text COLLATE "C",
  ALTER COLUMN row_key TYPE text COLLATE "C";
ALTER TABLE predictions ADD CONSTRAINT predictions_pipeline_row_key_batch_key UNIQUE (pipeline, row_key, batch_id);
ALTER TABLE actuals
  ALTER COLUMN pipeline TYPE text COLLATE "C",
  ALTER COLUMN row_key TYPE text COLLATE "C";

-- One row per chunk a scoring run wrote, in the chunk's own transaction: a retry skips the chunks
-- listed here without scoring them again (the same chunk: the same position and last record, so a
-- re-run with another chunk size skips nothing). It also keeps what the chunk's rows gave the model, as
-- columns (lib/data/columns/table-bytes.ts), for serving drift: one value per row and column in a
-- typed array costs a fraction of a jsonb object per prediction to write and to read back.
CREATE TABLE scored_chunks (
  batch_id     text NOT NULL REFERENCES scoring_runs(batch_id) ON DELETE CASCADE,
  chunk        integer NOT NULL CHECK (chunk >= 0),
  -- The source position (1-based) of the chunk's last row.
  last_record  integer NOT NULL,
  pipeline     text NOT NULL,
  model        text NOT NULL,
  version      integer NOT NULL CHECK (version > 0),
  predictions  integer NOT NULL CHECK (predictions >= 0),
  inputs       bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (batch_id, chunk, last_record)
);
-- Doubles do not compress: do not spend the writer's time trying.
ALTER TABLE scored_chunks ALTER COLUMN inputs SET STORAGE EXTERNAL;
CREATE INDEX scored_chunks_model_created_idx ON scored_chunks (pipeline, model, created_at DESC);

-- Down Migration
DROP TABLE scored_chunks;
ALTER TABLE actuals
  ALTER COLUMN pipeline TYPE text COLLATE "default",
  ALTER COLUMN row_key TYPE text COLLATE "default";
ALTER TABLE predictions DROP CONSTRAINT predictions_pipeline_row_key_batch_key;
ALTER TABLE predictions
  ALTER COLUMN prediction_id TYPE text COLLATE "default",
  ALTER COLUMN pipeline TYPE text COLLATE "default",
  ALTER COLUMN batch_id TYPE text COLLATE "default",
  ALTER COLUMN row_key TYPE text COLLATE "default";
CREATE INDEX predictions_pipeline_row_key_idx ON predictions (pipeline, row_key, created_at DESC);
ALTER TABLE predictions ADD CONSTRAINT predictions_batch_id_row_key_key UNIQUE (batch_id, row_key);
