import { describe, expect, it } from 'vitest';
import { columnBuilder } from '../../lib/data/columns/column-builders';
import type { ColumnTable } from '../../lib/data/columns/column-table';
import { CopyBinaryParser } from '../../lib/data/columns/copy-binary';
import type { StoredColumn } from '../../lib/db/snapshots';

const SPECS: StoredColumn[] = [
  { name: 'x', type: 'numeric' },
  { name: 'city', type: 'categorical' },
  { name: 'ok', type: 'boolean' },
  { name: 'at', type: 'timestamp' },
];

type Cell = number | string | boolean | null;

/** Rows that exercise every field kind: awkward doubles, multi-byte and empty text, tabs and backslashes (escaped in text COPY, not in binary), nulls. */
const ROWS: Cell[][] = [
  [-0, 'Zürich', true, 1_700_000_000_123.456],
  [Number.MIN_VALUE, 'a\tb\\c\nd', false, -1e300],
  [null, null, null, null],
  [Infinity, '', true, NaN],
  [0.1 + 0.2, 'Zürich', false, 2 ** 53 + 2],
  // Longer than the parser first joins to a carried row: the join must grow.
  [1, 'long '.repeat(1500), true, 2],
];

/** What `COPY … TO STDOUT (FORMAT binary)` sends for ROWS, with a header extension the parser must skip. */
function binaryStream(rows: Cell[][]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(0), int32(3), Buffer.from([7, 7, 7])];
  for (const row of rows) {
    parts.push(int16(row.length));
    for (const cell of row) parts.push(...field(cell));
  }
  parts.push(int16(-1));
  return Buffer.concat(parts);
}

function field(cell: Cell): Buffer[] {
  if (cell === null) return [int32(-1)];
  const bytes = typeof cell === 'number' ? float8(cell) : typeof cell === 'boolean' ? Buffer.from([cell ? 1 : 0]) : Buffer.from(cell, 'utf8');
  return [int32(bytes.length), bytes];
}

const int16 = (value: number) => withWrite(2, (b) => b.writeInt16BE(value));
const int32 = (value: number) => withWrite(4, (b) => b.writeInt32BE(value));
const float8 = (value: number) => withWrite(8, (b) => b.writeDoubleBE(value));

function withWrite(size: number, write: (buffer: Buffer) => void): Buffer {
  const buffer = Buffer.alloc(size);
  write(buffer);
  return buffer;
}

/** The table the parser fills from the stream cut into `chunks`, and the progress it reported. */
function parse(chunks: Buffer[]): { table: ColumnTable; progress: number[] } {
  const builders = SPECS.map((spec) => columnBuilder(spec, 2));
  const progress: number[] = [];
  const parser = new CopyBinaryParser(builders, (rows) => progress.push(rows));
  for (const chunk of chunks) parser.push(chunk);
  const rowCount = parser.finish();
  return { table: { rowCount, specs: SPECS, columns: builders.map((builder) => builder.finish(rowCount)) }, progress };
}

/** The same rows through the builders' value path (what the row path's values give). */
function fromValues(rows: Cell[][]): ColumnTable {
  const builders = SPECS.map((spec) => columnBuilder(spec, rows.length));
  for (const row of rows) row.forEach((cell, i) => builders[i]?.pushValue(cell));
  return { rowCount: rows.length, specs: SPECS, columns: builders.map((builder) => builder.finish(rows.length)) };
}

describe('CopyBinaryParser', () => {
  const stream = binaryStream(ROWS);

  it('reads every field kind, nulls included, as the value path does', () => {
    const { table, progress } = parse([stream]);
    expect(table).toEqual(fromValues(ROWS));
    expect(progress).toEqual(ROWS.map((_, i) => i + 1));
    // toEqual does not tell -0 from 0.
    const x = table.columns[0];
    expect(x?.type === 'numeric' && Object.is(x.values[0], -0)).toBe(true);
  });

  it('gives the same table wherever one chunk boundary falls: inside the header, a row header, a length or a value', () => {
    const whole = parse([stream]).table;
    for (let cut = 0; cut <= stream.length; cut += 1) {
      expect(parse([stream.subarray(0, cut), stream.subarray(cut)]).table, `cut at ${cut}`).toEqual(whole);
    }
  });

  it('gives the same table from a stream of one-byte chunks', () => {
    const bytes = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
    expect(parse(bytes).table).toEqual(parse([stream]).table);
  });

  it('rejects a stream cut short, a row of the wrong width and bytes after the trailer', () => {
    for (const cut of [5, 30, stream.length - 1]) expect(() => parse([stream.subarray(0, cut)])).toThrow(/ended/);
    expect(() => parse([binaryStream([[1, 'a', true]])])).toThrow(/3 fields, not 4/);
    expect(() => parse([stream, int16(-1)])).toThrow(/after its trailer/);
  });
});
