import { describe, expect, it } from 'vitest';
import type { ColumnTable } from '../../lib/data/columns/column-table';
import { tableFromBytes, tableToBytes } from '../../lib/data/columns/table-bytes';

/** Every kind of column, with its nulls: NaN in numbers, code −1 in categories and booleans. */
const TABLE: ColumnTable = {
  rowCount: 5,
  specs: [
    { name: 'mass', type: 'numeric' },
    { name: 'count', type: 'integer' },
    { name: 'at', type: 'timestamp' },
    { name: 'island', type: 'categorical' },
    { name: 'tagged', type: 'boolean' },
  ],
  columns: [
    { type: 'numeric', values: new Float64Array([3750.5, Number.NaN, -0, Number.MIN_VALUE, 1e300]) },
    { type: 'integer', values: new Float64Array([1, 2, Number.NaN, 2 ** 53, -7]) },
    { type: 'timestamp', values: new Float64Array([1_700_000_000_123, Number.NaN, 0, -1, 2]) },
    { type: 'categorical', codes: new Int32Array([0, 1, -1, 2, 0]), dictionary: ['Biscoe', 'Dream', 'Torgersen — "Zürich"'] },
    { type: 'boolean', codes: new Int32Array([1, 0, -1, 1, 0]), dictionary: [false, true] },
  ],
};

/** The table as plain values, so NaN, −0 and array types compare exactly. */
function contents(table: ColumnTable) {
  return {
    rowCount: table.rowCount,
    specs: table.specs,
    columns: table.columns.map((column) =>
      'values' in column ? { type: column.type, kind: column.values.constructor.name, values: Array.from(column.values, (v) => (Object.is(v, -0) ? '-0' : v)) } : { type: column.type, kind: column.codes.constructor.name, codes: Array.from(column.codes), dictionary: [...column.dictionary] },
    ),
  };
}

describe('a column table as bytes (tableToBytes / tableFromBytes)', () => {
  it('reads back every column kind with its nulls and dictionaries', () => {
    const read = tableFromBytes(tableToBytes(TABLE));
    expect(contents(read)).toEqual(contents(TABLE));
  });

  it('reads back a table of zero rows with its columns and dictionaries', () => {
    const empty: ColumnTable = {
      rowCount: 0,
      specs: TABLE.specs,
      columns: TABLE.columns.map((column) => ('values' in column ? { ...column, values: new Float64Array(0) } : { ...column, codes: new Int32Array(0) })),
    };
    const read = tableFromBytes(tableToBytes(empty));
    expect(contents(read)).toEqual(contents(empty));
  });

  it('reads bytes that sit at an odd offset of a larger buffer (as a database driver hands a bytea), into arrays of their own', () => {
    const bytes = tableToBytes(TABLE);
    const larger = Buffer.alloc(bytes.length + 11, 0xff);
    bytes.copy(larger, 3);
    const inside = larger.subarray(3, 3 + bytes.length);
    expect(inside.byteOffset).toBe(3);
    const read = tableFromBytes(inside);
    expect(contents(read)).toEqual(contents(TABLE));
    // Each array is alone in its buffer: it can be transferred to a thread without the rest.
    for (const column of read.columns) {
      const array = 'values' in column ? column.values : column.codes;
      expect(array.byteOffset).toBe(0);
      expect(array.buffer.byteLength).toBe(array.byteLength);
    }
  });

  it('reads a Buffer as written, not the allocation behind it', () => {
    const written = tableToBytes(TABLE);
    expect(Buffer.isBuffer(written)).toBe(true);
    expect(contents(tableFromBytes(Buffer.from(written)))).toEqual(contents(TABLE));
  });
});
