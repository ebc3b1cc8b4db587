import path from 'node:path';
import type { Row } from '../data/typed-row';
import { DriftlineError } from '../errors';
import type { PipelineSpec, TrainerSpec } from '../spec/pipeline-spec';
import type { BuiltInTrainerName } from '../trainers/built-in';
import type { ReportProgress, Trainer } from '../trainers/trainer';
import { baseFeatureNames, buildExamples, learnCategories, type Examples, type FeaturePlan } from './features';
import { rollingOriginBacktest, type BacktestFold } from './backtest';
import { timeHoldout } from './holdout';
import { regressionMetrics, type Metrics } from './metrics';

/** Which code trains and predicts, resolved to absolute paths so a stored artifact stays usable. */
export type TrainerRef =
  | { kind: 'built-in'; name: BuiltInTrainerName }
  | { kind: 'module'; path: string }
  | { kind: 'command'; command: string[]; cwd: string };

/** Everything needed to predict again later: how to build the features, who predicts, and the fitted model. */
export interface ModelArtifact {
  plan: FeaturePlan;
  trainer: TrainerRef;
  model: unknown;
}

export interface TrainingResult {
  artifact: ModelArtifact;
  /** Scores on the time-based holdout. */
  metrics: Metrics;
  trainExamples: number;
  testExamples: number;
  /** The time of the first holdout example: the champion is scored from the same point. */
  holdoutStart: string;
  /** Rolling-origin folds, newest first; empty for command trainers (retraining them per fold is the team's call). */
  backtest: BacktestFold[];
}

export interface PlannedTraining {
  plan: FeaturePlan;
  train: Examples;
  test: Examples;
}

export function resolveTrainer(trainer: TrainerSpec, specDir: string): TrainerRef {
  if (typeof trainer === 'string') return { kind: 'built-in', name: trainer };
  if ('module' in trainer) return { kind: 'module', path: path.resolve(specDir, trainer.module) };
  return { kind: 'command', command: trainer.command, cwd: specDir };
}

/** Learns the feature plan from the rows, builds the examples and splits off the most recent ones. */
export function planTraining(rows: Row[], spec: PipelineSpec): PlannedTraining {
  const plan: FeaturePlan = {
    target: spec.target,
    timeColumn: spec.timeColumn,
    horizon: spec.horizon,
    features: spec.features,
    categories: learnCategories(rows, spec.features),
  };
  const known = baseFeatureNames(plan);
  for (const name of spec.features.interactions.flat()) {
    if (!known.includes(name)) {
      throw new DriftlineError('InvalidInput', `features.interactions: "${name}" is not a feature (known: ${known.join(', ')})`);
    }
  }
  const examples = buildExamples(rows, plan);
  try {
    return { plan, ...timeHoldout(examples, spec.evaluation.holdoutFraction) };
  } catch (error) {
    throw new DriftlineError('DataValidationFailed', (error as Error).message);
  }
}

/** Trains with an in-process trainer (built-in or module) and scores it on the holdout. */
export async function trainWith(
  trainer: Trainer,
  ref: TrainerRef,
  planned: PlannedTraining,
  params: Record<string, unknown>,
  progress: ReportProgress,
): Promise<TrainingResult> {
  const { plan, train, test } = planned;
  const model = await trainer.train({ x: train.x, y: train.y, featureNames: train.featureNames }, params, progress);
  progress(0.8, `scoring on ${test.y.length} holdout examples`);
  const result = resultOf({ plan, trainer: ref, model }, planned, await trainer.predict(model, test.x));
  progress(0.9, 'backtesting from earlier origins');
  const all = concatExamples(train, test);
  return { ...result, backtest: await rollingOriginBacktest(trainer, all, test.y.length, params) };
}

function concatExamples(a: Examples, b: Examples): Examples {
  return { featureNames: a.featureNames, x: [...a.x, ...b.x], y: [...a.y, ...b.y], at: [...a.at, ...b.at] };
}

/** Checks the holdout predictions and packs the result every trainer kind returns. */
export function resultOf(artifact: ModelArtifact, planned: PlannedTraining, predictions: number[]): TrainingResult {
  const { train, test } = planned;
  checkPredictions(predictions, test.y.length);
  return {
    artifact,
    metrics: regressionMetrics(test.y, predictions),
    trainExamples: train.y.length,
    testExamples: test.y.length,
    holdoutStart: test.at[0] as string,
    backtest: [],
  };
}

/** The examples at or after `holdoutStart`, built with a stored model's own feature plan. */
export function holdoutExamples(artifact: ModelArtifact, rows: Row[], holdoutStart: string): { x: number[][]; y: number[] } {
  const examples = buildExamples(rows, artifact.plan);
  const keep = examples.at.map((at) => at >= holdoutStart);
  return { x: examples.x.filter((_, i) => keep[i]), y: examples.y.filter((_, i) => keep[i]) };
}

/** A trainer that returns the wrong number of predictions, or NaN, is broken: no retry fixes it. */
export function checkPredictions(predictions: unknown, expected: number): asserts predictions is number[] {
  if (!Array.isArray(predictions) || predictions.length !== expected) {
    throw new DriftlineError('TrainingFailed', `predict returned ${Array.isArray(predictions) ? predictions.length : typeof predictions} values for ${expected} rows`);
  }
  const bad = predictions.findIndex((p) => typeof p !== 'number' || !Number.isFinite(p));
  if (bad >= 0) throw new DriftlineError('TrainingFailed', `predict returned a non-finite value (${String(predictions[bad])}) at row ${bad}`);
}
