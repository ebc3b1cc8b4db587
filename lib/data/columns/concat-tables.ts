import type { StoredColumn } from '../../db/snapshots';
import { DriftlineError } from '../../errors';
import { BOOLEAN_DICTIONARY, NULL_CODE, type Column, type ColumnTable } from './column-table';

/**
 * The tables' rows one after another, as one table with the columns of the last (the newest
 * snapshot's): a column an older table lacks is null there, as a missing key of a row object was.
 * Categories share one dictionary, in first-seen order over all the rows, as if one stream had
 * been loaded. A single table is returned as it is.
 */
export function concatTables(tables: readonly ColumnTable[]): ColumnTable {
  const last = tables.at(-1);
  if (last === undefined) throw new Error('nothing to concatenate: no tables');
  if (tables.length === 1) return last;
  const rowCount = tables.reduce((sum, table) => sum + table.rowCount, 0);
  const columns = last.specs.map((spec) => concatColumn(spec, tables.map((table) => columnIn(table, spec)), rowCount));
  return { rowCount, specs: last.specs, columns };
}

/** The table's column called like `spec` (undefined when it has none); a column that changed type cannot be joined. */
function columnIn(table: ColumnTable, spec: StoredColumn): { rows: number; column?: Column } {
  const index = table.specs.findIndex((s) => s.name === spec.name);
  if (index === -1) return { rows: table.rowCount };
  const column = table.columns[index] as Column;
  // The spec changed the column's type after data arrived: no retry can make the two one column.
  if (column.type !== spec.type) {
    throw new DriftlineError('InvalidInput', `columns.${spec.name}.type: "${spec.name}" is ${column.type} in an earlier snapshot and ${spec.type} in the newest; the pipeline's snapshots cannot be read as one table`);
  }
  return { rows: table.rowCount, column };
}

function concatColumn(spec: StoredColumn, parts: { rows: number; column?: Column }[], rowCount: number): Column {
  switch (spec.type) {
    case 'numeric':
    case 'integer':
    case 'timestamp': {
      const values = new Float64Array(rowCount).fill(Number.NaN);
      let at = 0;
      for (const { rows, column } of parts) {
        if (column && 'values' in column) values.set(column.values, at);
        at += rows;
      }
      return { type: spec.type, values };
    }
    case 'boolean':
      return { type: 'boolean', codes: concatCodes(parts, rowCount, (code) => code), dictionary: BOOLEAN_DICTIONARY };
    case 'categorical': {
      const dictionary: string[] = [];
      const index = new Map<string, number>();
      const codeOf = (value: string) => {
        let code = index.get(value);
        if (code === undefined) index.set(value, (code = dictionary.push(value) - 1));
        return code;
      };
      // Each part's codes are recoded into the shared dictionary, its values taken in the order they first appear.
      const codes = concatCodes(parts, rowCount, (code, dictionaryOfPart) => codeOf(dictionaryOfPart[code] as string));
      return { type: 'categorical', codes, dictionary };
    }
  }
}

function concatCodes(parts: { rows: number; column?: Column }[], rowCount: number, recode: (code: number, dictionary: readonly unknown[]) => number): Int32Array {
  const codes = new Int32Array(rowCount).fill(NULL_CODE);
  let at = 0;
  for (const { rows, column } of parts) {
    if (column && 'codes' in column) {
      const recoded = new Int32Array(column.dictionary.length).fill(NULL_CODE);
      for (let i = 0; i < rows; i += 1) {
        const code = column.codes[i] as number;
        if (code === NULL_CODE) continue;
        if (recoded[code] === NULL_CODE) recoded[code] = recode(code, column.dictionary);
        codes[at + i] = recoded[code] as number;
      }
    }
    at += rows;
  }
  return codes;
}
