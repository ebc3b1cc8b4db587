import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accuracyDecay } from '../../lib/drift/accuracy-decay';
import { AnnotationInput } from '../../lib/drift/annotation';
import { driftAction, DriftPolicy, type RunTrigger } from '../../lib/drift/drift-policy';
import type { DriftSummary } from '../../lib/drift/drift-summary';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';

const builtIn = () => JSON.parse(readFileSync(new URL('../../lib/pipelines/us-employment.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const summary = (verdict: DriftSummary['verdict'], effects: DriftSummary['annotations'][number]['effect'][] = []): DriftSummary => ({
  verdict,
  reportId: 7,
  reasons: [],
  currentSnapshotId: 2,
  referenceSnapshotIds: [1],
  columnsTested: 4,
  columnsDrifted: verdict === 'fail' ? 3 : 0,
  drifted: [],
  annotations: effects.map((effect, i) => ({ id: i + 1, label: `event ${i + 1}`, effect })),
});
const defaults = DriftPolicy.parse({});
const act = (verdict: DriftSummary['verdict'], trigger: RunTrigger, policy = defaults, effects: DriftSummary['annotations'][number]['effect'][] = []) => {
  const { retrain, notify } = driftAction(summary(verdict, effects), policy, trigger);
  return { retrain, notify };
};

describe('the drift policy', () => {
  it('by default retrains and pages on fail, warns on warn, and keeps the champion of a stable scheduled run', () => {
    expect(act('fail', 'schedule')).toEqual({ retrain: true, notify: 'critical' });
    expect(act('warn', 'schedule')).toEqual({ retrain: false, notify: 'warning' });
    expect(act('ok', 'schedule')).toEqual({ retrain: false, notify: undefined });
    expect(act('no_reference', 'schedule')).toEqual({ retrain: true, notify: undefined });
  });

  it('always trains on manual and retrain runs, still alerting on drift', () => {
    expect(act('ok', 'manual')).toEqual({ retrain: true, notify: undefined });
    expect(act('warn', 'retrain')).toEqual({ retrain: true, notify: 'warning' });
  });

  it('follows a per-pipeline policy: notify-only fails, ignored warnings, scheduled retrains on stable data', () => {
    expect(act('fail', 'schedule', DriftPolicy.parse({ onFail: 'notify' }))).toEqual({ retrain: false, notify: 'critical' });
    expect(act('fail', 'schedule', DriftPolicy.parse({ onFail: 'retrain' }))).toEqual({ retrain: true, notify: undefined });
    expect(act('warn', 'schedule', DriftPolicy.parse({ onWarn: 'ignore' }))).toEqual({ retrain: false, notify: undefined });
    expect(act('ok', 'schedule', DriftPolicy.parse({ scheduledRetrain: 'always' }))).toEqual({ retrain: true, notify: undefined });
    expect(() => DriftPolicy.parse({ onFail: 'panic' })).toThrow();
  });

  it('lets annotations silence the alert (saying so) or force a retrain', () => {
    const silenced = driftAction(summary('fail', ['suppress_alerts']), defaults, 'schedule');
    expect(silenced.retrain).toBe(true);
    expect(silenced).not.toHaveProperty('notify');
    expect(silenced.why).toBe('drift fail: retraining (the data drifted); alert silenced by annotation "event 1"');
    expect(act('ok', 'schedule', defaults, ['retrain_now'])).toEqual({ retrain: true, notify: undefined });
    expect(driftAction(summary('ok', ['none', 'retrain_now']), defaults, 'schedule').why).toBe('drift ok: retraining (annotation "event 2" says retrain now)');
  });
});

describe('accuracy decay', () => {
  it('compares the current error with the promoted one against a relative limit', () => {
    expect(accuracyDecay(80, 96, 50, { metric: 'rmse', maxIncrease: 0.25 })).toMatchObject({ increase: 0.2, decayed: false });
    expect(accuracyDecay(80, 120, 50, { metric: 'rmse', maxIncrease: 0.25 })).toMatchObject({ increase: 0.5, decayed: true });
    expect(accuracyDecay(0, 1, 50, { metric: 'mae', maxIncrease: 10 }).decayed).toBe(true);
  });
});

describe('annotations and the drift section of a spec', () => {
  it('reads dates as UTC and rejects an end before the start', () => {
    expect(AnnotationInput.parse({ label: 'promo', from: '2024-11-29', to: '2024-12-02T06:00:00+01:00' })).toEqual({
      label: 'promo',
      from: '2024-11-29T00:00:00.000Z',
      to: '2024-12-02T05:00:00.000Z',
      note: '',
      effect: 'none',
      createdBy: 'temporal-ui',
    });
    expect(AnnotationInput.safeParse({ label: 'x', from: '2024-02-01', to: '2024-01-01' }).error?.issues[0]?.path).toEqual(['to']);
  });

  it('defaults the drift section and checks its column names', () => {
    const spec = PipelineSpec.parse(builtIn());
    expect(spec.drift).toMatchObject({
      driftShare: 0.5,
      prediction: {},
      accuracyDecay: { metric: 'rmse', maxIncrease: 0.25 },
      policy: { onFail: 'retrain-and-notify', onWarn: 'notify', scheduledRetrain: 'on-drift' },
    });
    const custom = PipelineSpec.safeParse({ ...builtIn(), drift: { columns: { nonfarm: { method: 'psi' }, nope: {} }, policy: { onWarn: 'ignore' } } });
    expect(custom.error?.issues.map((i) => i.path.join('.'))).toEqual(['drift.columns.nope']);
  });
});
