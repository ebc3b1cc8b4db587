-- Up Migration

-- Every run waiting for a person, not only the newest: a run waits from its `challenger` audit entry
-- (which records its deadline) until that run records a decision on its candidate (promote or
-- reject), or its deadline passes. Several runs of one model can wait at once; the `challenger`
-- alias names only the newest. Entries from before deadlines were recorded count while the alias
-- still names their version, as the dashboard showed them then.
CREATE VIEW waiting_approvals AS
SELECT model_name, version_id, version, workflow_id, evaluation_id, requested_at, deadline
FROM (
  SELECT DISTINCT ON (c.model_name, c.details->>'workflowId', c.version_id)
         c.model_name, c.version_id, v.version, c.details->>'workflowId' AS workflow_id,
         (c.details->>'evaluationId')::bigint AS evaluation_id, c.at AS requested_at,
         (c.details->>'deadline')::timestamptz AS deadline
  FROM audit_log c JOIN model_versions v ON v.id = c.version_id
  WHERE c.action = 'challenger' AND c.details ? 'workflowId'
    AND NOT EXISTS (SELECT 1 FROM audit_log d
                    WHERE d.version_id = c.version_id AND d.id > c.id AND d.action IN ('promote', 'reject')
                      AND d.details->>'workflowId' = c.details->>'workflowId')
  ORDER BY c.model_name, c.details->>'workflowId', c.version_id, c.id DESC
) latest
WHERE deadline > now()
   OR (deadline IS NULL AND EXISTS (SELECT 1 FROM model_aliases a
                                    WHERE a.model_name = latest.model_name AND a.alias = 'challenger' AND a.version_id = latest.version_id));

-- A decision is looked up by its version: the view asks that of every challenger entry.
CREATE INDEX audit_log_version_idx ON audit_log (version_id, id);

-- Down Migration
DROP INDEX audit_log_version_idx;
DROP VIEW waiting_approvals;
