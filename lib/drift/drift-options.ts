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
  })
  .refine((options) => options.warnShare <= options.driftShare, {
    path: ['warnShare'],
    message: 'must not exceed driftShare',
  });
export type DriftOptions = z.infer<typeof DriftOptions>;
