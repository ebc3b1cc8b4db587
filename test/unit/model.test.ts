import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ColumnSpec } from '../../lib/data/column-spec';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { buildExamples, learnCategories, type FeaturePlan } from '../../lib/model/features';
import { splitHoldout } from '../../lib/evaluation/holdout';
import { improvement, regressionMetrics } from '../../lib/model/metrics';
import { fitRidge, predictRidge } from '../../lib/model/ridge';

interface Reference {
  x: number[][];
  y: number[];
  cases: { alpha: number; coefficients: number[]; intercept: number; predictions: number[]; metrics: { mae: number; rmse: number; r2: number; smape: number } }[];
}

// Computed by scikit-learn (StandardScaler + Ridge), see test/fixtures/make-model-reference.py.
const reference = JSON.parse(readFileSync(new URL('../fixtures/model-reference.json', import.meta.url), 'utf8')) as Reference;

describe('ridge regression against scikit-learn', () => {
  it.each(reference.cases)('alpha $alpha gives the same coefficients, predictions and metrics', (expected) => {
    const model = fitRidge(reference.x, reference.y, expected.alpha, ['a', 'b', 'c']);
    model.coefficients.forEach((c, j) => expect(c).toBeCloseTo(expected.coefficients[j] as number, 8));
    expect(model.intercept).toBeCloseTo(expected.intercept, 8);
    const predicted = predictRidge(model, reference.x);
    predicted.forEach((p, i) => expect(p).toBeCloseTo(expected.predictions[i] as number, 8));
    const metrics = regressionMetrics(reference.y, predicted);
    expect(metrics.mae).toBeCloseTo(expected.metrics.mae, 8);
    expect(metrics.rmse).toBeCloseTo(expected.metrics.rmse, 8);
    expect(metrics.r2).toBeCloseTo(expected.metrics.r2, 8);
    expect(metrics.smape).toBeCloseTo(expected.metrics.smape, 8);
  });

  it('keeps a constant column finite instead of dividing by a zero deviation', () => {
    const x = [[1, 5], [2, 5], [3, 5], [4, 5]];
    const model = fitRidge(x, [2, 4, 6, 8], 0.01, ['a', 'constant']);
    expect(predictRidge(model, [[5, 5]])[0]).toBeCloseTo(10, 1);
    expect(model.coefficients.every(Number.isFinite)).toBe(true);
  });
});

describe('metrics', () => {
  it('scores a perfect prediction as zero error and R² 1', () => {
    expect(regressionMetrics([1, 2, 3], [1, 2, 3])).toEqual({ mae: 0, rmse: 0, r2: 1, smape: 0 });
  });

  it('keeps sMAPE finite when actual values are zero', () => {
    // |0 − 0| counts as no error; |0 − 2| is the maximum 200 %: mean 100 %.
    expect(regressionMetrics([0, 0], [0, 2]).smape).toBe(100);
  });

  it('refuses arrays of different length', () => {
    expect(() => regressionMetrics([1, 2], [1])).toThrow(/equal, non-empty/);
  });

  it('counts an improvement as positive whichever direction the metric runs', () => {
    expect(improvement('rmse', 8, 10)).toBe(2);
    expect(improvement('r2', 0.9, 0.7)).toBeCloseTo(0.2);
  });
});

describe('time-series features', () => {
  const rows = [5, 1, 2, 3, 4, 6].map((v, i) => ({ t: `2020-0${i + 1}-01T00:00:00.000Z`, y: v * 10, other: v }));
  const columns = Object.fromEntries(
    Object.entries({ t: 'timestamp', y: 'numeric', other: 'numeric', region: 'categorical' }).map(([name, type]) => [name, ColumnSpec.parse({ type })]),
  );
  const frame = (some: Row[]) => frameOfRows(some, columns);
  const month = (m: number) => `2020-0${m}-01T00:00:00.000Z`;
  // Shuffled on purpose: the examples must follow the time column, not the file order.
  const shuffled = [rows[3], rows[0], rows[5], rows[1], rows[4], rows[2]] as typeof rows;
  const plan: FeaturePlan = {
    target: 'y',
    timeColumn: 't',
    horizon: 1,
    features: { columns: ['other'], categorical: [], targetLags: [1], targetRollingMeans: [2], interactions: [] },
    categories: {},
  };

  it('builds lags, rolling means and the next-step label in time order', () => {
    const examples = buildExamples(frame(shuffled), plan);
    expect(examples.featureNames).toEqual(['other', 'target_lag_1', 'target_rolling_mean_2']);
    expect(examples.at).toEqual([2, 3, 4, 5].map(month));
    expect(examples.x[0]).toEqual([1, 50, 30]);
    expect(examples.y).toEqual([20, 30, 40, 60]);
  });

  it('holds out the most recent examples', () => {
    const { train, test } = splitHoldout(buildExamples(frame(rows), plan), { fraction: 0.25 });
    expect(train.at).toEqual([2, 3, 4].map(month));
    expect(test.at).toEqual([month(5)]);
  });

  it('one-hot encodes categoricals with the learned vocabulary and multiplies interaction pairs', () => {
    const withCategory = rows.map((row, i) => ({ ...row, region: i % 2 === 0 ? 'north' : 'south' }));
    const features = { ...plan.features, categorical: ['region'], interactions: [['other', 'region=south']] as [string, string][] };
    const categories = learnCategories(frame(withCategory), features);
    expect(categories).toEqual({ region: ['north', 'south'] });
    const examples = buildExamples(frame(withCategory), { ...plan, features, categories });
    expect(examples.featureNames).toEqual(['other', 'region=north', 'region=south', 'target_lag_1', 'target_rolling_mean_2', 'other*region=south']);
    // Row 2020-02 (index 1) is "south" with other = 1.
    expect(examples.x[0]).toEqual([1, 0, 1, 50, 30, 1]);
    const unseen = buildExamples(frame(withCategory.map((row) => ({ ...row, region: 'east' }))), { ...plan, features, categories });
    expect(unseen.x[0]?.slice(1, 3)).toEqual([0, 0]);
  });

  it('refuses a holdout that leaves fewer than two training examples', () => {
    expect(() => splitHoldout(buildExamples(frame(rows.slice(0, 3)), plan), { fraction: 0.5 })).toThrow(/too few examples/);
  });
});
