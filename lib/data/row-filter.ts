import { z } from 'zod';
import type { Value } from './cell-types';
import type { ColumnSpec, ColumnSpecs, ColumnType } from './column-spec';
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

/** Each filter against the declared columns: the column exists and the bounds or values fit it. */
export function rowFilterIssues(where: RowFilter[], columns: ColumnSpecs): Issue[] {
  return where.flatMap((filter, i): Issue[] => {
    const column = columns[filter.column];
    if (column === undefined) return [{ path: [i, 'column'], message: `column "${filter.column}" is not declared in columns` }];
    const problems = filter.in !== undefined ? listProblems(filter.column, filter.in, column) : rangeProblems(filter, column.type);
    return problems.map(({ key, message }) => ({ path: [i, key], message }));
  });
}

type Problem = { key: 'in' | 'from' | 'to'; message: string };

/** `in` on this column: a categorical or boolean one, and only values it can hold (another would silently keep no row). */
function listProblems(name: string, values: string[], column: ColumnSpec): Problem[] {
  if (column.type !== 'categorical' && column.type !== 'boolean') {
    return [{ key: 'in', message: `in lists values of a categorical or boolean column; "${name}" is ${column.type}: give from/to` }];
  }
  const holds = column.type === 'boolean' ? ['true', 'false'] : column.values;
  const unknown = holds === undefined ? undefined : values.find((value) => !holds.includes(value));
  return unknown === undefined ? [] : [{ key: 'in', message: `"${unknown}" is not a value of the ${column.type} column "${name}" (${(holds ?? []).map((v) => `"${v}"`).join(', ')})` }];
}

/** A range on a column of this type: bounds of its type, and from not after to. */
function rangeProblems(filter: RowFilter, type: ColumnType): Problem[] {
  // Neither a range nor a list: the schema's refinement says so already.
  if (filter.from === undefined && filter.to === undefined) return [];
  if (type !== 'numeric' && type !== 'integer' && type !== 'timestamp') return [{ key: filter.from === undefined ? 'to' : 'from', message: `a ${type} column has no range: give in` }];
  const misfits = (['from', 'to'] as const).flatMap((key): Problem[] => {
    const bound = filter[key];
    if (bound === undefined) return [];
    const fits = type === 'timestamp' ? typeof bound === 'string' && (bound === LOGICAL_DATE || parseTimestamp(bound) !== undefined) : typeof bound === 'number';
    return fits ? [] : [{ key, message: type === 'timestamp' ? `an ISO date such as 2015-12-31, or "${LOGICAL_DATE}"` : `a number for the ${type} column "${filter.column}"` }];
  });
  const { from, to } = filter;
  if (misfits.length > 0 || from === undefined || to === undefined || from === LOGICAL_DATE || to === LOGICAL_DATE) return misfits;
  return boundOf(from, false) > boundOf(to, true) ? [{ key: 'from', message: `from ${from} is after to ${to}: no row would be kept` }] : [];
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
