import type { ColumnType } from '../data/column-spec';
import type { Row } from '../data/typed-row';
import { DriftlineError } from '../errors';
import { countDistinct, runLengths } from '../stats/sorted-sample';

export type Category = string | number | boolean;

/**
 * One column's non-null values, in the form the tests read them: sorted for numeric columns
 * (sorted once, then every test is a linear merge), counted for categorical and boolean ones.
 */
export type ColumnValues =
  | { kind: 'numeric'; sorted: Float64Array; nulls: number }
  | { kind: 'categorical'; counts: Map<Category, number>; size: number; nulls: number };

export function columnValues(rows: readonly Row[], column: string, type: Exclude<ColumnType, 'timestamp'>): ColumnValues {
  return isNumeric(type) ? numericValues(rows, column) : categoricalValues(rows, column);
}

export function isNumeric(type: ColumnType): boolean {
  return type === 'numeric' || type === 'integer';
}

export function sizeOf(values: ColumnValues): number {
  return values.kind === 'numeric' ? values.sorted.length : values.size;
}

/** How many distinct non-null values a side holds. */
export function distinctCount(values: ColumnValues): number {
  return values.kind === 'numeric' ? countDistinct(values.sorted) : values.counts.size;
}

/** Every distinct value with its count; a numeric column's values become its categories. */
export function categoryCounts(values: ColumnValues): Map<Category, number> {
  return values.kind === 'numeric' ? runLengths(values.sorted) : values.counts;
}

/** NaN and ±Infinity count as missing, as Evidently drops them; NaN would also break the sorted merges. */
function numericValues(rows: readonly Row[], column: string): ColumnValues {
  const numbers = new Float64Array(rows.length);
  let size = 0;
  for (const row of rows) {
    const value = row[column] ?? null;
    if (typeof value === 'number') {
      if (Number.isFinite(value)) numbers[size++] = value;
    } else if (value !== null) {
      throw new DriftlineError('InvalidInput', `column "${column}" is declared numeric but holds ${JSON.stringify(value)}`);
    }
  }
  return { kind: 'numeric', sorted: numbers.subarray(0, size).sort(), nulls: rows.length - size };
}

function categoricalValues(rows: readonly Row[], column: string): ColumnValues {
  const counts = new Map<Category, number>();
  let nulls = 0;
  for (const row of rows) {
    const value = row[column] ?? null;
    if (value === null) nulls++;
    else counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return { kind: 'categorical', counts, size: rows.length - nulls, nulls };
}
