import path from 'node:path';
import type { Frame } from '../data/columns/frame';
import { DriftlineError } from '../errors';
import { taskOf, type PipelineSpec, type TrainerSpec } from '../spec/pipeline-spec';
import type { BuiltInTrainerName } from '../trainers/built-in';
import type { ReportProgress, Trainer } from '../trainers/trainer';
import { baseFeatureNames, buildExamples, fitTransforms, groupCounts, groupNames, learnCategories, transformsToFit, type Examples, type FeaturePlan } from './features';
import { rollingOriginBacktest, type BacktestFold } from './backtest';
import { columnKey, randomKey, splitHoldout } from '../evaluation/holdout';
import { learnClasses } from './classes';
import { checkTargetDomain, inTargetUnitsTrainer } from './target-transform';
import { classificationMetrics, regressionMetrics, type Metrics } from './metrics';

/** Which code trains and predicts, resolved to absolute paths so a stored artifact stays usable. */
export type TrainerRef =
  | { kind: 'built-in'; name: BuiltInTrainerName }
  | { kind: 'module'; path: string }
  | { kind: 'command'; command: string[]; cwd: string; env?: string[] };

/** Everything needed to predict again later: how to build the features, who predicts, and the fitted model. */
export interface ModelArtifact {
  plan: FeaturePlan;
  trainer: TrainerRef;
  model: unknown;
}

/** Which examples one fit learned from: how many, and the times of the first and last. */
export interface ModelFit {
  examples: number;
  from: string;
  to: string;
}

export interface TrainingResult {
  /** The version to register: refitted on every example, holdout included, unless `evaluation.refit` is false. */
  artifact: ModelArtifact;
  /** The fit that was scored, trained on the examples before the holdout only: the candidate's evaluation uses it. */
  evaluated: { artifact: ModelArtifact; fit: ModelFit };
  /** What the refit learned from; absent when the evaluated fit is the version. */
  refit?: ModelFit;
  /** Scores of the evaluated fit on the time-based holdout. */
  metrics: Metrics;
  trainExamples: number;
  testExamples: number;
  /** The time of the first holdout example (or a random split's key): the champion is scored on the same examples. */
  holdoutStart: string;
  /** Groups (of `groupBy`) with too little history for a single example: reported, since none of their rows is learned from. */
  shortGroups?: ShortGroup[];
  /** With `groupBy`: the evaluated fit's holdout scores per group, so a model good on average but poor for one group shows it. */
  groupMetrics?: GroupMetrics[];
  /** Rolling-origin folds, newest first; empty for command trainers (retraining them per fold is the team's call). */
  backtest: BacktestFold[];
}

export interface PlannedTraining {
  plan: FeaturePlan;
  train: Examples;
  test: Examples;
  /** Refit on train + test once scored. */
  refit: boolean;
  /** Set for a random split or one by column: what the evaluation splits by (see `splitFrom`); otherwise the holdout's first time. */
  holdoutKey?: string;
  shortGroups?: ShortGroup[];
  /** With `groupBy`: the group of each holdout example. */
  testGroups?: string[];
}

export interface GroupMetrics {
  group: string;
  examples: number;
  metrics: Metrics;
}

export interface ShortGroup {
  group: string;
  rows: number;
}

export function resolveTrainer(trainer: TrainerSpec, specDir: string): TrainerRef {
  if (typeof trainer === 'string') return { kind: 'built-in', name: trainer };
  if ('module' in trainer) return { kind: 'module', path: path.resolve(specDir, trainer.module) };
  return { kind: 'command', command: trainer.command, cwd: specDir, env: trainer.env ?? [] };
}

/** Learns the feature plan from the rows, builds the examples and splits off the most recent ones as the holdout. */
export function planTraining(frame: Frame, spec: PipelineSpec): PlannedTraining {
  const crossSectional = spec.kind === 'cross-sectional';
  let plan: FeaturePlan = {
    target: spec.target,
    timeColumn: spec.timeColumn,
    // Cross-sectional: the label is the row's own target.
    horizon: crossSectional ? 0 : spec.horizon,
    ...(spec.groupBy.length > 0 ? { groupBy: spec.groupBy } : {}),
    features: spec.features,
    categories: learnCategories(frame, spec.features),
    ...(taskOf(spec) === 'classification' ? { classes: classesOf(frame, spec) } : {}),
    ...(spec.targetTransform ? { targetTransform: spec.targetTransform } : {}),
    ...transformsToFit(spec.features),
  };
  const known = baseFeatureNames(plan);
  for (const name of spec.features.interactions.flat()) {
    if (!known.includes(name)) {
      throw new DriftlineError('InvalidInput', `features.interactions: "${name}" is not a feature (known: ${known.join(', ')})`);
    }
  }
  const examples = buildExamples(frame, plan);
  checkTargetDomain(spec.target, plan.targetTransform, examples.y);
  const { holdout } = spec.evaluation;
  const random = crossSectional && holdout.fraction !== undefined;
  const shortGroups = groupCounts(frame, plan, examples).flatMap(({ group, rows, examples: n }) => (n === 0 ? [{ group, rows }] : []));
  const groupOfRow = groupNames(frame, plan);
  try {
    let split = splitHoldout(examples, holdout, random, { frame, plan });
    // What transforms learn from data (z-scores) they learn from the training rows only; the same rows are then rebuilt with it.
    if (plan.fitted !== undefined) {
      plan = fitTransforms(frame, plan, split.train.row);
      split = splitHoldout(buildExamples(frame, plan), holdout, random, { frame, plan });
    }
    return {
      plan,
      ...split,
      refit: spec.evaluation.refit,
      ...(random ? { holdoutKey: randomKey(holdout.fraction as number, holdout.seed ?? 0) } : {}),
      ...(holdout.column !== undefined ? { holdoutKey: columnKey(holdout.column, holdout.value as string) } : {}),
      ...(shortGroups.length > 0 ? { shortGroups } : {}),
      ...(groupOfRow ? { testGroups: split.test.row.map((row) => groupOfRow[row] as string) } : {}),
    };
  } catch (error) {
    throw new DriftlineError('DataValidationFailed', (error as Error).message);
  }
}

/** The target's classes in the rows; fewer than two leave nothing to tell apart. */
function classesOf(frame: Frame, spec: PipelineSpec) {
  const classes = learnClasses(frame, spec.target, spec.columns[spec.target]?.type ?? 'categorical');
  if (classes.values.length < 2) {
    throw new DriftlineError('DataValidationFailed', `target "${spec.target}": a classifier needs at least two classes, the rows have ${classes.values.length} (${classes.values.join(', ')})`);
  }
  return classes;
}

/**
 * Trains with an in-process trainer (built-in or module) on the older examples, scores it on the
 * holdout and backtests it; then, unless refit is off, fits the version to register on all examples.
 */
export async function trainWith(
  given: Trainer,
  ref: TrainerRef,
  planned: PlannedTraining,
  params: Record<string, unknown>,
  progress: ReportProgress,
): Promise<TrainingResult> {
  const { plan, train, test } = planned;
  // The one place an in-process trainer meets labels: fit, holdout and backtests all go through it.
  const trainer = inTargetUnitsTrainer(given, plan);
  const classes = plan.classes?.values;
  const fit = (examples: Examples) => trainer.train({ x: examples.x, y: examples.y, featureNames: examples.featureNames, ...(classes ? { classes } : {}) }, params, progress);
  const model = await fit(train);
  progress(0.8, `scoring on ${test.y.length} holdout examples`);
  const result = resultOf({ plan, trainer: ref, model }, planned, await trainer.predict(model, test.x));
  const all = allExamples(planned);
  // Rolling-origin backtests score regressors' errors over time; a classifier is judged on its
  // holdout, and so is a cross-sectional model (horizon 0), whose rows have no origin to roll.
  const backtests = !classes && plan.horizon > 0;
  if (backtests) progress(0.85, 'backtesting from earlier origins');
  const backtest = backtests ? await rollingOriginBacktest(trainer, all, test.y.length, params) : [];
  if (!planned.refit) return { ...result, backtest };
  progress(0.95, refitMessage(all));
  return { ...result, backtest, ...refitted(result, await fit(all), all) };
}

/** Every example of the run, training and holdout, in time order: what the refit learns from. */
export function allExamples({ train, test }: PlannedTraining): Examples {
  return {
    featureNames: train.featureNames,
    x: [...train.x, ...test.x],
    y: [...train.y, ...test.y],
    at: [...train.at, ...test.at],
    row: [...train.row, ...test.row],
  };
}

export function refitMessage(all: Examples): string {
  return `refitting on all ${all.y.length} examples (holdout included)`;
}

/** The registered artifact becomes the refitted model; the evaluated fit stays as it was scored. */
export function refitted(result: TrainingResult, model: unknown, all: Examples): Pick<TrainingResult, 'artifact' | 'refit'> {
  return { artifact: { ...result.artifact, model }, refit: fitOf(all) };
}

/** Checks the holdout predictions and packs the result of the evaluated fit, which every trainer kind returns. */
export function resultOf(artifact: ModelArtifact, planned: PlannedTraining, predictions: unknown): TrainingResult {
  const { train, test } = planned;
  return {
    artifact,
    evaluated: { artifact, fit: fitOf(train) },
    metrics: scorePredictions(planned.plan, test.y, predictions),
    trainExamples: train.y.length,
    testExamples: test.y.length,
    holdoutStart: planned.holdoutKey ?? (test.at[0] as string),
    ...(planned.shortGroups ? { shortGroups: planned.shortGroups } : {}),
    ...(planned.testGroups ? { groupMetrics: scoresByGroup(planned.plan, test.y, predictions as Predictions, planned.testGroups) } : {}),
    backtest: [],
  };
}

/** The holdout's scores within each group, groups in name order (scored once the predictions are checked). */
function scoresByGroup(plan: FeaturePlan, labels: number[], predictions: Predictions, groups: string[]): GroupMetrics[] {
  return [...new Set(groups)].sort().map((group) => {
    const at = groups.flatMap((g, i) => (g === group ? [i] : []));
    const pick = <T>(values: T[]) => at.map((i) => values[i] as T);
    return { group, examples: at.length, metrics: scorePredictions(plan, pick(labels), pick(predictions as unknown[])) };
  });
}

function fitOf(examples: Examples): ModelFit {
  return { examples: examples.y.length, from: examples.at[0] as string, to: examples.at.at(-1) as string };
}

/** What a model predicts: a number per row (regressor), or a row of class probabilities (classifier). */
export type Predictions = number[] | number[][];

/** Checks a model's predictions for these labels and scores them with its task's metrics. */
export function scorePredictions(plan: FeaturePlan, labels: number[], predictions: unknown): Metrics {
  if (plan.classes === undefined) {
    checkPredictions(predictions, labels.length);
    return regressionMetrics(labels, predictions);
  }
  checkProbabilities(predictions, labels.length, plan.classes.values.length);
  return classificationMetrics(labels, predictions);
}

/** Checks predictions as the plan's task needs them, whichever kind of trainer made them. */
export function checkPredictionsFor(plan: FeaturePlan, predictions: unknown, expected: number): asserts predictions is Predictions {
  if (plan.classes === undefined) checkPredictions(predictions, expected);
  else checkProbabilities(predictions, expected, plan.classes.values.length);
}

/** Probabilities within this of summing to 1 pass: a float32 softmax is still a distribution. */
const SUM_TOLERANCE = 1e-6;

/** A classifier must give each row one probability per class, each in [0, 1], summing to 1. */
export function checkProbabilities(predictions: unknown, expected: number, classes: number): asserts predictions is number[][] {
  if (!Array.isArray(predictions) || predictions.length !== expected) {
    throw new DriftlineError('TrainingFailed', `predict returned ${Array.isArray(predictions) ? predictions.length : typeof predictions} rows of probabilities for ${expected} rows`);
  }
  predictions.forEach((row: unknown, i) => {
    const problem = probabilityProblem(row, classes);
    if (problem) throw new DriftlineError('TrainingFailed', `predict returned ${problem} at row ${i}`);
  });
}

/** Why a row is not a probability distribution over `classes` classes; undefined when it is one. */
export function probabilityProblem(row: unknown, classes: number): string | undefined {
  if (!Array.isArray(row) || row.length !== classes) return `${Array.isArray(row) ? row.length : typeof row} values where ${classes} class probabilities belong`;
  const bad = row.find((p) => typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1);
  if (bad !== undefined) return `a probability outside [0, 1] (${String(bad)})`;
  const total = (row as number[]).reduce((s, p) => s + p, 0);
  if (Math.abs(total - 1) > SUM_TOLERANCE) return `probabilities summing to ${total}, not 1`;
  return undefined;
}

/** A trainer that returns the wrong number of predictions, or NaN, is broken: no retry fixes it. */
export function checkPredictions(predictions: unknown, expected: number): asserts predictions is number[] {
  if (!Array.isArray(predictions) || predictions.length !== expected) {
    throw new DriftlineError('TrainingFailed', `predict returned ${Array.isArray(predictions) ? predictions.length : typeof predictions} values for ${expected} rows`);
  }
  const bad = predictions.findIndex((p) => typeof p !== 'number' || !Number.isFinite(p));
  if (bad >= 0) throw new DriftlineError('TrainingFailed', `predict returned a non-finite value (${String(predictions[bad])}) at row ${bad}`);
}
