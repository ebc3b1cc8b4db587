import { z } from 'zod';

/**
 * Accuracy decay: once actuals arrive, the champion's error on the current labelled data against
 * the error recorded when it was promoted. r² is left out: its relative change means little.
 */
export const AccuracyDecayOptions = z
  .object({
    metric: z.enum(['mae', 'rmse', 'smape']).default('rmse'),
    /** Decay when the error grew by more than this share of the promoted error (0.25 = 25 % worse). */
    maxIncrease: z.number().positive().default(0.25),
  })
  .strict();
export type AccuracyDecayOptions = z.infer<typeof AccuracyDecayOptions>;

export const AccuracyDecay = z.object({
  metric: z.enum(['mae', 'rmse', 'smape']),
  /** The error on the holdout that decided the champion's promotion. */
  promoted: z.number(),
  /** The champion's error on the current data's labelled examples newer than its training data. */
  current: z.number(),
  examples: z.number().int().nonnegative(),
  /** (current − promoted) / promoted. */
  increase: z.number(),
  maxIncrease: z.number(),
  decayed: z.boolean(),
});
export type AccuracyDecay = z.infer<typeof AccuracyDecay>;

export function accuracyDecay(promoted: number, current: number, examples: number, options: AccuracyDecayOptions): AccuracyDecay {
  // A perfect champion (error 0) decays at any error at all.
  const increase = promoted > 0 ? (current - promoted) / promoted : current > 0 ? Number.MAX_VALUE : 0;
  return { metric: options.metric, promoted, current, examples, increase, maxIncrease: options.maxIncrease, decayed: increase > options.maxIncrease };
}
