import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatZodError } from '../../lib/errors';
import { naiveForecasts, scoreBaselines, skillScore, summarizeBaselines, type BaselineSummary } from '../../lib/evaluation/baselines';
import { configurationVerdict, sameConfiguration, scoreAgainstChampion, type ChampionFacts } from '../../lib/evaluation/champion-comparison';
import { formatMetric, formatPercent } from '../../lib/evaluation/format';
import { describeGates, evaluateGates, type GateInputs } from '../../lib/evaluation/gates';
import { splitHoldout } from '../../lib/evaluation/holdout';
import { pairedBootstrap } from '../../lib/evaluation/paired-bootstrap';
import type { Examples } from '../../lib/model/features';
import { metricOf, regressionMetrics, type Metrics } from '../../lib/model/metrics';
import { BUILT_IN_PIPELINES_DIR } from '../../lib/spec/load-spec';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { mulberry32 } from '../../lib/stats/mulberry32';

describe('naive baselines', () => {
  // Row t holds 10·(t + 1): every forecast below can be read off the series.
  const target = [10, 20, 30, 40, 50, 60, 70, 80];
  const base = { target, rows: [5, 6], horizon: 1, trainingLabels: [20, 30, 40], timeSeries: true };
  const byName = (forecasts: ReturnType<typeof naiveForecasts>) => Object.fromEntries(forecasts.map((f) => [f.name, f.predictions]));

  it('forecasts the last value, the value a season earlier and the training mean', () => {
    // Examples built from rows 5 and 6 predict rows 6 and 7 (70 and 80).
    expect(byName(naiveForecasts({ ...base, season: 4 }))).toEqual({
      'last-value': [60, 70],
      'seasonal-naive': [30, 40],
      mean: [30, 30],
    });
  });

  it('goes back whole seasons when the horizon is longer than one', () => {
    // Horizon 5, season 4: the label at t + 5 is forecast by t + 5 − 8 = t − 3, the latest row of its season already seen.
    expect(byName(naiveForecasts({ ...base, horizon: 5, season: 4 }))['seasonal-naive']).toEqual([30, 40]);
    expect(byName(naiveForecasts({ ...base, horizon: 2, season: 4 }))['seasonal-naive']).toEqual([40, 50]);
  });

  it('carries the last known value over a missing target, and leaves out a baseline that cannot forecast every example', () => {
    const gappy = [10, 20, 30, 40, 50, Number.NaN, 70, 80];
    const forecasts = byName(naiveForecasts({ ...base, target: gappy, rows: [5, 6], season: 4, horizon: 4 }));
    expect(forecasts['last-value']).toEqual([50, 70]);
    // A season back from row 5 + 4 is row 5 itself: missing, so no seasonal naive at all.
    expect(forecasts['seasonal-naive']).toBeUndefined();
  });

  it('uses only the training mean for data that is not a series', () => {
    expect(byName(naiveForecasts({ ...base, season: 4, timeSeries: false }))).toEqual({ mean: [30, 30] });
  });

  it('scores each baseline with every metric and measures the skill against the best one', () => {
    const actual = [70, 80];
    const scores = scoreBaselines(actual, naiveForecasts({ ...base, season: 4 }));
    expect(scores.find((s) => s.name === 'last-value')?.metrics).toEqual(regressionMetrics(actual, [60, 70]));
    const candidate = regressionMetrics(actual, [65, 75]);
    const summary = summarizeBaselines('rmse', candidate, scores);
    expect(summary.best).toBe('last-value');
    expect(summary.skill).toBeCloseTo(0.5);
    expect(summarizeBaselines('r2', candidate, scores).best).toBe('last-value');
  });
});

describe('skill score', () => {
  it('is 1 − candidate/baseline for errors and the difference for r2', () => {
    expect(skillScore('rmse', 0.491, 0.572)).toBeCloseTo(1 - 0.491 / 0.572, 12);
    expect(skillScore('mae', 12, 10)).toBeCloseTo(-0.2, 12);
    expect(skillScore('r2', 0.6, 0.45)).toBeCloseTo(0.15, 12);
  });

  it('gives no skill against a perfect baseline', () => {
    expect(skillScore('rmse', 0, 0)).toBe(0);
    expect(skillScore('rmse', 1, 0)).toBe(-Infinity);
  });
});

describe('paired bootstrap of an improvement', () => {
  const random = mulberry32(7);
  const normal = () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
  const n = 200;
  const actual = Array.from({ length: n }, () => 100 + 10 * normal());
  const noise = actual.map(() => normal());
  const champion = actual.map((a, i) => a + (noise[i] as number));

  it('does not call noise an improvement: the same errors plus tiny noise', () => {
    const candidate = champion.map((p) => p + 0.01 * normal());
    const interval = pairedBootstrap('rmse', actual, candidate, champion);
    expect(interval.low).toBeLessThan(0);
    expect(interval.high).toBeGreaterThan(0);
    expect(interval.resamples).toBe(2000);
  });

  it('finds a clearly better candidate, on every metric', () => {
    const candidate = actual.map((a, i) => a + 0.5 * (noise[i] as number));
    for (const metric of ['rmse', 'mae', 'r2', 'smape'] as const) {
      const interval = pairedBootstrap(metric, actual, candidate, champion);
      expect(interval.low, metric).toBeGreaterThan(0);
      // The estimate is the improvement on the examples as they are.
      const sign = metric === 'r2' ? 1 : -1;
      const expected = sign * (metricOf(regressionMetrics(actual, candidate), metric) - metricOf(regressionMetrics(actual, champion), metric));
      expect(interval.estimate, metric).toBeCloseTo(expected, 9);
      expect(interval.low).toBeLessThanOrEqual(interval.estimate);
      expect(interval.high).toBeGreaterThanOrEqual(interval.estimate);
    }
  });

  it('is seeded: the same predictions give the same interval', () => {
    const candidate = actual.map((a, i) => a + 0.9 * (noise[i] as number));
    expect(pairedBootstrap('rmse', actual, candidate, champion)).toEqual(pairedBootstrap('rmse', actual, candidate, champion));
  });
});

describe('comparison with the champion', () => {
  const config = (alpha: number) => ({
    artifact: { trainer: { kind: 'built-in', name: 'ridge' }, plan: { target: 'y', timeColumn: 't', horizon: 1, features: { targetLags: [1] } } },
    params: { alpha },
  });
  const facts = (trainedThrough: string | undefined, same = false): ChampionFacts => ({ version: 3, trainedThrough, sameConfiguration: same });
  const month = (i: number) => `2020-${String(i + 1).padStart(2, '0')}-01T00:00:00.000Z`;
  const paired = {
    keys: Array.from({ length: 12 }, (_, i) => month(i)),
    actual: Array.from({ length: 12 }, (_, i) => 10 + i),
    candidate: Array.from({ length: 12 }, (_, i) => 10 + i + (i % 2 ? 1 : -1)),
    champion: Array.from({ length: 12 }, (_, i) => 10 + i + (i % 2 ? 2 : -2)),
  };
  const rules = { metric: 'rmse' as const, minHoldout: 4, bootstrap: true };

  it('tells a refresh of the same configuration on newer data from a rerun on the same data', () => {
    expect(sameConfiguration(config(10), config(10))).toBe(true);
    expect(sameConfiguration(config(10), config(1))).toBe(false);
    expect(configurationVerdict(facts(month(5), true), month(11))).toEqual({ kind: 'refresh', version: 3, trainedThrough: month(5), candidateThrough: month(11) });
    expect(configurationVerdict(facts(month(11), true), month(11))).toEqual({ kind: 'same-data', version: 3 });
    expect(configurationVerdict(facts(month(11), false), month(11))).toBeUndefined();
  });

  it('compares only on the examples newer than the champion when there are enough of them', () => {
    const comparison = scoreAgainstChampion(facts(month(5)), paired, rules);
    expect(comparison).toMatchObject({ kind: 'scored', examples: 6, seen: 0, newerOnly: true });
    expect(comparison).not.toHaveProperty('beforeRefit');
    // The champion's fit from before its refit, when the served refit had learned the holdout.
    expect(scoreAgainstChampion({ ...facts(month(5)), beforeRefit: true }, paired, rules)).toMatchObject({ examples: 6, newerOnly: true, beforeRefit: true });
  });

  it('falls back to the whole holdout and counts what the champion had seen', () => {
    const comparison = scoreAgainstChampion(facts(month(9)), paired, rules);
    expect(comparison).toMatchObject({ kind: 'scored', examples: 12, seen: 10, newerOnly: false });
    if (comparison.kind !== 'scored') throw new Error('scored');
    expect(comparison.candidate.rmse).toBeCloseTo(1, 12);
    expect(comparison.champion.rmse).toBeCloseTo(2, 12);
    expect(comparison.interval?.low).toBeGreaterThan(0);
    expect(scoreAgainstChampion(facts(month(9)), paired, { ...rules, bootstrap: false })).not.toHaveProperty('interval.low');
  });
});

describe('promotion gates', () => {
  const metrics = (rmse: number): Metrics => ({ rmse, mae: rmse, r2: 0, smape: 0 });
  const baselines: BaselineSummary = {
    metric: 'rmse',
    scores: [
      { name: 'last-value', metrics: metrics(0.572) },
      { name: 'mean', metrics: metrics(0.8) },
    ],
    best: 'last-value',
    skill: skillScore('rmse', 0.491, 0.572),
  };
  const input: GateInputs = {
    primaryMetric: 'rmse',
    gates: { rmse: { threshold: 1 } },
    minHoldout: 30,
    beatBaselines: true,
    candidate: metrics(0.491),
    holdoutExamples: 35,
    baselines,
  };

  it('passes a candidate that beats the best baseline on a large enough holdout, and says so', () => {
    const gates = evaluateGates(input);
    expect(gates.map((g) => [g.gate, g.passed])).toEqual([
      ['min_holdout', true],
      ['beats_baselines', true],
      ['threshold', true],
    ]);
    expect(describeGates(gates)).toBe('holdout has 35 examples (at least 30) ✓; rmse 0.491 vs last-value 0.572: skill 14 % ✓; rmse 0.491 ≤ 1.00 ✓');
  });

  it('refuses a 4-example holdout with the reason, whatever the scores', () => {
    const gates = evaluateGates({ ...input, holdoutExamples: 4 });
    expect(gates.find((g) => g.gate === 'min_holdout')).toMatchObject({ passed: false, observed: 4, required: 30, detail: 'holdout has 4 examples, at least 30 needed' });
  });

  it('refuses a candidate worse than a naive baseline, naming it, unless the pipeline turned the gate off', () => {
    const worse = { ...input, candidate: metrics(0.6), baselines: { ...baselines, skill: skillScore('rmse', 0.6, 0.572) } };
    const gate = evaluateGates(worse).find((g) => g.gate === 'beats_baselines');
    expect(gate).toMatchObject({ passed: false, detail: 'rmse 0.600 vs last-value 0.572: skill -4.9 %' });
    expect(evaluateGates({ ...worse, beatBaselines: false }).map((g) => g.gate)).not.toContain('beats_baselines');
  });

  it('states a refresh of the champion and refuses a rerun on the same data', () => {
    const refresh = evaluateGates({ ...input, champion: { kind: 'refresh', version: 2, trainedThrough: '2015-06-01T00:00:00.000Z', candidateThrough: '2015-12-01T00:00:00.000Z' } });
    expect(refresh.at(-1)).toMatchObject({ gate: 'beats_champion', passed: true, detail: "refit of champion v2's configuration on newer data (through 2015-12-01)" });
    const same = evaluateGates({ ...input, champion: { kind: 'same-data', version: 2 } });
    expect(same.at(-1)).toMatchObject({ gate: 'beats_champion', passed: false, detail: 'same configuration and data as champion v2: nothing to gain' });
  });

  it('passes the champion gate only when the interval clears zero, or by minRelativeChange when declared', () => {
    const scored = (low: number) => ({
      kind: 'scored' as const,
      version: 2,
      examples: 35,
      seen: 35,
      newerOnly: false,
      candidate: metrics(0.491),
      champion: metrics(0.5),
      interval: { metric: 'rmse' as const, estimate: 0.009, low, high: 0.02, confidence: 0.9, resamples: 2000, examples: 35 },
    });
    const noise = evaluateGates({ ...input, champion: scored(-0.004) }).at(-1);
    expect(noise).toMatchObject({ gate: 'beats_champion', passed: false });
    expect(noise?.detail).toBe('rmse 0.491 vs champion v2 0.500 on 35 holdout examples, 35 of which it had trained on (its score is optimistic): improvement 0.00900, 90 % interval -0.00400 … 0.0200');
    expect(evaluateGates({ ...input, champion: scored(0.001) }).at(-1)).toMatchObject({ gate: 'beats_champion', passed: true });
    const beforeRefit = evaluateGates({ ...input, champion: { ...scored(0.001), seen: 0, newerOnly: true, beforeRefit: true } }).at(-1);
    expect(beforeRefit?.detail).toMatch(/^rmse 0\.491 vs champion v2 \(its fit before the refit\) 0\.500 on the 35 holdout examples newer than its training data: /);
    const relative = evaluateGates({ ...input, gates: { rmse: { minRelativeChange: 0.01 } }, champion: { ...scored(-1), interval: undefined } });
    expect(relative.map((g) => g.gate)).toEqual(['min_holdout', 'beats_baselines', 'min_relative_change']);
    expect(relative.at(-1)).toMatchObject({ passed: true });
  });
});

describe('metric formatting', () => {
  it('keeps three significant digits at any scale', () => {
    expect(formatMetric(0.491)).toBe('0.491');
    expect(formatMetric(0.5)).toBe('0.500');
    expect(formatMetric(94.3162)).toBe('94.3');
    expect(formatMetric(245.87)).toBe('246');
    expect(formatMetric(12_345.6)).toBe('12346');
    expect(formatMetric(0.000123456)).toBe('0.000123');
    expect(formatPercent(0.1416)).toBe('14 %');
    expect(formatPercent(0.0317)).toBe('3.2 %');
  });
});

describe('holdout spec', () => {
  const examples: Examples = {
    featureNames: ['a'],
    x: [[1], [2], [3], [4], [5]],
    y: [1, 2, 3, 4, 5],
    at: ['2018-11-01', '2018-12-01', '2019-01-01', '2019-02-01', '2019-03-01'].map((d) => `${d}T00:00:00.000Z`),
    row: [0, 1, 2, 3, 4],
  };
  const builtIn = JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, 'us-employment.json'), 'utf8')) as Record<string, unknown>;
  const evaluationErrors = (evaluation: unknown, extra: Record<string, unknown> = {}) => {
    const result = PipelineSpec.safeParse({ ...builtIn, ...extra, evaluation });
    return result.success ? '' : formatZodError(result.error);
  };

  it('holds out every example from a date on', () => {
    const { train, test } = splitHoldout(examples, { from: '2019-01-01' });
    expect(train.y).toEqual([1, 2]);
    expect(test.at[0]).toBe('2019-01-01T00:00:00.000Z');
    expect(test.row).toEqual([2, 3, 4]);
  });

  it('says when the date leaves nothing to hold out or too little to train', () => {
    expect(() => splitHoldout(examples, { from: '2020-01-01' })).toThrow(/no examples from 2020-01-01 on \(the newest is at 2019-03-01/);
    expect(() => splitHoldout(examples, { from: '2018-12-01' })).toThrow(/1 left to train, need at least 2/);
  });

  it('validates the holdout at load and names the field', () => {
    expect(evaluationErrors({ holdout: { from: '2019-13-01' } })).toBe('evaluation.holdout.from: an ISO date such as 2019-01-01');
    expect(evaluationErrors({ holdout: { fraction: 0.2, from: '2019-01-01' } })).toMatch(/^evaluation\.holdout: give either fraction/);
    expect(evaluationErrors({ holdout: { fraction: 1.5 } })).toMatch(/^evaluation\.holdout\.fraction: /);
    expect(evaluationErrors({ holdoutFraction: 0.2 })).toMatch(/evaluation: .*holdoutFraction/);
    expect(evaluationErrors({ minHoldout: 0 })).toMatch(/^evaluation\.minHoldout: /);
    expect(evaluationErrors({ season: 1.5 })).toMatch(/^evaluation\.season: /);
    expect(evaluationErrors({ holdout: { from: '2019-01-01' } }, { timeColumn: undefined, keyColumns: [], checks: {} })).toBe(
      'evaluation.holdout.from: a holdout by date needs a timeColumn',
    );
  });

  it('defaults to the newest 20 %, at least 30 held-out examples, a refit, and the baseline gate', () => {
    const spec = PipelineSpec.parse({ ...builtIn, evaluation: undefined, promotion: undefined });
    expect(spec.evaluation).toEqual({ holdout: { fraction: 0.2 }, minHoldout: 30, refit: true, primaryMetric: 'rmse' });
    expect(spec.promotion.beatBaselines).toBe(true);
  });
});
