import { z } from 'zod';
import { quantile } from '../data/profile/numeric-accumulator';
import { type Category, categoryCounts, type ColumnValues, sizeOf } from './column-values';
import { Count, perSide, Share } from './report-values';

/** How many categories a shift lists, on each list. */
const LISTED = 10;

/** A numeric side in its own units; quantiles interpolate linearly, as numpy and pandas do by default. */
export const NumericSummary = z.object({
  mean: z.number(),
  median: z.number(),
  p5: z.number(),
  p25: z.number(),
  p75: z.number(),
  p95: z.number(),
  min: z.number(),
  max: z.number(),
  /** Nulls, NaN and infinities over all rows. */
  missingShare: Share,
});
export type NumericSummary = z.infer<typeof NumericSummary>;

const CategoryValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * The shift a person reads before any statistic: reference and current side by side in the
 * column's own units. Small by construction — summaries and at most LISTED categories, never values.
 */
export const DataShift = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('numeric'), reference: NumericSummary, current: NumericSummary }),
  z.object({
    kind: z.literal('categorical'),
    /** The categories with the largest share on either side, largest first, with their shares of each side's non-null values. */
    top: z.array(z.object({ value: CategoryValue, reference: Share, current: Share })),
    /** Values the reference never had, most frequent first, with their current counts. */
    newCategories: z.array(z.object({ value: CategoryValue, count: Count })),
    /** How many more new values there are than newCategories lists. */
    moreNewCategories: Count,
    missingShare: perSide(Share),
  }),
]);
export type DataShift = z.infer<typeof DataShift>;

/** Numeric and integer columns are summarized by value; categorical and boolean ones by category. */
export function dataShift(reference: ColumnValues, current: ColumnValues): DataShift {
  if (reference.kind === 'numeric' && current.kind === 'numeric') {
    return { kind: 'numeric', reference: numericSummary(reference.sorted, reference.nulls), current: numericSummary(current.sorted, current.nulls) };
  }
  return categoricalShift(reference, current);
}

/** `sorted` holds the finite values, ascending and non-empty. */
function numericSummary(sorted: Float64Array, missing: number): NumericSummary {
  let sum = 0;
  for (const value of sorted) sum += value;
  const at = (q: number) => quantile(sorted, q);
  return {
    mean: sum / sorted.length,
    median: at(0.5),
    p5: at(0.05),
    p25: at(0.25),
    p75: at(0.75),
    p95: at(0.95),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    missingShare: missing / (missing + sorted.length),
  };
}

function categoricalShift(reference: ColumnValues, current: ColumnValues): DataShift {
  const referenceCounts = categoryCounts(reference);
  const currentCounts = categoryCounts(current);
  const shareOf = (counts: Map<Category, number>, size: number, value: Category) => (counts.get(value) ?? 0) / size;
  const referenceShare = (value: Category) => shareOf(referenceCounts, sizeOf(reference), value);
  const currentShare = (value: Category) => shareOf(currentCounts, sizeOf(current), value);
  const larger = (value: Category) => Math.max(referenceShare(value), currentShare(value));
  const top = [...new Set([...referenceCounts.keys(), ...currentCounts.keys()])]
    .sort((a, b) => larger(b) - larger(a))
    .slice(0, LISTED)
    .map((value) => ({ value, reference: referenceShare(value), current: currentShare(value) }));
  const fresh = [...currentCounts].filter(([value]) => !referenceCounts.has(value)).sort(([, a], [, b]) => b - a);
  return {
    kind: 'categorical',
    top,
    newCategories: fresh.slice(0, LISTED).map(([value, count]) => ({ value, count })),
    moreNewCategories: Math.max(fresh.length - LISTED, 0),
    missingShare: { reference: missingShare(reference), current: missingShare(current) },
  };
}

export function missingShare(values: ColumnValues): number {
  return values.nulls / (values.nulls + sizeOf(values));
}
