import type { Frame } from '../data/columns/frame';
import { DriftlineError } from '../errors';
import { MIN_TRAIN_EXAMPLES, rollingOriginBacktest } from '../model/backtest';
import { metricOf } from '../model/metrics';
import { allExamples, planTraining } from '../model/model-artifact';
import type { PipelineSpec } from '../spec/pipeline-spec';
import type { Trainer } from '../trainers/trainer';
import type { ExperimentSpec } from './experiment-spec';

/** What one cell scored: one score of the pipeline's primary metric per replicate, seed by seed, newest fold first. */
export interface CellScores {
  scores: number[];
  folds: number;
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
 * Scores one configured pipeline by rolling-origin backtest over the declared folds, once per seed.
 * A trainer that draws no random numbers (`seeded` false) scores the same on every seed: its
 * folds are fitted once and their scores stand for each seed, so every cell has the same replicates.
 */
export async function scoreCell(
  frame: Frame,
  spec: PipelineSpec,
  trainer: Trainer,
  replication: ExperimentSpec['replication'],
  seeded: boolean,
  onFit?: (done: number, total: number) => void,
): Promise<CellScores> {
  const planned = planTraining(frame, spec);
  const all = allExamples(planned);
  const window = foldWindow(all.y.length, planned.test.y.length, replication.folds);
  const metric = spec.evaluation.primaryMetric;
  const runs = seeded ? replication.seeds : [undefined];
  const scores: number[] = [];
  for (const [i, seed] of runs.entries()) {
    const params = seed === undefined ? spec.model.params : { ...spec.model.params, seed };
    const folds = await rollingOriginBacktest(trainer, all, window, params, replication.folds);
    if (folds.length !== replication.folds) {
      throw new DriftlineError('DataValidationFailed', `replication.folds: only ${folds.length} of ${replication.folds} folds have enough examples to train on`);
    }
    scores.push(...folds.map((fold) => metricOf(fold.metrics, metric)));
    onFit?.((i + 1) * replication.folds, runs.length * replication.folds);
  }
  const replicated = seeded ? scores : replication.seeds.flatMap(() => scores);
  return { scores: replicated, folds: replication.folds, window, examples: all.y.length };
}

/** Whether a built-in trainer draws random numbers (takes a `seed`); a team's module is taken at its word via a `seed` param factor. */
export function isSeeded(spec: PipelineSpec): boolean {
  return spec.model.trainer === 'gradient-boosting' || 'seed' in spec.model.params;
}
