import { columnOf, NULL_CODE, type Column, type ColumnTable } from '../data/columns/column-table';
import { frameOfRows } from '../data/columns/frame';
import type { Row } from '../data/typed-row';
import { buildFeatures, featureOrder, type FeaturePlan } from '../model/features';
import type { ColumnSpecs } from '../data/column-spec';

/** A request's feature rows, each with the request row it was built from. */
export interface RequestFeatures {
  x: number[][];
  /** Index into the request's rows of each feature row. */
  inputRows: number[];
}

/**
 * Builds the model's features from checked request rows, as training and batch scoring do (the
 * rows are put in time order, per group). A row without enough history before it in the request,
 * or with a missing value the model needs, has no feature row, so no prediction.
 */
export function requestFeatures(rows: readonly Row[], columns: ColumnSpecs, plan: FeaturePlan): RequestFeatures {
  const frame = frameOfRows(rows, columns);
  const { x, row } = buildFeatures(frame, plan);
  const order = featureOrder(frame, plan);
  return { x, inputRows: row.map((t) => order[t] as number) };
}

/**
 * The key actuals are joined on: the row's key column values ("|" between several), or undefined
 * when the pipeline has no key or the row does not carry all of it.
 */
export function rowKeyOf(row: Row, keyColumns: readonly string[]): string | undefined {
  if (keyColumns.length === 0) return undefined;
  const values = keyColumns.map((column) => row[column]);
  return values.every((value) => value !== null && value !== undefined) ? values.map(String).join('|') : undefined;
}

/**
 * The keys of a table's rows at `rows`, as `rowKeyOf` makes them from row objects (a timestamp
 * as ISO 8601, a number as JavaScript prints it), undefined where a key column is null.
 */
export function tableRowKeys(table: ColumnTable, keyColumns: readonly string[], rows: ArrayLike<number>): (string | undefined)[] {
  if (keyColumns.length === 0) return Array.from({ length: rows.length }, () => undefined);
  const texts = keyColumns.map((name) => keyText(columnOf(table, name)));
  return Array.from({ length: rows.length }, (_, i) => {
    const row = rows[i] as number;
    const parts = texts.map((text) => text(row));
    return parts.includes(undefined) ? undefined : parts.join('|');
  });
}

function keyText(column: Column): (row: number) => string | undefined {
  if ('values' in column) {
    const { values } = column;
    const format = column.type === 'timestamp' ? (value: number) => new Date(value).toISOString() : String;
    return (row) => (Number.isNaN(values[row]) ? undefined : format(values[row] as number));
  }
  const { codes, dictionary } = column;
  return (row) => (codes[row] === NULL_CODE ? undefined : String(dictionary[codes[row] as number]));
}
