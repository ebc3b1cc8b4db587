-- Up Migration

-- A person's acknowledged look at a pipeline's drift checks: the overview shows the worst verdict
-- since the newest acknowledgement, so a failing check stays visible until someone has seen it,
-- however many calm checks came after it.
CREATE TABLE acknowledgements (
  id               bigserial PRIMARY KEY,
  pipeline         text NOT NULL,
  -- The newest report the person saw: checks after it are still unacknowledged.
  drift_report_id  bigint NOT NULL REFERENCES drift_reports(id) ON DELETE CASCADE,
  acknowledged_by  text NOT NULL,
  note             text NOT NULL DEFAULT '',
  at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX acknowledgements_pipeline ON acknowledgements (pipeline, drift_report_id DESC);

-- The overview reads each pipeline's newest validation: one index row, however many runs validated.
CREATE INDEX validation_reports_pipeline_idx ON validation_reports (pipeline, created_at DESC);
