import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binThresholds } from '../../lib/trainers/gradient-boosting/binning';
import { gradientBoostingTrainer, predictClassProbabilities, trainGradientBoostingClassifier } from '../../lib/trainers/gradient-boosting-trainer';
import { mulberry32 } from '../../lib/stats/mulberry32';

interface Reference {
  train: number;
  params: { max_iter: number; learning_rate: number; max_leaf_nodes: number; max_depth: number; min_samples_leaf: number; max_bins: number; l2_regularization: number };
  columns: (number | null)[][];
  regression: { y: number[]; thresholds: number[][]; predictions: number[]; rmse: number; meanBaselineRmse: number };
  classification: { name: string; labels: number[]; probabilities: number[][]; logLoss: number }[];
}

// Computed by scikit-learn's HistGradientBoosting, see test/fixtures/gradient-boosting/make-reference.py.
const reference = JSON.parse(readFileSync(new URL('../fixtures/gradient-boosting/reference.json', import.meta.url), 'utf8')) as Reference;
const columns = reference.columns.map((column) => Float64Array.from(column, (v) => v ?? Number.NaN));
const rows = columns[0]?.length ?? 0;
const { train } = reference;
const trainColumns = columns.map((column) => column.subarray(0, train));
const holdoutRows = rows - train;
const p = reference.params;
const params = { nEstimators: p.max_iter, learningRate: p.learning_rate, maxLeafNodes: p.max_leaf_nodes, maxDepth: p.max_depth, minSamplesLeaf: p.min_samples_leaf, maxBins: p.max_bins, l2Regularization: p.l2_regularization };
const rowsOf = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => columns.map((column) => column[from + i] as number));
const names = columns.map((_, j) => `x${j}`);

describe('gradient-boosted trees against scikit-learn', () => {
  it('bins each feature at the same thresholds (midpoints of few distinct values, percentiles of many; NaN apart)', () => {
    trainColumns.forEach((column, j) => {
      const ours = binThresholds(column, p.max_bins, null);
      const theirs = reference.regression.thresholds[j] as number[];
      expect(ours.length).toBe(theirs.length);
      ours.forEach((t, b) => expect(t).toBeCloseTo(theirs[b] as number, 12));
    });
  });

  it('learns a regression as scikit-learn does: the same holdout predictions, far better than the mean', () => {
    const model = gradientBoostingTrainer.train({ x: rowsOf(0, train), y: reference.regression.y.slice(0, train), featureNames: names }, params, () => undefined);
    const predicted = gradientBoostingTrainer.predict(model, rowsOf(train, rows)) as number[];
    predicted.forEach((value, i) => expect(value).toBeCloseTo(reference.regression.predictions[i] as number, 6));
    const rmse = Math.sqrt(predicted.reduce((sum, value, i) => sum + (value - (reference.regression.y[train + i] as number)) ** 2, 0) / holdoutRows);
    expect(rmse).toBeLessThan(reference.regression.meanBaselineRmse / 2);
    expect(Math.abs(rmse - reference.regression.rmse) / reference.regression.rmse).toBeLessThan(0.02);
  });

  it.each(reference.classification)('classifies ($name) with scikit-learn’s class probabilities and log loss', (expected) => {
    const classes = Math.max(...expected.labels) + 1;
    const data = { x: rowsOf(0, train), y: expected.labels.slice(0, train), featureNames: names };
    const model = trainGradientBoostingClassifier(data, classes, params, () => undefined);
    const probabilities = predictClassProbabilities(model, rowsOf(train, rows));
    let logLoss = 0;
    expected.probabilities.forEach((row, r) => {
      row.forEach((probability, k) => expect(probabilities[r]?.[k]).toBeCloseTo(probability, 6));
      logLoss -= Math.log(probabilities[r]?.[expected.labels[train + r] as number] as number);
    });
    expect(logLoss / holdoutRows).toBeCloseTo(expected.logLoss, 6);
    expect(() => gradientBoostingTrainer.predict(model, rowsOf(train, rows))).toThrow(/class probabilities/);
  });
});

describe('the gradient-boosting trainer', () => {
  const noisy = (seed: number, n: number) => {
    const random = mulberry32(seed);
    const x = Array.from({ length: n }, () => [random(), random(), random()]);
    return { x, y: x.map(() => random()), featureNames: ['a', 'b', 'c'] };
  };

  it('is deterministic for a seed, and its model is plain JSON that predicts the same after a round trip', () => {
    const data = noisy(1, 400);
    const settings = { nEstimators: 15, earlyStopping: true, seed: 5 };
    const first = gradientBoostingTrainer.train(data, settings, () => undefined);
    const second = gradientBoostingTrainer.train(data, settings, () => undefined);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
    const reloaded = JSON.parse(JSON.stringify(first)) as unknown;
    expect(gradientBoostingTrainer.predict(reloaded, data.x)).toEqual(gradientBoostingTrainer.predict(first, data.x));
    const otherSeed = gradientBoostingTrainer.train(data, { ...settings, seed: 6 }, () => undefined);
    expect(JSON.stringify(otherSeed)).not.toBe(JSON.stringify(first));
  });

  it('learns from rows with missing values and predicts finite values for rows of NaN and null', () => {
    const random = mulberry32(3);
    const x = Array.from({ length: 600 }, () => [random(), random()]);
    // The target depends on whether a is missing: only a split that sends NaN its own way can learn it.
    const y = x.map((row, i) => (i % 4 === 0 ? 10 : (row[1] as number)));
    x.forEach((row, i) => {
      if (i % 4 === 0) row[0] = Number.NaN;
    });
    const model = gradientBoostingTrainer.train({ x, y, featureNames: ['a', 'b'] }, { nEstimators: 30 }, () => undefined);
    const [missing, present, allMissing] = gradientBoostingTrainer.predict(model, [[Number.NaN, 0.5], [0.5, 0.5], [null as unknown as number, Number.NaN]]) as number[];
    expect(missing).toBeGreaterThan(8);
    expect(present).toBeLessThan(2);
    expect(Number.isFinite(allMissing)).toBe(true);
  });

  it('reports each tree with its metric, in rising fractions', () => {
    const messages: [number, string][] = [];
    gradientBoostingTrainer.train(noisy(2, 300), { nEstimators: 12, earlyStopping: false }, (fraction, message) => messages.push([fraction, message]));
    const trees = messages.filter(([, message]) => /^tree \d+ of 12, training rmse \d/.test(message));
    expect(trees.map(([, message]) => Number(/^tree (\d+)/.exec(message)?.[1]))).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const fractions = trees.map(([fraction]) => fraction);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.every((fraction) => fraction > 0 && fraction < 0.8 + 1e-9)).toBe(true);
  });

  it('stops early when the validation loss stops improving, and says so', () => {
    const messages: string[] = [];
    const model = gradientBoostingTrainer.train(noisy(4, 2000), { nEstimators: 500, earlyStopping: true, nIterNoChange: 5 }, (_, message) => messages.push(message)) as { rounds: number; stoppedEarly: boolean };
    expect(model.stoppedEarly).toBe(true);
    expect(model.rounds).toBeLessThan(500);
    expect(messages.filter((message) => /^tree \d+ of 500, validation rmse/.test(message))).toHaveLength(model.rounds);
    expect(messages.at(-1)).toMatch(/^stopped early after \d+ trees/);
  });

  it('predicts the mean with single-leaf trees when there is nothing to split: a constant target, too few rows', () => {
    const constant = gradientBoostingTrainer.train({ x: noisy(6, 100).x, y: Array<number>(100).fill(3), featureNames: ['a', 'b', 'c'] }, { nEstimators: 5 }, () => undefined);
    expect(gradientBoostingTrainer.predict(constant, [[0.5, 0.5, 0.5]])).toEqual([3]);
    const few = noisy(7, 30);
    const tiny = gradientBoostingTrainer.train(few, { nEstimators: 5, minSamplesLeaf: 20 }, () => undefined) as { trees: { feature: number[] }[] };
    expect(tiny.trees.every((tree) => tree.feature.length === 1)).toBe(true);
    const mean = few.y.reduce((sum, v) => sum + v, 0) / few.y.length;
    expect(gradientBoostingTrainer.predict(tiny, [[0.1, 0.2, 0.3]])[0]).toBeCloseTo(mean, 8);
  });

  it('refuses unknown or out-of-range parameters, naming them', () => {
    expect(() => gradientBoostingTrainer.train(noisy(5, 50), { nEstimator: 10 }, () => undefined)).toThrow(/nEstimator/);
    expect(() => gradientBoostingTrainer.train(noisy(5, 50), { maxBins: 256 }, () => undefined)).toThrow(/maxBins/);
  });
});
