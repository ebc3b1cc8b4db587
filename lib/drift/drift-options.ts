import { z } from 'zod';
import { DRIFT_METHODS, DriftMethod } from './drift-methods';

/**
 * How one column is tested. A threshold only means something for a known method (p = 0.1 and a
 * distance of 0.1 are different things, and the default method changes with the reference's size),
 * so thresholds require `method`.
 */
export const ColumnDriftOptions = z
  .object({
    method: DriftMethod.optional(),
    /** The column drifts when its p-value falls below this, or its distance reaches it. */
    threshold: z.number().positive().optional(),
    /** Between this and `threshold` the column warns: a larger p-value, or a smaller distance. */
    warnThreshold: z.number().positive().optional(),
  })
  .strict()
  .superRefine((options, ctx) => {
    const { method, threshold, warnThreshold } = options;
    if (method === undefined) {
      if (threshold !== undefined || warnThreshold !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['method'], message: 'name the method whose threshold this is' });
      }
      return;
    }
    const info = DRIFT_METHODS[method];
    if (info.measures === 'p-value') {
      for (const [key, value] of Object.entries({ threshold, warnThreshold })) {
        if (value !== undefined && value >= 1) ctx.addIssue({ code: 'custom', path: [key], message: 'a p-value threshold lies below 1' });
      }
    }
    const drift = threshold ?? info.threshold;
    if (warnThreshold === undefined) return;
    const wrongSide = info.measures === 'p-value' ? warnThreshold <= drift : warnThreshold >= drift;
    if (wrongSide) {
      const side = info.measures === 'p-value' ? 'above' : 'below';
      ctx.addIssue({ code: 'custom', path: ['warnThreshold'], message: `must lie ${side} the drift threshold ${drift} for ${method}` });
    }
  });
export type ColumnDriftOptions = z.infer<typeof ColumnDriftOptions>;

/**
 * How a distance method's thresholds follow the size of the current sample. A distance between a
 * reference and a sample drawn from it shrinks as the sample grows (about n^-1/2 for Wasserstein
 * and Jensen–Shannon), so a fixed 0.1 fails every small calm batch and misses shifts in large
 * ones. Each column's threshold is raised to what noise alone reaches at this size (see
 * calibration.ts); hypothesis tests already account for the size through their p-values.
 */
export const CalibrationOptions = z
  .object({
    /** A column drifts when noise alone reaches its distance at most this often (the null's 1 − alpha quantile). */
    alpha: z.number().gt(0).lt(0.5).default(0.01),
    /** Where a method has a warn band (PSI, or a warnThreshold you set), it starts no lower than the null's 1 − warnAlpha quantile. */
    warnAlpha: z.number().gt(0).lt(0.5).default(0.05),
  })
  .strict()
  .refine((options) => options.warnAlpha > options.alpha, { path: ['warnAlpha'], message: 'must exceed alpha' });
export type CalibrationOptions = z.infer<typeof CalibrationOptions>;

/**
 * Drift settings for one comparison. The dataset verdict has three bands so that one noisy column
 * does not page anyone: `fail` when at least `driftShare` of the tested columns drifted, `warn` when
 * fewer did (or a column is in its warn band), `ok` otherwise.
 */
export const DriftOptions = z
  .object({
    /** Dataset drift, verdict `fail`, from this share of drifted columns on (Evidently's drift_share). */
    driftShare: z.number().gt(0).max(1).default(0.5),
    /**
     * Verdict `warn` from this share of drifted columns on. The default 0 warns on any single drifted
     * column; raise it for wide datasets where one drifting column is routine.
     */
    warnShare: z.number().min(0).max(1).default(0),
    /** Per column; a column not listed gets the default method for its type and reference size. */
    columns: z.record(z.string(), ColumnDriftOptions).default({}),
    /** Below this many non-null values on either side a column is `insufficient`: not tested, never drifted. */
    minSamples: z.number().int().min(2).default(10),
    /**
     * Distance thresholds calibrated to the current sample's size, and the multivariate signal (whose
     * threshold is a calibration too). `false` keeps the conventional fixed thresholds and drops the
     * multivariate signal: for benchmarks and comparisons with Evidently, not for production.
     */
    calibration: z.union([z.literal(false), CalibrationOptions]).default(CalibrationOptions.parse({})),
  })
  .strict()
  .refine((options) => options.warnShare <= options.driftShare, {
    path: ['warnShare'],
    message: 'must not exceed driftShare',
  });
export type DriftOptions = z.infer<typeof DriftOptions>;
