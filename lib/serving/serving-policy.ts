import type { NewNotification } from '../db/notifications';
import type { AccuracyDecay } from '../drift/accuracy-decay';
import type { DriftAction, DriftPolicy } from '../drift/drift-policy';
import type { DriftSummary } from '../drift/drift-summary';

/**
 * What the pipeline's drift policy does with a signal from the served model (accuracy decay on
 * recorded actuals, or serving drift): `fail` acts as `onFail` says (retrain and/or notify), `warn`
 * notifies unless `onWarn` ignores it, anything else does nothing. Unlike a pipeline run, no
 * scheduled retrain and no "no champion yet" retrain: a serving signal only reacts to what it saw.
 * An annotation that suppresses alerts silences the message, not the retrain. Pure.
 */
export function servingAction(verdict: DriftSummary['verdict'], policy: DriftPolicy, annotations: DriftSummary['annotations'] = []): DriftAction {
  const suppressedBy = annotations.find((a) => a.effect === 'suppress_alerts');
  const forced = annotations.find((a) => a.effect === 'retrain_now');
  const retrain = (verdict === 'fail' && policy.onFail !== 'notify') || forced !== undefined;
  const alert = verdict === 'fail' ? (policy.onFail === 'retrain' ? undefined : 'critical') : verdict === 'warn' && policy.onWarn === 'notify' ? 'warning' : undefined;
  const notify = suppressedBy ? undefined : alert;
  const action = retrain ? `retraining (${verdict === 'fail' && policy.onFail !== 'notify' ? 'the served model is failing' : `annotation "${forced?.label}" says retrain now`})` : 'keeping the champion';
  const alerting = alert === undefined ? '' : suppressedBy ? `; alert silenced by annotation "${suppressedBy.label}"` : '; data team notified';
  return { retrain, ...(notify && { notify }), why: `${verdict}: ${action}${alerting}` };
}

/** The verdict accuracy decay stands for: decayed beyond doubt fails; too few outcomes or no decay is ok. */
export function decayVerdict(decay: AccuracyDecay | undefined): 'ok' | 'fail' {
  return decay?.decayed ? 'fail' : 'ok';
}

/** "log_loss 0.912 against 0.120 at promotion (+660 %) on the 60 most recent outcomes" */
export function describeDecay(decay: AccuracyDecay): string {
  const change = `${decay.increase >= 0 ? '+' : '−'}${Math.round(Math.abs(decay.increase) * 100)} %`;
  const interval = decay.ratio ? `, ${Math.round(decay.ratio.level * 100)} % interval of the ratio ${decay.ratio.low.toFixed(2)}–${decay.ratio.high.toFixed(2)}` : '';
  return `${decay.metric} ${decay.current.toPrecision(3)} against ${decay.promoted.toPrecision(3)} at promotion (${change}${interval}, limit +${Math.round(decay.maxIncrease * 100)} %) on the ${decay.examples} most recent of ${decay.available ?? decay.examples} outcomes`;
}

/**
 * The outbox entry for accuracy decay of a served version, or undefined when the policy sends
 * none. Keyed by the version and the outcomes judged, so a retried workflow sends one message and
 * new outcomes that still show decay send another.
 */
export function decayNotification(
  run: { pipeline: string; model: string; version: number; workflowId: string },
  decay: AccuracyDecay,
  action: DriftAction,
): NewNotification | undefined {
  if (action.notify === undefined) return undefined;
  return {
    dedupeKey: `accuracy-decay:${run.pipeline}:v${run.version}:${decay.available ?? decay.examples}`,
    kind: 'accuracy_decay',
    severity: action.notify,
    pipeline: run.pipeline,
    title: `Accuracy decay on ${run.pipeline}: served v${run.version} of ${run.model} is worse than at promotion`,
    body: [`Live accuracy: ${describeDecay(decay)}.`, `${action.why}.`, `Workflow ${run.workflowId}.`].join('\n'),
    details: { version: run.version, metric: decay.metric, current: decay.current, promoted: decay.promoted, retrain: action.retrain, workflowId: run.workflowId },
  };
}
