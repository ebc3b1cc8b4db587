import type { NewNotification } from '../db/notifications';
import type { DriftAction } from './drift-policy';
import type { DriftSummary } from './drift-summary';

/**
 * The outbox entry for a drift alert, or undefined when the policy sends none. Keyed by the stored
 * report, so a replayed or retried run sends one message.
 */
export function driftNotification(
  run: { pipeline: string; model: string; workflowId: string },
  drift: DriftSummary,
  action: DriftAction,
): NewNotification | undefined {
  if (action.notify === undefined || drift.reportId === undefined) return undefined;
  const columns = drift.drifted.map((c) => c.column).join(', ');
  return {
    dedupeKey: `drift:${drift.reportId}`,
    kind: drift.verdict === 'fail' ? 'drift_fail' : 'drift_warn',
    severity: action.notify,
    pipeline: run.pipeline,
    title: `Drift ${drift.verdict} on ${run.pipeline}: ${drift.columnsDrifted} of ${drift.columnsTested} columns drifted`,
    body: [
      ...drift.reasons,
      ...(columns ? [`Most drifted: ${columns}.`] : []),
      `Champion v${drift.championVersion} of ${run.model}; ${action.why}.`,
      `Report #${drift.reportId}: driftline drift --pipeline ${run.pipeline} --report ${drift.reportId}. Workflow ${run.workflowId}.`,
    ].join('\n'),
    details: { reportId: drift.reportId, verdict: drift.verdict, drifted: drift.drifted, retrain: action.retrain, workflowId: run.workflowId },
  };
}
