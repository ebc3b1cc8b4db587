import { z } from 'zod';

/** `fail` stops the pipeline before training; `warn` is reported and the run goes on. */
export const Severity = z.enum(['warn', 'fail']);
export type Severity = z.infer<typeof Severity>;

const severity = Severity.default('fail');
const share = z.number().min(0).max(1);

/**
 * Dataset-level checks, run on each snapshot before training. Every check is optional except the
 * row count, which by default requires at least one accepted row: nothing can be trained on none.
 */
export const DatasetChecks = z.object({
  /** Bounds on the accepted rows. */
  rowCount: z
    .object({ min: z.number().int().nonnegative().default(1), max: z.number().int().positive().optional(), severity })
    .strict()
    .default({ min: 1, severity: 'fail' }),
  /** The largest share of the rows read that may be quarantined, 0…1. */
  quarantinedShare: z.object({ max: share, severity }).strict().optional(),
  /** Per column: the largest share of null values among the accepted rows, 0…1. */
  nullFraction: z.record(z.string(), z.object({ max: share, severity }).strict()).default({}),
  /** No two accepted rows may share the values of the spec's keyColumns. */
  duplicateKeys: z.object({ severity }).strict().optional(),
  /** The newest value of the spec's timeColumn must be at most this old when the run validates. */
  freshness: z.object({ maxAgeDays: z.number().positive(), severity }).strict().optional(),
}).strict();
export type DatasetChecks = z.infer<typeof DatasetChecks>;
