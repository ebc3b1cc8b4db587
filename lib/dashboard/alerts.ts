import type { ModelOverview } from '../db/dashboard/overview-queries';
import { formatTime } from './format';

export interface Alert {
  kind: 'drift' | 'over-norm' | 'accuracy-decay' | 'failed-gate' | 'pending-approval';
  text: string;
}

/** What must stand out on the overview: each is a reason for a person to look now. */
export function alertsOf(m: ModelOverview): Alert[] {
  const alerts: Alert[] = [];
  if (m.latestDrift?.verdict === 'fail') alerts.push({ kind: 'drift', text: 'drift: fail' });
  if (m.latestDrift?.accuracyDecayed) alerts.push({ kind: 'accuracy-decay', text: 'accuracy decay' });
  if (m.latestRun?.outcome === 'cancelled_over_norm') alerts.push({ kind: 'over-norm', text: 'last run cancelled over its norm' });
  if (m.latestEvaluation && !m.latestEvaluation.passed) alerts.push({ kind: 'failed-gate', text: `v${m.latestEvaluation.version} failed a gate` });
  if (m.pendingApproval) alerts.push({ kind: 'pending-approval', text: awaitingText(m.pendingApproval) });
  return alerts;
}

/** "awaiting approval (2), first deadline 2026-11-29 18:00:00 UTC": every waiting run counts, the soonest one expires first. */
function awaitingText(pending: NonNullable<ModelOverview['pendingApproval']>): string {
  return `awaiting approval (${pending.count})${pending.nextDeadline ? `, first deadline ${formatTime(pending.nextDeadline)}` : ''}`;
}
