import { describe, expect, it } from 'vitest';
import { accuracyDecay } from '../../lib/drift/accuracy-decay';
import { DriftPolicy } from '../../lib/drift/drift-policy';
import { decayNotification, decayVerdict, servingAction } from '../../lib/serving/serving-policy';

const policy = (changes: Partial<DriftPolicy> = {}) => DriftPolicy.parse(changes);
const run = { pipeline: 'p', model: 'p-model', version: 3, workflowId: 'actuals-p-1' };
const options = { metric: 'mae' as const, maxIncrease: 0.25, minExamples: 30, window: 100 };
const actual = Array.from({ length: 60 }, (_, i) => i);

describe('the drift policy applied to the served model', () => {
  it('a fail retrains and notifies by default, only retrains or only notifies as onFail says', () => {
    expect(servingAction('fail', policy())).toMatchObject({ retrain: true, notify: 'critical' });
    expect(servingAction('fail', policy({ onFail: 'retrain' }))).toEqual({ retrain: true, why: 'fail: retraining (the served model is failing)' });
    expect(servingAction('fail', policy({ onFail: 'notify' }))).toMatchObject({ retrain: false, notify: 'critical' });
  });

  it('a warn notifies unless onWarn ignores it; ok, no data and no champion never act, whatever scheduledRetrain says', () => {
    expect(servingAction('warn', policy())).toMatchObject({ retrain: false, notify: 'warning' });
    expect(servingAction('warn', policy({ onWarn: 'ignore' })).notify).toBeUndefined();
    for (const verdict of ['ok', 'no_new_data', 'no_reference'] as const) {
      expect(servingAction(verdict, policy({ scheduledRetrain: 'always' }))).toEqual({ retrain: false, why: `${verdict}: keeping the champion` });
    }
  });

  it('an annotation silences the alert but not the retrain, or forces a retrain', () => {
    const silenced = servingAction('fail', policy(), [{ id: 1, label: 'sale week', effect: 'suppress_alerts' }]);
    expect(silenced).toMatchObject({ retrain: true });
    expect(silenced.notify).toBeUndefined();
    expect(silenced.why).toContain('alert silenced by annotation "sale week"');
    expect(servingAction('ok', policy(), [{ id: 2, label: 'new catalogue', effect: 'retrain_now' }])).toMatchObject({ retrain: true, why: 'ok: retraining (annotation "new catalogue" says retrain now)' });
  });

  it('decay beyond doubt fails; too few outcomes or none says nothing; the alert names the version and is keyed by the outcomes judged', () => {
    const decayed = accuracyDecay(1, actual, actual.map((y) => y + 5), options);
    expect(decayVerdict(decayed)).toBe('fail');
    expect(decayVerdict(accuracyDecay(1, actual.slice(0, 10), actual.slice(0, 10).map((y) => y + 5), options))).toBe('ok');
    expect(decayVerdict(undefined)).toBe('ok');
    const alert = decayNotification(run, decayed, servingAction('fail', policy()));
    expect(alert).toMatchObject({ dedupeKey: 'accuracy-decay:p:v3:60', kind: 'accuracy_decay', severity: 'critical' });
    expect(alert?.title).toBe('Accuracy decay on p: served v3 of p-model is worse than at promotion');
    expect(alert?.body).toContain('mae 5.00 against 1.00 at promotion (+400 %');
    expect(decayNotification(run, decayed, servingAction('fail', policy({ onFail: 'retrain' })))).toBeUndefined();
  });
});
