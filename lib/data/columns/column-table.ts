import type { StoredColumn } from '../../db/snapshots';

/**
 * A snapshot held as one typed array per column instead of one object per row.
 *
 * Our own small type rather than Apache Arrow: the statistic and model kernels want plain
 * `Float64Array`s they can index (Arrow's vectors are chunked, with validity bitmaps a kernel
 * must consult cell by cell), nulls fit in the arrays themselves (NaN, code −1: no value is ever
 * NaN, ingest refuses it), and the whole table is a handful of `ArrayBuffer`s that move to a
 * worker thread by transfer, with nothing to rebuild on the other side. No dependency to add.
 */
export interface ColumnTable {
  rowCount: number;
  /** The columns' stored specs, in the order of `columns`. */
  specs: StoredColumn[];
  columns: Column[];
}

/** Numbers as they are; timestamps as epoch milliseconds (UTC instant); NaN for null. */
export interface NumberColumn {
  type: 'numeric' | 'integer' | 'timestamp';
  values: Float64Array;
}

/** Dictionary-encoded: `codes[row]` indexes `dictionary` (first-seen order); −1 for null. */
export interface CategoricalColumn {
  type: 'categorical';
  codes: Int32Array;
  dictionary: string[];
}

/** Dictionary-encoded like a category, with the fixed dictionary [false, true]: the code is the value. */
export interface BooleanColumn {
  type: 'boolean';
  codes: Int32Array;
  dictionary: readonly [false, true];
}

export type Column = NumberColumn | CategoricalColumn | BooleanColumn;

export const NULL_CODE = -1;
export const BOOLEAN_DICTIONARY = [false, true] as const;

/** The column called `name`; throws when the table was loaded without it. */
export function columnOf(table: ColumnTable, name: string): Column {
  const index = table.specs.findIndex((spec) => spec.name === name);
  if (index === -1) throw new Error(`the table has no column "${name}" (it has ${table.specs.map((s) => s.name).join(', ')})`);
  return table.columns[index] as Column;
}

/** The buffers to list in `postMessage(table, transferables(table))`: the arrays move, nothing is copied. */
export function transferables(table: ColumnTable): ArrayBuffer[] {
  return table.columns.map((column) => (column.type === 'categorical' || column.type === 'boolean' ? column.codes.buffer : column.values.buffer) as ArrayBuffer);
}

/** The bytes the table's arrays hold: what a loader must at least keep in memory. */
export function tableBytes(table: ColumnTable): number {
  return table.columns.reduce((sum, column) => sum + ('values' in column ? column.values.byteLength : column.codes.byteLength), 0);
}
