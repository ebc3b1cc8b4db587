import type { ColumnType } from '../data/column-spec';
import type { Frame } from '../data/columns/frame';
import { sortNumbers } from '../stats/radix-sort';
import { countDistinct, runLengths } from '../stats/sorted-sample';

export type Category = string | number | boolean;

/**
 * One column's non-null values, in the form the tests read them: sorted for numeric columns
 * (sorted once, then every test is a linear merge), counted for categorical and boolean ones.
 */
export type ColumnValues =
  | { kind: 'numeric'; sorted: Float64Array; nulls: number }
  | { kind: 'categorical'; counts: Map<Category, number>; size: number; nulls: number };

export function columnValues(frame: Frame, column: string, type: Exclude<ColumnType, 'timestamp'>): ColumnValues {
  return isNumeric(type) ? numericValues(frame, column) : categoricalValues(frame, column);
}

export function isNumeric(type: ColumnType): boolean {
  return type === 'numeric' || type === 'integer';
}

export function sizeOf(values: ColumnValues): number {
  return values.kind === 'numeric' ? values.sorted.length : values.size;
}

/** Distinct counts already made, by sorted sample: choosing the method and the buckets both ask. */
const distinctCounts = new WeakMap<Float64Array, number>();

/** How many distinct non-null values a side holds. */
export function distinctCount(values: ColumnValues): number {
  if (values.kind === 'categorical') return values.counts.size;
  let count = distinctCounts.get(values.sorted);
  if (count === undefined) distinctCounts.set(values.sorted, (count = countDistinct(values.sorted)));
  return count;
}

/** Every distinct value with its count; a numeric column's values become its categories. */
export function categoryCounts(values: ColumnValues): Map<Category, number> {
  return values.kind === 'numeric' ? runLengths(values.sorted) : values.counts;
}

/** NaN (null) and ±Infinity count as missing, as Evidently drops them; NaN would also break the sorted merges. */
function numericValues(frame: Frame, column: string): ColumnValues {
  const values = frame.numbers(column);
  const finite = new Float64Array(values.length);
  let size = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as number;
    if (Number.isFinite(value)) finite[size++] = value;
  }
  return { kind: 'numeric', sorted: sortNumbers(finite.subarray(0, size)), nulls: values.length - size };
}

/**
 * Counts per code, then the dictionary's values in the order the frame first shows them: the
 * order of a count over the rows themselves, on which the report's ties depend.
 */
function categoricalValues(frame: Frame, column: string): ColumnValues {
  const { codes, dictionary } = frame.codes(column);
  const perCode = new Int32Array(dictionary.length);
  const seen: number[] = [];
  let nulls = 0;
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i] as number;
    if (code < 0) {
      nulls++;
      continue;
    }
    const before = perCode[code] as number;
    if (before === 0) seen.push(code);
    perCode[code] = before + 1;
  }
  const counts = new Map<Category, number>(seen.map((code) => [dictionary[code] as Category, perCode[code] as number]));
  return { kind: 'categorical', counts, size: codes.length - nulls, nulls };
}
