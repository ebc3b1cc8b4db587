import { z } from 'zod';
import { ColumnType } from '../data/column-spec';
import { Calibration } from './calibration';
import { DataShift } from './data-shift';
import { DriftMethod } from './drift-methods';
import { MultivariateDrift } from './multivariate';
import { Count, perSide, Share } from './report-values';

/**
 * The result of comparing a current dataset with a reference: plain JSON, stored as jsonb and read
 * back through these schemas. Per column it keeps what a person needs to see why it drifted: the
 * method, statistic, p-value, thresholds and both histograms.
 */


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

/** `insufficient`: too few values on a side to test (below DriftOptions.minSamples); never counts as drift or warn. */
export const ColumnVerdict = z.enum(['stable', 'warn', 'drift', 'insufficient']);
export type ColumnVerdict = z.infer<typeof ColumnVerdict>;

export const ColumnDrift = z.object({
  column: z.string(),
  type: ColumnType,
  method: DriftMethod,
  /** KS distance, χ², z, normed Wasserstein, Jensen–Shannon or PSI; null when infinite (χ² with a category the reference never had). */
  statistic: z.number().nullable(),
  /** The hypothesis tests' p-value, compared with the threshold; null for distances, where the statistic is. */
  pValue: z.number().nullable(),
  /** In force: for a distance, the larger of the method's conventional threshold and what noise reaches at this sample size. */
  threshold: z.number(),
  warnThreshold: z.number().nullable(),
  verdict: ColumnVerdict,
  /** What a distance means at the current sample's size; absent for hypothesis tests, insufficient columns, and with calibration off. */
  calibration: Calibration.optional(),
  /** The method differs from the one recorded with the reference: from what, to what, and why. */
  methodChange: z.object({ from: DriftMethod, to: DriftMethod, why: z.string() }).optional(),
  /** The shift in the column's own units, side by side (absent in reports stored before it existed). */
  shift: DataShift.optional(),
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
  /** Columns with a verdict other than `insufficient`. */
  columnsTested: Count,
  columnsDrifted: Count,
  columnsWarned: Count,
  /** Columns with too few values to test (below minSamples); not counted in columnsTested. */
  columnsInsufficient: Count.default(0),
  minSamples: Count.optional(),
  /** The bands in force. */
  driftShare: Share,
  warnShare: Share,
  rows: perSide(Count),
  columns: z.array(ColumnDrift),
  skipped: z.array(SkippedColumn),
  /** A change in how the numeric columns move together; a drift here makes the verdict at least `warn`. */
  multivariate: MultivariateDrift.optional(),
});
export type DriftReport = z.infer<typeof DriftReport>;
