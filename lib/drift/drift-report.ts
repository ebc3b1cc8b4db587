import { z } from 'zod';
import { ColumnType } from '../data/column-spec';
import { DriftMethod } from './drift-methods';

/**
 * The result of comparing a current dataset with a reference: plain JSON, stored as jsonb and read
 * back through these schemas. Per column it keeps what a person needs to see why it drifted: the
 * method, statistic, p-value, thresholds and both histograms.
 */

const Count = z.number().int().nonnegative();
const Share = z.number().min(0).max(1);
const perSide = <T extends z.ZodType>(value: T) => z.object({ reference: value, current: value });

/** How many of the most frequent categories a report lists; the rest are summed into `other`. */
export const REPORTED_CATEGORIES = 30;

export const Histogram = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('bins'),
    /** Equal-width bins shared by both sides: [edgeᵢ, edgeᵢ₊₁), the last one closed. */
    edges: z.array(z.number()),
    reference: z.array(Count),
    current: z.array(Count),
  }),
  z.object({
    kind: z.literal('categories'),
    values: z.array(z.union([z.string(), z.number(), z.boolean()])),
    reference: z.array(Count),
    current: z.array(Count),
    /** The categories not listed, and their counts summed. */
    other: z.object({ categories: Count, reference: Count, current: Count }),
  }),
]);
export type Histogram = z.infer<typeof Histogram>;

export const ColumnVerdict = z.enum(['stable', 'warn', 'drift']);
export type ColumnVerdict = z.infer<typeof ColumnVerdict>;

export const ColumnDrift = z.object({
  column: z.string(),
  type: ColumnType,
  method: DriftMethod,
  /** KS distance, χ², z, normed Wasserstein, Jensen–Shannon or PSI; null when infinite (χ² with a category the reference never had). */
  statistic: z.number().nullable(),
  /** The hypothesis tests' p-value, compared with the threshold; null for distances, where the statistic is. */
  pValue: z.number().nullable(),
  threshold: z.number(),
  warnThreshold: z.number().nullable(),
  verdict: ColumnVerdict,
  /** How many values were compared: the non-null, finite ones. */
  compared: perSide(Count),
  /** Nulls (and NaN or infinite numbers) are left out of the comparison; their share is reported here. */
  nullShare: perSide(Share),
  /** Shared bins for numeric columns with many values, counts per value otherwise. */
  histogram: Histogram,
});
export type ColumnDrift = z.infer<typeof ColumnDrift>;

export const SkippedColumn = z.object({ column: z.string(), type: ColumnType, reason: z.string() });
export type SkippedColumn = z.infer<typeof SkippedColumn>;

export const DriftVerdict = z.enum(['ok', 'warn', 'fail']);
export type DriftVerdict = z.infer<typeof DriftVerdict>;

export const DriftReport = z.object({
  /** `fail` is dataset drift; see DriftOptions for the bands. */
  verdict: DriftVerdict,
  /** Drifted columns over tested columns; 0 when none could be tested. */
  driftedShare: Share,
  columnsTested: Count,
  columnsDrifted: Count,
  columnsWarned: Count,
  /** The bands in force. */
  driftShare: Share,
  warnShare: Share,
  rows: perSide(Count),
  columns: z.array(ColumnDrift),
  skipped: z.array(SkippedColumn),
});
export type DriftReport = z.infer<typeof DriftReport>;
