import { z } from 'zod';
import type { DriftSummary } from './drift-summary';
import { lazySchema } from '../lazy-schema';

/**
 * What a pipeline does with a drift verdict. A `fail` retrains and notifies the data team by
 * default; a `warn` notifies (or is ignored). A scheduled run on stable data keeps the champion
 * and ends, unless `scheduledRetrain` is `always`. Manual and `retrain` runs always train.
 */
export const DriftPolicy = lazySchema(() =>
  z
    .object({
      onFail: z.enum(['retrain-and-notify', 'retrain', 'notify']).default('retrain-and-notify'),
      onWarn: z.enum(['notify', 'ignore']).default('notify'),
      /** `on-drift`: a scheduled run trains only when drift (or an annotation) asks for it. */
      scheduledRetrain: z.enum(['on-drift', 'always']).default('on-drift'),
    })
    .strict(),
);
export type DriftPolicy = z.infer<typeof DriftPolicy>;

export type RunTrigger = 'manual' | 'retrain' | 'schedule';

export interface DriftAction {
  retrain: boolean;
  /** Absent when nothing is sent: a stable run, a policy that ignores warnings, or a suppressing annotation. */
  notify?: 'critical' | 'warning';
  /** One sentence for the status and the run's decision. */
  why: string;
}

/** Applies the pipeline's policy to a drift summary. Pure, so the workflow decides deterministically. */
export function driftAction(drift: DriftSummary, policy: DriftPolicy, trigger: RunTrigger): DriftAction {
  const retrainReason = whyRetrain(drift, policy, trigger);
  const alert = alertFor(drift, policy);
  const suppressedBy = drift.annotations.find((a) => a.effect === 'suppress_alerts');
  const notify = suppressedBy ? undefined : alert;
  const alerting = alert === undefined ? '' : suppressedBy ? `; alert silenced by annotation "${suppressedBy.label}"` : '; data team notified';
  const action = retrainReason ? `retraining (${retrainReason})` : 'keeping the champion';
  const finding = drift.verdict === 'no_new_data' ? 'no new data' : `drift ${drift.verdict}`;
  return { retrain: retrainReason !== undefined, ...(notify && { notify }), why: `${finding}: ${action}${alerting}` };
}

/** The first reason to train, most specific first; undefined keeps the champion. */
function whyRetrain(drift: DriftSummary, policy: DriftPolicy, trigger: RunTrigger): string | undefined {
  if (drift.verdict === 'fail' && policy.onFail !== 'notify') return 'the data drifted';
  const forcing = drift.annotations.find((a) => a.effect === 'retrain_now');
  if (forcing) return `annotation "${forcing.label}" says retrain now`;
  if (trigger !== 'schedule') return `a ${trigger} run always trains`;
  if (drift.verdict === 'no_reference') return 'no champion to compare with yet';
  if (policy.scheduledRetrain === 'always') return 'the policy retrains on every scheduled run';
  return undefined;
}

function alertFor(drift: DriftSummary, policy: DriftPolicy): DriftAction['notify'] {
  if (drift.verdict === 'fail') return policy.onFail === 'retrain' ? undefined : 'critical';
  if (drift.verdict === 'warn') return policy.onWarn === 'notify' ? 'warning' : undefined;
  return undefined;
}
