import type { Frame } from '../data/columns/frame';
import { DriftlineError } from '../errors';
import { MIN_TRAIN_EXAMPLES, rollingOriginBacktest } from '../model/backtest';
import { metricOf } from '../model/metrics';
import { allExamples, planTraining } from '../model/model-artifact';
import type { PipelineSpec } from '../spec/pipeline-spec';
import type { Trainer } from '../trainers/trainer';
import type { ExperimentSpec } from './experiment-spec';

/**
 * What one cell scored: one score of the pipeline's primary metric per fold, newest first; for a
 * trainer that draws random numbers, the mean over the seeds of that fold.
 */
export interface CellScores {
  scores: number[];
  folds: number;
  /** Seeds each fold's score averages (1 for a trainer that draws no random numbers). */
  seeds: number;
  /** Examples in each fold's scored window. */
  window: number;
  examples: number;
}

/**
 * The examples each fold scores: the pipeline's holdout size, shrunk when the declared folds would
 * otherwise leave the oldest fold too few examples to train on, so every cell has every fold.
 */
export function foldWindow(examples: number, holdout: number, folds: number): number {
  const window = Math.min(holdout, Math.floor((examples - MIN_TRAIN_EXAMPLES) / folds));
  if (window < 1) {
    throw new DriftlineError('DataValidationFailed', `replication.folds: ${folds} folds need more than ${MIN_TRAIN_EXAMPLES + folds} examples, the cell has ${examples}`);
  }
  return window;
}

/**
 * Scores one configured pipeline by rolling-origin backtest over the declared folds, once per seed
 * for a trainer that draws random numbers (`seeded`), and averages the seeds within each fold. The
 * folds are the replicates every cell shares, seeded or not, so an experiment that mixes seeded and
 * unseeded trainers compares them window by window, and repeating an unseeded cell's scores per
 * seed never passes for new evidence.
 */
export async function scoreCell(
  frame: Frame,
  spec: PipelineSpec,
  trainer: Trainer,
  replication: ExperimentSpec['replication'],
  seeded: boolean,
): Promise<CellScores> {
  const planned = planTraining(frame, spec);
  const all = allExamples(planned);
  const window = foldWindow(all.y.length, planned.test.y.length, replication.folds);
  const metric = spec.evaluation.primaryMetric;
  const runs = seeded ? replication.seeds : [undefined];
  const bySeed: number[][] = [];
  for (const seed of runs) {
    const params = seed === undefined ? spec.model.params : { ...spec.model.params, seed };
    const folds = await rollingOriginBacktest(trainer, all, window, params, replication.folds);
    if (folds.length !== replication.folds) {
      throw new DriftlineError('DataValidationFailed', `replication.folds: only ${folds.length} of ${replication.folds} folds have enough examples to train on`);
    }
    bySeed.push(folds.map((fold) => metricOf(fold.metrics, metric)));
  }
  return { scores: meanPerFold(bySeed), folds: replication.folds, seeds: runs.length, window, examples: all.y.length };
}

/** Each fold's mean over the seeds' scores of it. */
export function meanPerFold(bySeed: number[][]): number[] {
  const folds = bySeed[0]?.length ?? 0;
  return Array.from({ length: folds }, (_, fold) => bySeed.reduce((sum, scores) => sum + (scores[fold] as number), 0) / bySeed.length);
}

/** Whether a built-in trainer draws random numbers (takes a `seed`); a team's module is taken at its word via a `seed` param factor. */
export function isSeeded(spec: PipelineSpec): boolean {
  return spec.model.trainer === 'gradient-boosting' || 'seed' in spec.model.params;
}
