import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameOfRows } from '../../lib/data/columns/frame';
import { resolveSourcePath } from '../../lib/data/sources/resolve-source';
import type { Row } from '../../lib/data/typed-row';
import { naiveForecasts, scoreBaselines, summarizeBaselines } from '../../lib/evaluation/baselines';
import { evaluateGates } from '../../lib/evaluation/gates';
import { targetSeries } from '../../lib/model/features';
import type { Metrics } from '../../lib/model/metrics';
import { planTraining, trainWith, type TrainerRef } from '../../lib/model/model-artifact';
import type { RidgeModel } from '../../lib/model/ridge';
import { BUILT_IN_PIPELINES_DIR } from '../../lib/spec/load-spec';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { ridgeTrainer } from '../../lib/trainers/ridge-trainer';

interface Fit {
  coefficients: number[];
  intercept: number;
}
interface Reference {
  trainExamples: number;
  holdoutExamples: number;
  holdoutStart: string;
  candidate: Metrics;
  baselines: Record<'last-value' | 'seasonal-naive' | 'mean', Metrics>;
  evaluated: Fit;
  refit: Fit & { examples: number };
}

// Computed by scikit-learn on the bundled pipeline's own spec and data, see test/fixtures/make-us-employment-reference.py.
const reference = JSON.parse(readFileSync(new URL('../fixtures/us-employment-reference.json', import.meta.url), 'utf8')) as Reference;
const spec = PipelineSpec.parse(JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, 'us-employment.json'), 'utf8')));
const RIDGE: TrainerRef = { kind: 'built-in', name: 'ridge' };

/** The CSV as ingest types it: canonical UTC timestamps, numbers. */
function employmentRows(): Row[] {
  if (spec.source.kind !== 'package-file') throw new Error('the bundled pipeline reads a package file');
  const [header, ...lines] = readFileSync(resolveSourcePath(spec.source, BUILT_IN_PIPELINES_DIR), 'utf8').trim().split('\n');
  const names = (header as string).split(',');
  return lines.map((line) =>
    Object.fromEntries(line.split(',').map((cell, i) => [names[i], names[i] === 'month' ? `${cell}T00:00:00.000Z` : Number(cell)])),
  );
}

const expectFit = (model: RidgeModel, fit: Fit) => {
  model.coefficients.forEach((c, j) => expect(c).toBeCloseTo(fit.coefficients[j] as number, 8));
  expect(model.intercept).toBeCloseTo(fit.intercept, 8);
};

const expectMetrics = (actual: Metrics, expected: Metrics) => {
  for (const metric of ['mae', 'rmse', 'r2', 'smape'] as const) expect(actual[metric], metric).toBeCloseTo(expected[metric] as number, 8);
};

describe('refit after scoring, on the bundled us-employment pipeline', () => {
  const rows = employmentRows();
  const planned = planTraining(frameOfRows(rows, spec.columns), spec);

  it('holds out every month from 2013 on: enough examples to decide', () => {
    expect(planned.train.y).toHaveLength(reference.trainExamples);
    expect(planned.test.y).toHaveLength(reference.holdoutExamples);
    expect(planned.test.at[0]).toBe(`${reference.holdoutStart}T00:00:00.000Z`);
    expect(reference.holdoutExamples).toBeGreaterThanOrEqual(spec.evaluation.minHoldout);
  });

  it('scores the fit on the older examples, then registers a ridge refitted on all of them, holdout included', async () => {
    const messages: string[] = [];
    const result = await trainWith(ridgeTrainer, RIDGE, planned, spec.model.params, (_, message) => messages.push(message));
    expectMetrics(result.metrics, reference.candidate);
    expectFit(result.evaluated.artifact.model as RidgeModel, reference.evaluated);
    expectFit(result.artifact.model as RidgeModel, reference.refit);
    expect(result.evaluated.fit).toEqual({ examples: reference.trainExamples, from: planned.train.at[0], to: planned.train.at.at(-1) });
    expect(result.refit).toEqual({ examples: reference.refit.examples, from: planned.train.at[0], to: planned.test.at.at(-1) });
    expect(messages).toContain(`refitting on all ${reference.refit.examples} examples (holdout included)`);
  });

  it('registers the fit that was scored when refit is off', async () => {
    const result = await trainWith(ridgeTrainer, RIDGE, { ...planned, refit: false }, spec.model.params, () => undefined);
    expect(result.refit).toBeUndefined();
    expect(result.artifact).toBe(result.evaluated.artifact);
    expectFit(result.artifact.model as RidgeModel, reference.evaluated);
  });

  it('scores last value, seasonal naive and the training mean as scikit-learn does, and the model beats the best', () => {
    const forecasts = naiveForecasts({
      target: targetSeries(frameOfRows(rows, spec.columns), planned.plan),
      rows: planned.test.row,
      horizon: spec.horizon,
      season: spec.evaluation.season,
      trainingLabels: planned.train.y,
      timeSeries: true,
    });
    const scores = scoreBaselines(planned.test.y, forecasts);
    expect(scores.map((s) => s.name)).toEqual(['last-value', 'seasonal-naive', 'mean']);
    for (const score of scores) expectMetrics(score.metrics, reference.baselines[score.name as keyof Reference['baselines']]);

    const summary = summarizeBaselines('rmse', reference.candidate, scores);
    expect(summary.best).toBe('last-value');
    expect(summary.skill).toBeGreaterThan(0.1);
    // With the default gates, the demo's first version is promoted.
    const gates = evaluateGates({
      primaryMetric: 'rmse',
      gates: spec.promotion.gates,
      minHoldout: spec.evaluation.minHoldout,
      beatBaselines: spec.promotion.beatBaselines,
      candidate: reference.candidate,
      holdoutExamples: reference.holdoutExamples,
      baselines: summary,
    });
    expect(gates.every((g) => g.passed)).toBe(true);
  });
});
