import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { trainWithCommand } from '../../activities/training/command-trainer';
import { predictAnyWith } from '../../activities/training/predict';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { planTraining, trainWith } from '../../lib/model/model-artifact';
import { checkTargetDomain, inTargetUnits, labelsForModel } from '../../lib/model/target-transform';
import { BUILT_IN_PIPELINES_DIR } from '../../lib/spec/load-spec';
import { FeatureSpec, PipelineSpec } from '../../lib/spec/pipeline-spec';
import { BUILT_IN_TRAINERS } from '../../lib/trainers/built-in';
import type { Trainer } from '../../lib/trainers/trainer';

const base = JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, 'us-employment.json'), 'utf8')) as Record<string, unknown>;

function refusedAt(changes: Record<string, unknown>): string[] {
  const result = PipelineSpec.safeParse({ ...base, ...changes });
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

/** Houses: a skewed positive price, exponential in the size (a log-linear relation, as prices often are). */
function houses(count: number): { columns: ColumnSpecs; rows: Row[] } {
  const columns: ColumnSpecs = {
    size: { type: 'numeric', nullable: false },
    price: { type: 'numeric', nullable: false },
  };
  const rows: Row[] = Array.from({ length: count }, (_, i) => {
    const size = (i * 37) % 100 / 10;
    // A deterministic wobble in place of noise, so the fit is not exact.
    return { size, price: Math.exp(1 + 0.4 * size + 0.3 * Math.sin(i * 1.7)) };
  });
  return { columns, rows };
}

function houseSpec(changes: Record<string, unknown> = {}): PipelineSpec {
  const { columns } = houses(0);
  return PipelineSpec.parse({
    name: 'houses',
    source: { kind: 'file', path: 'houses.csv' },
    columns,
    kind: 'cross-sectional',
    target: 'price',
    targetTransform: 'log1p',
    features: { columns: ['size'] },
    model: { name: 'houses', trainer: 'ridge', params: { alpha: 0.001 } },
    evaluation: { holdout: { fraction: 0.25, seed: 2 }, refit: false },
    ...changes,
  });
}

describe('target transforms', () => {
  it('transforms labels forward and predictions back, each as Math computes it', () => {
    const values = [0, 3, 120.5];
    expect(labelsForModel({ targetTransform: 'log1p' }, values)).toEqual([Math.log1p(0), Math.log1p(3), Math.log1p(120.5)]);
    expect(labelsForModel({ targetTransform: 'log' }, [1, 3, 120.5])).toEqual([Math.log(1), Math.log(3), Math.log(120.5)]);
    expect(labelsForModel({ targetTransform: 'sqrt' }, values)).toEqual([0, Math.sqrt(3), Math.sqrt(120.5)]);
    expect(inTargetUnits({ targetTransform: 'log1p' }, [0, 1.5, 4])).toEqual([Math.expm1(0), Math.expm1(1.5), Math.expm1(4)]);
    expect(inTargetUnits({ targetTransform: 'log' }, [0, 1.5, 4])).toEqual([1, Math.exp(1.5), Math.exp(4)]);
    // A negative square root is below the target's domain: 0 is the nearest target.
    expect(inTargetUnits({ targetTransform: 'sqrt' }, [-0.5, 1.5, 4])).toEqual([0, 2.25, 16]);
    expect(inTargetUnits({}, [1.5])).toEqual([1.5]);
    // What is not a list of numbers passes through, for the prediction checks to name it.
    expect(inTargetUnits({ targetTransform: 'log' }, 'oops')).toBe('oops');
  });

  it('refuses labels outside the domain, naming the target and how many', () => {
    expect(() => checkTargetDomain('price', 'log', [3, 0, -2, 5])).toThrow('target "price": targetTransform "log" needs positive values; 2 of 4 labels are not (smallest -2)');
    expect(() => checkTargetDomain('price', 'log1p', [0, -0.5])).not.toThrow();
    expect(() => checkTargetDomain('price', 'sqrt', [-0.1])).toThrow(/1 of 1 labels/);
    const { columns, rows } = houses(40);
    rows[3] = { size: 1, price: -1 };
    expect(() => planTraining(frameOfRows(rows, columns), houseSpec())).toThrow(/target "price": targetTransform "log1p" needs values greater than −1; 1 of 40 labels/);
  });

  it('is refused on a classification target and when unknown, naming targetTransform', () => {
    expect(refusedAt({ targetTransform: 'log2' })).toEqual(['targetTransform']);
    const classes = {
      columns: { ...(base.columns as object), label: { type: 'categorical' } },
      target: 'label',
      features: { columns: ['private'] },
      evaluation: { holdout: { from: '2013-01-01' }, primaryMetric: 'accuracy' },
      promotion: {},
      model: { name: 'm', trainer: 'logistic' },
    };
    expect(refusedAt({ ...classes, targetTransform: 'log1p' })).toEqual(['targetTransform']);
    expect(refusedAt({ ...classes })).toEqual([]);
  });

  it('trains on log1p labels and reports the holdout RMSE in the target units', async () => {
    const { columns, rows } = houses(200);
    const planned = planTraining(frameOfRows(rows, columns), houseSpec());
    const ridge = BUILT_IN_TRAINERS.ridge;
    let seen: number[] = [];
    const watching: Trainer = { train: (data, params, progress) => ((seen = data.y), ridge.train(data, params, progress)), predict: ridge.predict };
    const result = await trainWith(watching, { kind: 'built-in', name: 'ridge' }, planned, { alpha: 0.001 }, () => undefined);
    // The trainer saw log1p of the labels …
    expect(seen).toEqual(planned.train.y.map(Math.log1p));
    // … and the RMSE is that of its back-transformed predictions against the prices, by hand.
    const raw = ridge.predict(result.evaluated.artifact.model, planned.test.x) as number[];
    const prices = planned.test.y;
    const squared = raw.map((p, i) => (Math.expm1(p) - (prices[i] as number)) ** 2);
    const rmse = Math.sqrt(squared.reduce((a, b) => a + b, 0) / squared.length);
    expect(result.metrics.rmse).toBeCloseTo(rmse, 10);
    const logRmse = Math.sqrt(raw.reduce((s, p, i) => s + (p - Math.log1p(prices[i] as number)) ** 2, 0) / raw.length);
    expect(result.metrics.rmse).toBeGreaterThan(10 * logRmse);
    // A stored version predicts in the target's units too.
    const stored = await predictAnyWith(result.artifact, planned.test.x, new AbortController().signal);
    expect(stored).toEqual(raw.map(Math.expm1));
    expect(result.artifact.plan.targetTransform).toBe('log1p');
  });

  it('gives a command trainer log1p labels in train.csv and scores its predictions back in the target units', async () => {
    const { columns, rows } = houses(80);
    const planned = planTraining(frameOfRows(rows, columns), houseSpec({ model: { name: 'houses', trainer: { command: ['python3', MEAN_TRAINER] } } }));
    const ref = { kind: 'command' as const, command: ['python3', MEAN_TRAINER], cwd: '.', env: [] };
    const result = await trainWithCommand(ref, planned, { shrink: 1 }, { onProgress: () => undefined, signal: new AbortController().signal });
    // The mean trainer predicts the mean of the labels it read: on the log1p scale, back as expm1 of it.
    const logMean = planned.train.y.reduce((sum, y) => sum + Math.log1p(y), 0) / planned.train.y.length;
    const squared = planned.test.y.map((y) => (Math.expm1(logMean) - y) ** 2);
    expect(result.metrics.rmse).toBeCloseTo(Math.sqrt(squared.reduce((a, b) => a + b, 0) / squared.length), 6);
    const stored = await predictAnyWith(result.artifact, planned.test.x.slice(0, 2), new AbortController().signal);
    expect(stored[0]).toBeCloseTo(Math.expm1(logMean), 9);
  });
});

interface Reference {
  features: string[];
  alpha: number;
  train: { x: number[][]; y: number[] };
  test: { x: number[][]; y: number[] };
  predictions: number[];
  rmse: number;
  rmseWithoutTransform: number;
  rmseOfTrainingMean: number;
}

// scikit-learn's TransformedTargetRegressor (StandardScaler + Ridge on log1p, expm1 back): test/fixtures/make-target-transform-reference.py.
const reference = JSON.parse(readFileSync(new URL('../fixtures/target-transform-reference.json', import.meta.url), 'utf8')) as Reference;

describe('target transform against scikit-learn', () => {
  it('predicts penguin body mass as TransformedTargetRegressor does, RMSE in grams', async () => {
    const examples = (part: { x: number[][]; y: number[] }, offset: number) => ({
      featureNames: reference.features,
      x: part.x,
      y: part.y,
      at: part.y.map((_, i) => String(offset + i).padStart(10, '0')),
      row: part.y.map((_, i) => offset + i),
    });
    const plan = { target: 'Body Mass (g)', horizon: 0, features: FeatureSpec.parse({ columns: reference.features }), categories: {}, targetTransform: 'log1p' as const };
    const planned = { plan, train: examples(reference.train, 0), test: examples(reference.test, reference.train.y.length), refit: false };
    const result = await trainWith(BUILT_IN_TRAINERS.ridge, { kind: 'built-in', name: 'ridge' }, planned, { alpha: reference.alpha }, () => undefined);
    const predicted = await predictAnyWith(result.artifact, reference.test.x, new AbortController().signal);
    (predicted as number[]).forEach((p, i) => expect(p).toBeCloseTo(reference.predictions[i] as number, 6));
    expect(result.metrics.rmse).toBeCloseTo(reference.rmse, 6);
    console.info(`penguins ridge on log1p: rmse ${result.metrics.rmse?.toFixed(2)} g (scikit-learn ${reference.rmse.toFixed(2)}; without the transform ${reference.rmseWithoutTransform.toFixed(2)}; training mean ${reference.rmseOfTrainingMean.toFixed(2)})`);
  });
});

const MEAN_TRAINER = fileURLToPath(new URL('../fixtures/trainers/mean_trainer.py', import.meta.url));
