import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accuracyDecay, AccuracyDecayOptions } from '../../lib/drift/accuracy-decay';
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
  const options = AccuracyDecayOptions.parse({});
  const repeat = (value: number, times: number) => new Array<number>(times).fill(value);
  /** Examples in time order whose prediction misses the actual by `errors[i]`. */
  const withErrors = (errors: number[]) => ({ actual: errors.map((e, i) => i + e), predicted: errors.map((_, i) => i) });
  const judge = (promoted: number, errors: number[], overrides: Partial<AccuracyDecayOptions> = {}) => {
    const { actual, predicted } = withErrors(errors);
    return accuracyDecay(promoted, actual, predicted, { ...options, ...overrides });
  };

  it('defaults to rmse, 25 %, at least 30 examples and the 100 most recent', () => {
    expect(options).toEqual({ metric: 'rmse', maxIncrease: 0.25, minExamples: 30, window: 100 });
    expect(AccuracyDecayOptions.safeParse({ minExamples: 50, window: 40 }).error?.issues[0]?.path).toEqual(['window']);
  });

  it('judges the most recent window only: 50 perfect old examples do not dilute 100 new ones', () => {
    const decay = judge(80, [...repeat(0, 50), ...repeat(96, 100)]);
    expect(decay).toMatchObject({ current: 96, examples: 100, available: 150, insufficient: false, decayed: false });
    expect(decay.increase).toBeCloseTo(0.2, 12);
  });

  it('says insufficient, never decayed, on one labelled row however bad', () => {
    expect(judge(80, [1000])).toMatchObject({ current: 1000, examples: 1, minExamples: 30, insufficient: true, ratio: null, decayed: false });
    expect(judge(80, repeat(1000, 29)).insufficient).toBe(true);
  });

  it('declares decay only when the whole bootstrap interval clears the limit', () => {
    // Every example 50 % worse: every resample gives the ratio 1.5.
    expect(judge(80, repeat(120, 40))).toMatchObject({ ratio: { low: 1.5, high: 1.5, level: 0.9 }, decayed: true });
    // The same rmse of 120 from 3 large misses in 30: +50 % on average, but a resample with one miss
    // is better than at promotion, so the interval reaches below the limit and nothing is declared.
    const lumpy = judge(80, [...repeat(0, 27), ...repeat(120 * Math.sqrt(10), 3)]);
    expect(lumpy.increase).toBeCloseTo(0.5, 12);
    expect(lumpy.ratio?.low).toBeLessThan(1.25);
    expect(lumpy.ratio?.high).toBeGreaterThan(1.5);
    expect(lumpy.decayed).toBe(false);
    // A perfect champion decays at any steady error at all.
    expect(judge(0, repeat(1, 30), { metric: 'mae', maxIncrease: 10 }).decayed).toBe(true);
  });

  it('is the same for the same seed', () => {
    const errors = Array.from({ length: 60 }, (_, i) => 90 + ((i * 37) % 50));
    expect(judge(80, errors)).toEqual(judge(80, errors));
  });
});

describe('annotations and the drift section of a spec', () => {
  it('reads dates as UTC and rejects an end before the start', () => {
    expect(AnnotationInput.parse({ label: 'promo', from: '2024-11-29', to: '2024-12-02T06:00:00+01:00', by: 'ana' })).toEqual({
      label: 'promo',
      from: '2024-11-29T00:00:00.000Z',
      to: '2024-12-02T05:00:00.000Z',
      note: '',
      effect: 'none',
      by: 'ana',
    });
    expect(AnnotationInput.safeParse({ label: 'x', from: '2024-02-01', to: '2024-01-01', by: 'ana' }).error?.issues[0]?.path).toEqual(['to']);
    // A leap day exists in 2024 only; a date that does not exist is refused, never rolled over to March.
    expect(AnnotationInput.parse({ label: 'leap', from: '2024-02-29', to: '2024-03-01', by: 'ana' }).from).toBe('2024-02-29T00:00:00.000Z');
    for (const from of ['2023-02-29', '2024-13-01', '2024-2-01']) {
      expect(AnnotationInput.safeParse({ label: 'x', from, to: '2025-01-01', by: 'ana' }).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
        'from: must be an ISO date or date-time, e.g. 2008-01-01 or 2008-01-01T00:00:00Z',
      ]);
    }
  });

  it('defaults the drift section and checks its column names', () => {
    const spec = PipelineSpec.parse(builtIn());
    expect(spec.drift).toMatchObject({
      driftShare: 0.5,
      prediction: {},
      accuracyDecay: { metric: 'rmse', maxIncrease: 0.25, minExamples: 30, window: 100 },
      policy: { onFail: 'retrain-and-notify', onWarn: 'notify', scheduledRetrain: 'on-drift' },
    });
    const custom = PipelineSpec.safeParse({ ...builtIn(), drift: { columns: { nonfarm: { method: 'psi' }, nope: {} }, policy: { onWarn: 'ignore' } } });
    expect(custom.error?.issues.map((i) => i.path.join('.'))).toEqual(['drift.columns.nope']);
  });
});
