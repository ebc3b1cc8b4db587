import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { frameOfRows } from '../../lib/data/columns/frame';
import { classBaselines, classPrior } from '../../lib/evaluation/class-baselines';
import { learnClasses, targetNumbers } from '../../lib/model/classes';
import { classificationMetrics, confusionMatrix, higherIsBetter, improvement, perClassScores, predictedClasses } from '../../lib/model/metrics';
import { checkProbabilities, probabilityProblem } from '../../lib/model/model-artifact';
import { classifyOutcome } from '../../lib/model-tests/classify';
import { BUILT_IN_TRAINERS } from '../../lib/trainers/built-in';
import { accuracyDecay } from '../../lib/drift/accuracy-decay';
import { fitLogistic, LogisticParams, predictLogistic } from '../../lib/trainers/logistic-trainer';

interface MetricsCase {
  name: string;
  labels: number[];
  probabilities: number[][];
  metrics: Record<string, number>;
}
interface LogisticCase {
  classes: number;
  alpha: number;
  x: number[][];
  y: number[];
  xNew: number[][];
  probabilities: number[][];
}
const fixture = <T>(file: string) => JSON.parse(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')) as { cases: T[] };
const metricsReference = fixture<MetricsCase>('classification-metrics-reference.json');
const logisticReference = fixture<LogisticCase>('logistic-reference.json');

describe('classification metrics against scikit-learn', () => {
  for (const reference of metricsReference.cases) {
    it(reference.name, () => {
      const metrics = classificationMetrics(reference.labels, reference.probabilities);
      for (const [metric, value] of Object.entries(reference.metrics)) expect(metrics[metric as keyof typeof metrics], metric).toBeCloseTo(value, 10);
    });
  }

  it('rise for accuracy-like scores and fall for losses', () => {
    expect(['accuracy', 'balanced_accuracy', 'f1_macro', 'roc_auc'].every((m) => higherIsBetter(m as never))).toBe(true);
    expect(['log_loss', 'brier'].some((m) => higherIsBetter(m as never))).toBe(false);
    expect(improvement('log_loss', 0.4, 0.5)).toBeGreaterThan(0);
    expect(improvement('accuracy', 0.9, 0.8)).toBeGreaterThan(0);
  });

  it('counts a confusion matrix whose rows sum to each class support', () => {
    const { labels, probabilities } = metricsReference.cases[1] as MetricsCase;
    const counts = confusionMatrix(labels, predictedClasses(probabilities), 3);
    const scores = perClassScores(counts);
    scores.forEach((s, k) => expect(s.support).toBe(labels.filter((l) => l === k).length));
    expect(counts.flat().reduce((a, b) => a + b, 0)).toBe(labels.length);
  });
});

describe('logistic regression against scikit-learn', () => {
  for (const reference of logisticReference.cases) {
    it(`${reference.classes} classes, alpha ${reference.alpha}`, () => {
      const featureNames = ['a', 'b', 'c', 'd'];
      const model = fitLogistic({ x: reference.x, y: reference.y, featureNames }, reference.classes, LogisticParams.parse({ alpha: reference.alpha, tolerance: 1e-9 }));
      const probabilities = predictLogistic(model, reference.xNew);
      probabilities.forEach((row, r) => row.forEach((p, k) => expect(p).toBeCloseTo((reference.probabilities[r] as number[])[k] as number, 7)));
    });
  }

  it('refuses a regression target', () => {
    expect(() => BUILT_IN_TRAINERS.logistic.train({ x: [[1]], y: [1], featureNames: ['a'] }, {}, () => undefined)).toThrow(/classifies/);
    expect(() => BUILT_IN_TRAINERS.ridge.train({ x: [[1]], y: [1], featureNames: ['a'], classes: ['x', 'y'] }, {}, () => undefined)).toThrow(/regressor/);
  });

  it('gradient boosting on classes predicts rows of probabilities', async () => {
    const { x, y } = logisticReference.cases[3] as LogisticCase;
    const trainer = BUILT_IN_TRAINERS['gradient-boosting'];
    const model = await trainer.train({ x, y, featureNames: ['a', 'b', 'c', 'd'], classes: ['p', 'q', 'r'] }, { nEstimators: 5 }, () => undefined);
    const predictions = await trainer.predict(model, x.slice(0, 10));
    expect(() => checkProbabilities(predictions, 10, 3)).not.toThrow();
  });
});

describe('classes and baselines', () => {
  it('learns sorted classes and codes unseen or missing labels as NaN', () => {
    const rows = [{ w: 'sun' }, { w: 'rain' }, { w: null }, { w: 'sun' }];
    const frame = frameOfRows(rows, { w: { type: 'categorical', nullable: true } });
    const classes = learnClasses(frame, 'w', 'categorical');
    expect(classes).toEqual({ of: 'labels', values: ['rain', 'sun'] });
    const later = frameOfRows([{ w: 'snow' }, { w: 'rain' }], { w: { type: 'categorical', nullable: true } });
    expect(Array.from(targetNumbers(later, { target: 'w', classes }))).toEqual([Number.NaN, 0]);
  });

  it('the majority baseline predicts the most frequent training class, the prior its frequencies', () => {
    const train = [0, 2, 2, 1, 2];
    const [majority, prior] = classBaselines(train, 3, 2);
    expect(majority?.probabilities[0]).toEqual([0, 0, 1]);
    expect(prior?.probabilities[1]).toEqual(classPrior(train, 3));
    expect(classPrior(train, 3).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });
});

describe('garbage-test outcomes of a classifier', () => {
  it('passes rows of probabilities and fails NaN, out-of-range or rows not summing to 1', () => {
    expect(classifyOutcome('ok', { predictions: [[0.2, 0.8]] }, 2).passed).toBe(true);
    expect(classifyOutcome('nan', { predictions: [[Number.NaN, 1]] }, 2).passed).toBe(false);
    expect(classifyOutcome('sum', { predictions: [[0.5, 0.6]] }, 2).passed).toBe(false);
    expect(classifyOutcome('width', { predictions: [[1]] }, 2).passed).toBe(false);
    expect(probabilityProblem([1.2, -0.2], 2)).toMatch(/outside/);
  });
});

describe('accuracy decay of a classifier', () => {
  const { labels, probabilities } = metricsReference.cases[1] as MetricsCase;
  const promoted = classificationMetrics(labels, probabilities).log_loss as number;
  const options = { metric: 'log_loss' as const, maxIncrease: 0.25, minExamples: 30, window: 300 };

  it('measures log loss on class probabilities and sees no decay on the data it was promoted on', () => {
    const decay = accuracyDecay(promoted, labels, probabilities, options);
    expect(decay.current).toBeCloseTo(promoted, 12);
    expect(decay.decayed).toBe(false);
  });

  it('decays when the probabilities stop knowing the labels', () => {
    const shuffled = probabilities.map((_, i) => probabilities[(i * 7 + 3) % probabilities.length] as number[]);
    expect(accuracyDecay(promoted, labels, shuffled, options).decayed).toBe(true);
  });
});
