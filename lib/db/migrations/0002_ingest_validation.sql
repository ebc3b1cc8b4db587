-- Up Migration

-- Each snapshot's accepted rows live in their own typed table, snapshot_data.rows_<id>
-- (row_number, c1 … cN): loaded with COPY at close to PostgreSQL's own speed, read back typed,
-- and never shared with another snapshot, so an aborted ingest leaves nothing behind.
CREATE SCHEMA snapshot_data;

ALTER TABLE snapshots
  -- The data table's layout: [{"name", "type"}] for c1 … cN, in the spec's declaration order.
  ADD COLUMN columns jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN rows_read integer,
  -- Per-column statistics (lib/data/profile/), read by validation, drift detection and dashboards.
  ADD COLUMN profile jsonb;

-- Moves every foundation snapshot out of snapshot_rows into its own table. Column types are
-- inferred from the stored JSON (numbers, booleans, text), which reads back as before.
DO $$
DECLARE
  snap record;
  layout jsonb;
  selects text;
BEGIN
  FOR snap IN SELECT id FROM snapshots ORDER BY id LOOP
    SELECT coalesce(jsonb_agg(jsonb_build_object('name', k.key, 'type', k.type) ORDER BY k.key), '[]')
      INTO layout
      FROM (SELECT e.key,
                   -- The type of the column's non-null values; text when they disagree (lossless).
                   CASE WHEN count(DISTINCT jsonb_typeof(e.value)) FILTER (WHERE jsonb_typeof(e.value) <> 'null') > 1 THEN 'categorical'
                        WHEN bool_or(jsonb_typeof(e.value) = 'number') THEN 'numeric'
                        WHEN bool_or(jsonb_typeof(e.value) = 'boolean') THEN 'boolean'
                        ELSE 'categorical' END AS type
              FROM snapshot_rows r, jsonb_each(r.data) AS e
             WHERE r.snapshot_id = snap.id
             GROUP BY e.key) AS k;
    SELECT string_agg(format('(data->>%L)::%s AS c%s', c->>'name',
             CASE c->>'type' WHEN 'numeric' THEN 'double precision' WHEN 'boolean' THEN 'boolean' ELSE 'text' END, i), ', ' ORDER BY i)
      INTO selects
      FROM jsonb_array_elements(layout) WITH ORDINALITY AS t(c, i);
    EXECUTE format('CREATE TABLE snapshot_data.%I AS SELECT row_number%s FROM snapshot_rows WHERE snapshot_id = %s',
                   'rows_' || snap.id, coalesce(', ' || selects, ''), snap.id);
    EXECUTE format('ALTER TABLE snapshot_data.%I ADD PRIMARY KEY (row_number)', 'rows_' || snap.id);
    UPDATE snapshots SET columns = layout WHERE id = snap.id;
  END LOOP;
END $$;

UPDATE snapshots SET rows_read = row_count + quarantined_count;
ALTER TABLE snapshots
  ALTER COLUMN rows_read SET NOT NULL,
  -- Nothing read is ever lost: every row is accepted or quarantined.
  ADD CONSTRAINT snapshots_rows_add_up CHECK (rows_read = row_count + quarantined_count);

DROP TABLE snapshot_rows;

-- The dataset checks' verdict on a snapshot, one per pipeline run (a retried activity rewrites its own).
CREATE TABLE validation_reports (
  id           bigserial PRIMARY KEY,
  snapshot_id  bigint NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  pipeline     text NOT NULL,
  run_key      text NOT NULL UNIQUE,
  passed       boolean NOT NULL,
  checks       jsonb NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX validation_reports_snapshot_idx ON validation_reports (snapshot_id);

-- Down Migration
DROP TABLE validation_reports;

CREATE TABLE snapshot_rows (
  snapshot_id  bigint NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
  row_number   integer NOT NULL,
  data         jsonb NOT NULL,
  PRIMARY KEY (snapshot_id, row_number)
);

-- Puts every snapshot's rows back as JSON objects keyed by column name.
DO $$
DECLARE
  snap record;
  pairs text;
BEGIN
  FOR snap IN SELECT id, columns FROM snapshots ORDER BY id LOOP
    SELECT string_agg(format('%L, c%s', c->>'name', i), ', ' ORDER BY i) INTO pairs
      FROM jsonb_array_elements(snap.columns) WITH ORDINALITY AS t(c, i);
    EXECUTE format('INSERT INTO snapshot_rows SELECT %s, row_number, jsonb_build_object(%s) FROM snapshot_data.%I',
                   snap.id, coalesce(pairs, ''), 'rows_' || snap.id);
  END LOOP;
END $$;

ALTER TABLE snapshots
  DROP CONSTRAINT snapshots_rows_add_up,
  DROP COLUMN profile,
  DROP COLUMN rows_read,
  DROP COLUMN columns;

DROP SCHEMA snapshot_data CASCADE;
