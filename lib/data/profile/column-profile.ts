import { z } from 'zod';

/**
 * What a snapshot records about each column, computed while streaming (lib/data/profile/).
 * count, nulls, min, max, mean and std are exact. Quantiles and histogram come from a uniform
 * sample of up to 10,000 values (`sampled` says when the column had more): exact below that.
 * Timestamps are profiled as milliseconds since the epoch.
 */
export const NumericProfile = z.object({
  kind: z.literal('numeric'),
  type: z.enum(['numeric', 'integer', 'timestamp']),
  /** Non-null values among the accepted rows. */
  count: z.number().int(),
  nulls: z.number().int(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  /** Sample standard deviation (n − 1); null below two values. */
  std: z.number().nullable(),
  quantiles: z.array(z.object({ q: z.number(), value: z.number() })),
  /** Equal-width bins from min to max; the last bin includes max. Counts add up to `count`. */
  histogram: z.array(z.object({ lower: z.number(), upper: z.number(), count: z.number().int() })),
  sampled: z.boolean(),
});
export type NumericProfile = z.infer<typeof NumericProfile>;

/** Categorical and boolean columns: the most frequent values (booleans as "true"/"false"). */
export const CategoricalProfile = z.object({
  kind: z.literal('categorical'),
  type: z.enum(['categorical', 'boolean']),
  count: z.number().int(),
  nulls: z.number().int(),
  /** Exact number of distinct values, or null when there were more than 1,024. */
  distinct: z.number().int().nullable(),
  /** Up to 20 values, most frequent first; counts are exact when `topExact` is true. */
  top: z.array(z.object({ value: z.string(), count: z.number().int() })),
  topExact: z.boolean(),
});
export type CategoricalProfile = z.infer<typeof CategoricalProfile>;

export const ColumnProfile = z.discriminatedUnion('kind', [NumericProfile, CategoricalProfile]);
export type ColumnProfile = z.infer<typeof ColumnProfile>;

/** Column name → profile, in the spec's column order. */
export const SnapshotProfile = z.record(z.string(), ColumnProfile);
export type SnapshotProfile = z.infer<typeof SnapshotProfile>;
