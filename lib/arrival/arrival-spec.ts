import { z } from 'zod';

/**
 * A recent stretch of a pipeline's data, counted back from its newest row: the last N rows (by
 * time, or by arrival order without a time column), or the last N days or calendar months of the
 * time column.
 */
export const RecentWindow = z.union([
  z.object({ rows: z.number().int().positive() }).strict(),
  z.object({ days: z.number().int().positive() }).strict(),
  z.object({ months: z.number().int().positive() }).strict(),
]);
export type RecentWindow = z.infer<typeof RecentWindow>;

/**
 * How new data reaches the pipeline, which decides what a drift check compares and what a
 * retrain learns from.
 *
 * - `history`: every ingest reads the whole history so far (a table or file that grows); the
 *   newest snapshot is the pipeline's data.
 * - `batches`: every ingest reads one new batch; the pipeline's data is all its batches in the
 *   order they first arrived (re-ingesting a batch adds nothing: snapshots are content-addressed).
 */
export const ArrivalSpec = z
  .object({
    mode: z.enum(['history', 'batches']).default('history'),
    /**
     * The current side of a drift check: `since-last-check` (the rows newer than both the champion's
     * training data and the previous check) or a recent window (still never rows the champion learned from).
     */
    current: z.union([z.literal('since-last-check'), RecentWindow]).default('since-last-check'),
    /** What a retrain learns from: `all` the pipeline's data, or a recent window of it. */
    training: z.union([z.literal('all'), RecentWindow]).default('all'),
  })
  .strict();
export type ArrivalSpec = z.infer<typeof ArrivalSpec>;

/** The paths of windows counted in days or months, which need a time column. */
export function timeWindowPaths(arrival: ArrivalSpec): (string | number)[][] {
  const needsTime = (window: ArrivalSpec['current'] | ArrivalSpec['training']) => typeof window === 'object' && !('rows' in window);
  return (['current', 'training'] as const).filter((side) => needsTime(arrival[side])).map((side) => ['arrival', side]);
}
