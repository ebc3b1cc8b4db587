import { z } from 'zod';
import { parseOrThrow } from '../errors';
import { fitBoostedTrees, rawScores, type RoundReport } from './gradient-boosting/boosting';
import { classificationLoss, classProbabilities } from './gradient-boosting/classification';
import { squaredError, type Loss } from './gradient-boosting/losses';
import { FlatTree } from './gradient-boosting/tree';
import type { ReportProgress, Trainer, TrainingData } from './trainer';

/** scikit-learn's HistGradientBoosting parameters and defaults, in camelCase (nEstimators is its max_iter). */
export const GradientBoostingParams = z
  .object({
    nEstimators: z.number().int().min(1).max(10_000).default(100),
    learningRate: z.number().positive().max(10).default(0.1),
    /** At most 4,096: the open leaves are scanned for the best one at each split. */
    maxLeafNodes: z.number().int().min(2).max(4096).default(31),
    /** Root at depth 0; null: limited by maxLeafNodes only. */
    maxDepth: z.number().int().min(1).max(64).nullable().default(null),
    minSamplesLeaf: z.number().int().min(1).default(20),
    l2Regularization: z.number().nonnegative().default(0),
    maxBins: z.number().int().min(2).max(255).default(255),
    /** "auto": on when there are more than 10,000 examples, as in scikit-learn. */
    earlyStopping: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    validationFraction: z.number().gt(0).lt(1).default(0.1),
    nIterNoChange: z.number().int().min(1).default(10),
    tol: z.number().nonnegative().default(1e-7),
    seed: z.number().int().default(42),
  })
  .strict();

const AUTO_EARLY_STOPPING_ROWS = 10_000;

const GradientBoostingModel = z.object({
  kind: z.literal('gradient-boosting'),
  featureNames: z.array(z.string()),
  loss: z.enum(['squared-error', 'log-loss']),
  scoresPerRow: z.number().int().min(1),
  baseline: z.array(z.number()),
  trees: z.array(FlatTree),
  rounds: z.number().int(),
  stoppedEarly: z.boolean(),
});

/** trainWith reports 0.8 onwards (scoring, backtest, refit); the trees share what comes before. */
const TREES_FROM = 0.1;
const TREES_TO = 0.8;

type GradientBoostingModel = z.infer<typeof GradientBoostingModel>;

/** Histogram gradient-boosted regression trees (squared error), Driftline's own kernel in lib/trainers/gradient-boosting/. */
export const gradientBoostingTrainer: Trainer = {
  train: (data, params, progress) => fitModel(data, squaredError, params, progress),
  predict(model, x) {
    const fitted = GradientBoostingModel.parse(model);
    if (fitted.loss !== 'squared-error') throw new Error('a gradient-boosting classifier predicts class probabilities: use predictClassProbabilities');
    return [...rawScores(fitted, columnsOf(x, fitted.featureNames.length), x.length)];
  },
};

/**
 * The same trees for classification (log loss), ready for when a spec can declare a categorical
 * target: labels are class codes 0 … classes − 1; the parameters and progress are the regressor's.
 */
export function trainGradientBoostingClassifier(data: TrainingData, classes: number, params: Record<string, unknown>, progress: ReportProgress): GradientBoostingModel {
  return fitModel(data, classificationLoss(classes), params, progress);
}

/** Each row's class probabilities (summing to 1), from a model trainGradientBoostingClassifier made. */
export function predictClassProbabilities(model: unknown, x: number[][]): number[][] {
  const fitted = GradientBoostingModel.parse(model);
  if (fitted.loss !== 'log-loss') throw new Error('a gradient-boosting regressor has no class probabilities');
  const { classes, probabilities } = classProbabilities(fitted, columnsOf(x, fitted.featureNames.length), x.length);
  return x.map((_, r) => [...probabilities.subarray(r * classes, (r + 1) * classes)]);
}

function fitModel(data: TrainingData, loss: Loss, params: Record<string, unknown>, progress: ReportProgress): GradientBoostingModel {
  const { earlyStopping, ...options } = parseOrThrow(GradientBoostingParams, params, 'gradient-boosting params');
  const rows = data.y.length;
  progress(TREES_FROM, `binning ${data.featureNames.length} features × ${rows} examples`);
  const fitted = fitBoostedTrees(columnsOf(data.x, data.featureNames.length), Float64Array.from(data.y), loss, { ...options, earlyStopping: earlyStopping === 'auto' ? rows > AUTO_EARLY_STOPPING_ROWS : earlyStopping }, (report) =>
    reportRound(report, progress),
  );
  const unit = fitted.scoresPerRow === 1 ? 'trees' : 'rounds';
  if (fitted.stoppedEarly) progress(TREES_TO, `stopped early after ${fitted.rounds} ${unit}: validation loss did not improve for ${options.nIterNoChange} ${unit}`);
  return { kind: 'gradient-boosting', featureNames: data.featureNames, ...fitted };
}

/** "tree 37 of 100, validation rmse 0.7104" (a multiclass round grows a tree per class: "round …"). */
function reportRound({ round, of, trees, metric, value, on }: RoundReport, progress: ReportProgress): void {
  progress(TREES_FROM + ((TREES_TO - TREES_FROM) * round) / of, `${trees === 1 ? 'tree' : 'round'} ${round} of ${of}, ${on} ${metric} ${value.toPrecision(4)}`);
}

/** Rows of numbers to one Float64Array per feature (null and undefined read as NaN: missing). */
function columnsOf(x: number[][], features: number): Float64Array[] {
  return Array.from({ length: features }, (_, f) => Float64Array.from(x, (row) => row[f] ?? Number.NaN));
}
