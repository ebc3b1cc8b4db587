import { Context, log } from '@temporalio/activity';
import { saveValidationReport } from '../lib/db/validation-reports';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import { checkSnapshot } from '../lib/validation/check-snapshot';
import type { ValidationReport } from '../lib/validation/validation-report';
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
    const report = await checkSnapshot(deps.pool, snapshotId, spec);
    const { workflowExecution } = Context.current().info;
    const runKey = workflowExecution ? `${workflowExecution.workflowId}/${workflowExecution.runId}` : `snapshot-${snapshotId}`;
    await saveValidationReport(deps.pool, spec.name, runKey, report);
    log.info('snapshot validated', { snapshotId, passed: report.passed });
    return report;
  };
}
