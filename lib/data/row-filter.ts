import { z } from 'zod';
import type { Value } from './cell-types';
import type { ColumnSpecs } from './column-spec';
import { parseTimestamp } from './timestamp';

/**
 * A timestamp bound that stands for the run's logical date: the time slot a scheduled or backfilled
 * run stands for, so a backfill over a window reads that window's data. A run started by hand has
 * none, and the bound bounds nothing (the source as it is now).
 */
export const LOGICAL_DATE = 'logicalDate';

/**
 * One condition a row must meet to be ingested: a range of a numeric, integer or timestamp column
 * (`from` and/or `to`, both inclusive; a date without a time as `to` covers that whole day;
 * `"logicalDate"` the run's logical date), or a list of values of a categorical or boolean column (`in`).
 * A row whose value is null meets neither.
 */
export const RowFilter = z
  .object({
    column: z.string().min(1),
    from: z.union([z.number(), z.string()]).optional(),
    to: z.union([z.number(), z.string()]).optional(),
    in: z.array(z.string()).min(1).optional(),
  })
  .strict()
  .refine((f) => (f.in === undefined) !== (f.from === undefined && f.to === undefined), {
    message: 'give from and/or to (a range), or in (a list of values)',
  });
export type RowFilter = z.infer<typeof RowFilter>;

/** `where` on a source: every condition must hold (AND). */
export const RowFilters = z.array(RowFilter).min(1);

type Issue = { path: (string | number)[]; message: string };

/** Each filter against the declared columns: the column exists and the bounds or values fit its type. */
export function rowFilterIssues(where: RowFilter[], columns: ColumnSpecs): Issue[] {
  return where.flatMap((filter, i): Issue[] => {
    const type = columns[filter.column]?.type;
    if (type === undefined) return [{ path: [i, 'column'], message: `column "${filter.column}" is not declared in columns` }];
    if (filter.in !== undefined) {
      if (type === 'categorical') return [];
      if (type === 'boolean') return filter.in.every((v) => v === 'true' || v === 'false') ? [] : [{ path: [i, 'in'], message: `the boolean column "${filter.column}" holds "true" or "false"` }];
      return [{ path: [i, 'in'], message: `in lists values of a categorical or boolean column; "${filter.column}" is ${type}: give from/to` }];
    }
    // Neither a range nor a list: the schema's refinement says so already.
    if (filter.from === undefined && filter.to === undefined) return [];
    if (type !== 'numeric' && type !== 'integer' && type !== 'timestamp') {
      return [{ path: [i, filter.from === undefined ? 'to' : 'from'], message: `a ${type} column has no range: give in` }];
    }
    return (['from', 'to'] as const).flatMap((key): Issue[] => {
      const bound = filter[key];
      if (bound === undefined) return [];
      const fits = type === 'timestamp' ? typeof bound === 'string' && (bound === LOGICAL_DATE || parseTimestamp(bound) !== undefined) : typeof bound === 'number';
      return fits ? [] : [{ path: [i, key], message: type === 'timestamp' ? `an ISO date such as 2015-12-31, or "${LOGICAL_DATE}"` : `a number for the ${type} column "${filter.column}"` }];
    });
  });
}

/**
 * The filters with every `"logicalDate"` bound replaced by the run's logical date, or dropped for a
 * run that has none; the snapshot's digest then names the window it holds.
 */
export function atLogicalDate(where: RowFilter[] | undefined, logicalDate: string | undefined): RowFilter[] | undefined {
  if (where === undefined) return undefined;
  const resolve = (bound: number | string | undefined) => (bound === LOGICAL_DATE ? logicalDate : bound);
  return where.map(({ from, to, ...rest }) => {
    const bounds = { from: resolve(from), to: resolve(to) };
    return { ...rest, ...(bounds.from !== undefined && { from: bounds.from }), ...(bounds.to !== undefined && { to: bounds.to }) };
  });
}

/** Whether a validated row (its values in declaration order) meets every filter. */
export type RowPredicate = (values: readonly Value[]) => boolean;

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** The filters as a predicate on validated rows; bounds are parsed once, so each row costs a few comparisons. */
export function rowPredicate(where: RowFilter[] | undefined, columns: ColumnSpecs): RowPredicate | undefined {
  if (where === undefined || where.length === 0) return undefined;
  const names = Object.keys(columns);
  const tests = where.map((filter) => {
    const at = names.indexOf(filter.column);
    if (filter.in !== undefined) {
      const allowed = new Set(filter.in);
      // A boolean's value is true or false; its filter lists "true" and/or "false".
      return (values: readonly Value[]) => (typeof values[at] === 'string' || typeof values[at] === 'boolean') && allowed.has(String(values[at]));
    }
    const from = boundOf(filter.from, false);
    const to = boundOf(filter.to, true);
    return (values: readonly Value[]) => {
      const value = values[at];
      return typeof value === 'number' && value >= from && value <= to;
    };
  });
  return (values) => tests.every((test) => test(values));
}

/** A bound as the number rows carry (epoch milliseconds for a timestamp); an absent one bounds nothing. */
function boundOf(bound: number | string | undefined, upper: boolean): number {
  if (bound === undefined) return upper ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  if (typeof bound === 'number') return bound;
  const ms = parseTimestamp(bound) as number;
  return upper && DATE_ONLY.test(bound) ? ms + DAY_MS - 1 : ms;
}
