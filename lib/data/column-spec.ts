import { z } from 'zod';
import { parseTimestamp } from './timestamp';

export const ColumnType = z.enum(['numeric', 'integer', 'categorical', 'boolean', 'timestamp']);
export type ColumnType = z.infer<typeof ColumnType>;

/** A timestamp bound written the way the data is: ISO 8601, UTC unless it names an offset. */
const TimestampBound = z.string().refine((text) => parseTimestamp(text) !== undefined, {
  message: 'must be an ISO 8601 timestamp, e.g. 2020-01-31 or 2020-01-31T12:00:00Z',
});

/**
 * One declared column and the rules every row must meet; a row that breaks one is quarantined.
 * `min`/`max` are inclusive: numbers for numeric and integer columns, ISO timestamps for timestamp
 * columns. `values` lists the allowed values of a categorical column.
 */
export const ColumnSpec = z
  .object({
    type: ColumnType,
    nullable: z.boolean().default(false),
    min: z.union([z.number(), TimestampBound]).optional(),
    max: z.union([z.number(), TimestampBound]).optional(),
    values: z.array(z.string().min(1)).min(1).optional(),
    /** What a value measures, shown beside the column's numbers and on its charts' axes ("thousand jobs"). */
    unit: z.string().min(1).max(100).optional(),
    /** What the column means, in a sentence for the people reading the dashboard. */
    description: z.string().max(2000).optional(),
  })
  .strict()
  .superRefine((column, ctx) => {
    const boundType = column.type === 'timestamp' ? 'string' : 'number';
    for (const key of ['min', 'max'] as const) {
      const bound = column[key];
      if (bound === undefined) continue;
      if (column.type !== 'numeric' && column.type !== 'integer' && column.type !== 'timestamp') {
        ctx.addIssue({ code: 'custom', path: [key], message: `a ${column.type} column has no range` });
      } else if (typeof bound !== boundType) {
        ctx.addIssue({ code: 'custom', path: [key], message: `must be ${boundType === 'string' ? 'an ISO timestamp' : 'a number'} for a ${column.type} column` });
      }
    }
    if (column.values !== undefined && column.type !== 'categorical') {
      ctx.addIssue({ code: 'custom', path: ['values'], message: 'only a categorical column lists allowed values' });
    }
  });
export type ColumnSpec = z.infer<typeof ColumnSpec>;

/** Declared columns by name, in declaration order: the order of a snapshot's stored columns. */
export type ColumnSpecs = Record<string, ColumnSpec>;
