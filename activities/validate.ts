import { Context, log } from '@temporalio/activity';
import { findDuplicateKeys, getSnapshot } from '../lib/db/snapshots';
import { saveValidationReport } from '../lib/db/validation-reports';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import { runChecks } from '../lib/validation/run-checks';
import { buildReport, type ValidationReport } from '../lib/validation/validation-report';
import type { ActivityDeps } from './deps';

export interface ValidateInput {
  spec: PipelineSpec;
  snapshotId: number;
}

export function makeValidate(deps: ActivityDeps) {
  /**
   * Runs the spec's dataset checks on a snapshot and stores the report. It returns the report
   * even when a check fails: the workflow shows it in `status` and stops the run itself.
   */
  return async function validateSnapshot({ spec, snapshotId }: ValidateInput): Promise<ValidationReport> {
    const snapshot = await getSnapshot(deps.pool, snapshotId);
    if (!snapshot.profile) throw new Error(`snapshot ${snapshotId} has no profile: it was stored before validation existed; ingest again`);
    const duplicates = spec.checks.duplicateKeys ? await findDuplicateKeys(deps.pool, snapshotId, spec.keyColumns) : undefined;
    const checks = runChecks(
      { ...snapshot, profile: snapshot.profile, ...(duplicates && { duplicates }) },
      { checks: spec.checks, keyColumns: spec.keyColumns, timeColumn: spec.timeColumn, now: new Date() },
    );
    const report = buildReport(snapshotId, checks);
    const { workflowExecution } = Context.current().info;
    const runKey = workflowExecution ? `${workflowExecution.workflowId}/${workflowExecution.runId}` : `snapshot-${snapshotId}`;
    await saveValidationReport(deps.pool, spec.name, runKey, report);
    log.info('snapshot validated', { snapshotId, passed: report.passed });
    return report;
  };
}
