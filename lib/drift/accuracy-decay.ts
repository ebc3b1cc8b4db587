import { z } from 'zod';
import { quantile } from '../data/profile/numeric-accumulator';
import { isClassificationMetric, metricOf, metricsOfEither } from '../model/metrics';
import { randomIndex, seededRandom } from '../stats/sampling';

/**
 * Accuracy decay: once actuals arrive, the champion's error on the newest labelled data against
 * the error recorded when it was promoted. r² is left out: its relative change means little; so
 * are the classification scores that rise (accuracy, AUC): a classifier decays on a loss, log loss
 * or Brier — log loss when the declared metric is a regressor's.
 */
export const DecayMetric = z.enum(['mae', 'rmse', 'smape', 'log_loss', 'brier']);
export type DecayMetric = z.infer<typeof DecayMetric>;

/** The metric a model decays on: a classifier's declared regression metric (the default rmse) becomes log loss. */
export function decayMetricFor(model: { classes?: unknown }, declared: DecayMetric): DecayMetric {
  return model.classes && !isClassificationMetric(declared) ? 'log_loss' : declared;
}

export const AccuracyDecayOptions = z
  .object({
    metric: DecayMetric.default('rmse'),
    /** Decay when the error grew by more than this share of the promoted error (0.25 = 25 % worse). */
    maxIncrease: z.number().positive().default(0.25),
    /** Fewer fresh labelled examples than this say nothing: the check reports `insufficient`, never decay. */
    minExamples: z.number().int().min(2).default(30),
    /** Only the most recent examples count: decay is about now, not an average since training. */
    window: z.number().int().positive().default(100),
  })
  .strict()
  .refine((options) => options.window >= options.minExamples, { path: ['window'], message: 'must hold at least minExamples examples' });
export type AccuracyDecayOptions = z.infer<typeof AccuracyDecayOptions>;

/** The bootstrap interval's coverage, and its replicates. */
const LEVEL = 0.9;
const REPLICATES = 1000;
const DEFAULT_SEED = 12;

export const AccuracyDecay = z.object({
  metric: DecayMetric,
  /** The error on the holdout that decided the champion's promotion. */
  promoted: z.number(),
  /** The champion's error on the most recent fresh labelled examples (at most `window`). */
  current: z.number(),
  /** The examples `current` was measured on. */
  examples: z.number().int().nonnegative(),
  /** Fresh labelled examples there were, before keeping the most recent `window`. */
  available: z.number().int().nonnegative().optional(),
  minExamples: z.number().int().optional(),
  /** (current − promoted) / promoted. */
  increase: z.number(),
  maxIncrease: z.number(),
  /** A seeded bootstrap interval of current / promoted over the examples; null when there are too few. */
  ratio: z.object({ low: z.number(), high: z.number(), level: z.number() }).nullable().optional(),
  /** Fewer than minExamples examples: nothing is concluded. */
  insufficient: z.boolean().default(false),
  /** The interval's lower end lies above 1 + maxIncrease: worse beyond doubt, not by chance. */
  decayed: z.boolean(),
});
export type AccuracyDecay = z.infer<typeof AccuracyDecay>;

/**
 * Judges the champion on fresh labelled examples in time order (`actual[i]` and its prediction):
 * keeps the last `window`, says `insufficient` below `minExamples`, and otherwise declares decay
 * only when the whole 90 % bootstrap interval of the error ratio clears the limit — a handful of
 * unlucky examples cannot fail a run. `available` counts the fresh examples there were, when the
 * caller passes only the newest (at least `window`) of them.
 */
export function accuracyDecay(
  promoted: number,
  actual: readonly number[],
  /** Numbers from a regressor, rows of class probabilities from a classifier. */
  predicted: readonly number[] | readonly number[][],
  options: AccuracyDecayOptions,
  seed = DEFAULT_SEED,
  available = actual.length,
): AccuracyDecay {
  if (actual.length !== predicted.length || actual.length === 0) {
    throw new Error(`accuracy decay needs equal, non-empty arrays (got ${actual.length} and ${predicted.length})`);
  }
  const { metric, maxIncrease, minExamples, window } = options;
  const y = actual.slice(-window);
  const yHat = predicted.slice(-window) as number[] | number[][];
  const errorOf = (a: number[], p: number[] | number[][]) => metricOf(metricsOfEither(a, p), metric);
  const current = errorOf(y, yHat);
  const insufficient = y.length < minExamples;
  const ratio = insufficient ? null : bootstrapRatio(y, yHat, (a, p) => errorRatio(errorOf(a, p), promoted), seed);
  return {
    metric,
    promoted,
    current,
    examples: y.length,
    available,
    minExamples,
    increase: errorRatio(current, promoted) - 1,
    maxIncrease,
    ratio,
    insufficient,
    decayed: ratio !== null && ratio.low > 1 + maxIncrease,
  };
}

/** current / promoted; a perfect champion (error 0) is infinitely worse at any error at all, which JSON holds as MAX_VALUE. */
function errorRatio(current: number, promoted: number): number {
  if (promoted > 0) return current / promoted;
  return current > 0 ? Number.MAX_VALUE : 1;
}

/** The percentile interval of `statistic` over resamples of the examples (with replacement). */
function bootstrapRatio(
  actual: number[],
  predicted: number[] | number[][],
  statistic: (actual: number[], predicted: number[] | number[][]) => number,
  seed: number,
): { low: number; high: number; level: number } {
  const random = seededRandom(seed, 'accuracy-decay');
  const a = new Array<number>(actual.length);
  const p = new Array<number | number[]>(actual.length);
  const ratios = Float64Array.from({ length: REPLICATES }, () => {
    for (let i = 0; i < actual.length; i++) {
      const pick = randomIndex(actual.length, random);
      a[i] = actual[pick] as number;
      p[i] = predicted[pick] as number | number[];
    }
    return statistic(a, p as number[] | number[][]);
  }).sort();
  return { low: quantile(ratios, (1 - LEVEL) / 2), high: quantile(ratios, (1 + LEVEL) / 2), level: LEVEL };
}
