import type { StoredColumn } from '../../db/snapshots';
import { DriftlineError } from '../../errors';
import type { ColumnSpec } from '../column-spec';
import type { Cell, Row } from '../typed-row';
import { BOOLEAN_DICTIONARY, type Column, type ColumnTable, columnOf, NULL_CODE } from './column-table';

/** A categorical or boolean column as codes into its dictionary (−1 for null). */
export interface Codes {
  codes: Int32Array;
  dictionary: readonly (string | boolean)[];
}

/**
 * Some rows seen through their columns: what every scan (profiles, drift, features, metrics)
 * reads, so one kernel serves a loaded `ColumnTable` (or a window of it) and, at the edges, a
 * handful of row objects (one prediction request, a test's fixture).
 */
export interface Frame {
  readonly rowCount: number;
  /** A numeric, integer or timestamp column, one number per row: NaN for null, timestamps as epoch milliseconds. */
  numbers(column: string): Float64Array;
  /** A categorical or boolean column, one code per row. */
  codes(column: string): Codes;
}

/**
 * The table's rows — or only those at `rows` (positions into the table, in the order to read
 * them) — as a frame. Without `rows` the arrays are the table's own; when `rows` are consecutive
 * (a window of rows already in order) they are views of the table's arrays; otherwise each column
 * is gathered once, when first read.
 */
export function frameOfTable(table: ColumnTable, rows?: Int32Array): Frame {
  const numbers = new Map<string, Float64Array>();
  const codes = new Map<string, Codes>();
  const pick = picker(rows);
  return {
    rowCount: rows === undefined ? table.rowCount : rows.length,
    numbers: (name) => cached(numbers, name, () => pick(numberArray(columnOf(table, name), name))),
    codes: (name) =>
      cached(codes, name, () => {
        const column = codeColumn(columnOf(table, name), name);
        return { codes: pick(column.codes), dictionary: column.dictionary };
      }),
  };
}

/** How a column's values at `rows` are read: the array itself, a view of a consecutive stretch, or a gathered copy. */
function picker(rows: Int32Array | undefined): <T extends Float64Array | Int32Array>(values: T) => T {
  if (rows === undefined) return (values) => values;
  const start = rows[0] ?? 0;
  for (let i = 1; i < rows.length; i += 1) if (rows[i] !== start + i) return (values) => gather(values, rows);
  // A window of a large table would otherwise copy every column it reads, doubling what memory holds.
  return (values) => values.subarray(start, start + rows.length) as typeof values;
}

/** Row objects (as `loadSnapshotRows` returns them) seen as a frame: each column built once, when first read. */
export function frameOfRows(rows: readonly Row[], specs: Record<string, ColumnSpec>): Frame {
  const numbers = new Map<string, Float64Array>();
  const codes = new Map<string, Codes>();
  const typeOf = (name: string) => {
    const spec = specs[name];
    if (spec === undefined) throw new Error(`the rows have no declared column "${name}"`);
    return spec.type;
  };
  return {
    rowCount: rows.length,
    numbers: (name) => cached(numbers, name, () => numbersOfRows(rows, name, typeOf(name))),
    codes: (name) => cached(codes, name, () => codesOfRows(rows, name, typeOf(name))),
  };
}

/**
 * The frame's rows as row objects (as `loadSnapshotRows` gives them: ISO 8601 UTC times, null for
 * missing), with the columns of `specs` — or only the rows at `rows`: for the edges that still
 * take rows (a handful of them, as a prediction request would carry).
 */
export function rowsOfFrame(frame: Frame, specs: Record<string, ColumnSpec>, rows?: Int32Array): Row[] {
  const cells = Object.entries(specs).map(([name, { type }]) => [name, cellReader(frame, name, type)] as const);
  const picked = rows ?? Int32Array.from({ length: frame.rowCount }, (_, i) => i);
  return Array.from(picked, (row) => Object.fromEntries(cells.map(([name, cell]) => [name, cell(row)])));
}

/** The frame's columns `specs`, at `rows` (positions, in the order to keep them), as a table of their own. */
export function tableOfFrame(frame: Frame, specs: readonly StoredColumn[], rows: Int32Array): ColumnTable {
  return {
    rowCount: rows.length,
    specs: [...specs],
    columns: specs.map(({ name, type }): Column => {
      if (type === 'categorical') {
        const { codes, dictionary } = frame.codes(name);
        return { type, codes: gather(codes, rows), dictionary: dictionary as string[] };
      }
      if (type === 'boolean') return { type, codes: gather(frame.codes(name).codes, rows), dictionary: BOOLEAN_DICTIONARY };
      return { type, values: gather(frame.numbers(name), rows) };
    }),
  };
}

function cellReader(frame: Frame, name: string, type: ColumnSpec['type']): (row: number) => Cell {
  if (type === 'categorical' || type === 'boolean') {
    const { codes, dictionary } = frame.codes(name);
    return (row) => {
      const code = codes[row] as number;
      return code === NULL_CODE ? null : (dictionary[code] as Cell);
    };
  }
  const values = frame.numbers(name);
  return (row) => {
    const value = values[row] as number;
    if (Number.isNaN(value)) return null;
    return type === 'timestamp' ? new Date(value).toISOString() : value;
  };
}

function numbersOfRows(rows: readonly Row[], name: string, type: ColumnSpec['type']): Float64Array {
  if (type === 'categorical' || type === 'boolean') throw new Error(`column "${name}" is ${type}, not a number column`);
  const values = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    const cell = row[name] ?? null;
    // A row object is an edge: a cell of the wrong type is refused, not coerced.
    if (cell !== null && typeof cell !== (type === 'timestamp' ? 'string' : 'number')) {
      throw new DriftlineError('InvalidInput', `column "${name}" is declared ${type} but holds ${JSON.stringify(cell)}`);
    }
    values[i] = cell === null ? Number.NaN : type === 'timestamp' ? Date.parse(cell as string) : (cell as number);
  });
  return values;
}

function codesOfRows(rows: readonly Row[], name: string, type: ColumnSpec['type']): Codes {
  if (type !== 'categorical' && type !== 'boolean') throw new Error(`column "${name}" is ${type}, not a category column`);
  const codes = new Int32Array(rows.length);
  if (type === 'boolean') {
    rows.forEach((row, i) => (codes[i] = row[name] === null || row[name] === undefined ? NULL_CODE : row[name] === true ? 1 : 0));
    return { codes, dictionary: BOOLEAN_DICTIONARY };
  }
  // First-seen order, as the column loader builds its dictionary.
  const index = new Map<string, number>();
  rows.forEach((row, i) => {
    const cell = row[name] ?? null;
    if (cell === null) return void (codes[i] = NULL_CODE);
    const value = String(cell);
    let code = index.get(value);
    if (code === undefined) index.set(value, (code = index.size));
    codes[i] = code;
  });
  return { codes, dictionary: [...index.keys()] };
}

function numberArray(column: Column, name: string): Float64Array {
  if (!('values' in column)) throw new Error(`column "${name}" is ${column.type}, not a number column`);
  return column.values;
}

function codeColumn(column: Column, name: string): Codes {
  if (!('codes' in column)) throw new Error(`column "${name}" is ${column.type}, not a category column`);
  return column;
}

function gather<T extends Float64Array | Int32Array>(values: T, rows: Int32Array): T {
  const picked = new (values.constructor as new (length: number) => T)(rows.length);
  for (let i = 0; i < rows.length; i += 1) picked[i] = values[rows[i] as number] as number;
  return picked;
}

function cached<V>(cache: Map<string, V>, name: string, build: () => V): V {
  let value = cache.get(name);
  if (value === undefined) cache.set(name, (value = build()));
  return value;
}
