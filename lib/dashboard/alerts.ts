import type { ModelOverview } from '../db/dashboard/overview-queries';
import { formatTime } from './format';
import { segment } from './layout';

export interface Alert {
  kind: 'drift' | 'over-norm' | 'accuracy-decay' | 'pending-approval' | 'retrained-on-drift' | 'rolled-back' | 'validation-failed';
  text: string;
  /** The page that explains it: one click from the overview to what is wrong. */
  href: string;
}

/**
 * What must stand out on the overview: each is a reason for a person to look now. A candidate that
 * did not beat the champion is no alert: keeping the champion is the pipeline working.
 */
export function alertsOf(m: ModelOverview): Alert[] {
  const model = `/models/${segment(m.model)}`;
  const drift = `/pipelines/${segment(m.pipeline)}/drift`;
  const alerts: Alert[] = [];
  if (m.worstDrift?.verdict === 'fail') alerts.push({ kind: 'drift', text: 'drift: fail', href: `${drift}/${m.worstDrift.id}` });
  if (m.latestDrift?.accuracyDecayed) alerts.push({ kind: 'accuracy-decay', text: 'accuracy decay', href: `${drift}/${m.latestDrift.id}` });
  const { retrainedOnDrift, rolledBack, validationFailed } = m.flags;
  if (retrainedOnDrift) alerts.push({ kind: 'retrained-on-drift', text: `v${retrainedOnDrift.version} retrained on drifted data`, href: `${drift}/${retrainedOnDrift.driftReportId}` });
  if (rolledBack) alerts.push({ kind: 'rolled-back', text: `rolled back to v${rolledBack.version} by ${rolledBack.by}`, href: `${model}#decisions` });
  if (validationFailed) alerts.push({ kind: 'validation-failed', text: `validation failed on snapshot #${validationFailed.snapshotId}`, href: `/snapshots/${validationFailed.snapshotId}#validation` });
  if (m.latestRun?.outcome === 'cancelled_over_norm') alerts.push({ kind: 'over-norm', text: 'last run cancelled over its norm', href: `${model}/runs` });
  if (m.pendingApproval) alerts.push({ kind: 'pending-approval', text: awaitingText(m.pendingApproval), href: model });
  return alerts;
}

/** "awaiting approval (2), first deadline 2026-11-29 18:00:00 UTC": every waiting run counts, the soonest one expires first. */
function awaitingText(pending: NonNullable<ModelOverview['pendingApproval']>): string {
  return `awaiting approval (${pending.count})${pending.nextDeadline ? `, first deadline ${formatTime(pending.nextDeadline)}` : ''}`;
}
