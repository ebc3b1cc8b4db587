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
      `Report #${drift.reportId}: ${reportReference(run.pipeline, drift.reportId)}. Workflow ${run.workflowId}.`,
    ].join('\n'),
    details: { reportId: drift.reportId, verdict: drift.verdict, drifted: drift.drifted, retrain: action.retrain, workflowId: run.workflowId },
  };
}

/** Where a person opens a drift report: its dashboard page when the dashboard's address is known, else the CLI command. */
export function reportReference(pipeline: string, reportId: number, dashboardUrl?: string): string {
  if (!dashboardUrl) return `driftline drift --pipeline ${pipeline} --report ${reportId}`;
  return `${dashboardUrl.replace(/\/+$/, '')}/pipelines/${encodeURIComponent(pipeline)}/drift/${reportId}`;
}

/**
 * The drift alert with its report's dashboard address instead of the CLI command. Applied where
 * the configuration is known (the activity that enqueues it), since the workflow that wrote the
 * alert has none; any other notification passes unchanged.
 */
export function linkDriftReport(n: NewNotification, dashboardUrl: string | undefined): NewNotification {
  const reportId = n.details.reportId;
  if (!dashboardUrl || !n.dedupeKey.startsWith('drift:') || typeof reportId !== 'number') return n;
  const url = reportReference(n.pipeline, reportId, dashboardUrl);
  return { ...n, body: n.body.replace(reportReference(n.pipeline, reportId), url), details: { ...n.details, reportUrl: url } };
}
