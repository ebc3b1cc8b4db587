import { mkdtempSync, writeFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ColumnSpec, type ColumnSpecs } from '../../lib/data/column-spec';
import { columnOf, transferables, type Column, type ColumnTable } from '../../lib/data/columns/column-table';
import { loadSnapshotColumns, PROGRESS_ROWS } from '../../lib/data/columns/load-snapshot-columns';
import { ingest } from '../../lib/data/ingest';
import { DataSource } from '../../lib/data/source-spec';
import { openSource } from '../../lib/data/sources/open-source';
import type { Cell, Row } from '../../lib/data/typed-row';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../lib/db/embedded-postgres';
import { migrateUp } from '../../lib/db/migrate';
import { createPool, type Pool } from '../../lib/db/pool';
import { loadSnapshotRows } from '../../lib/db/snapshots';
import { freePort } from '../support/free-port';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'driftline-columns-'));

const COLUMNS: ColumnSpecs = Object.fromEntries(
  Object.entries({
    amount: { type: 'numeric', nullable: true },
    count: { type: 'integer', nullable: true },
    city: { type: 'categorical', nullable: true },
    flag: { type: 'boolean', nullable: true },
    at: { type: 'timestamp', nullable: true },
  }).map(([name, spec]) => [name, ColumnSpec.parse(spec)]),
);

/** Every edge the columns must carry: extreme and awkward numbers, nulls everywhere, non-ASCII and escaped text, offsets. */
const EDGE_CSV = [
  'amount,count,city,flag,at',
  '0.1,0,Zürich,true,2024-01-01',
  '-0,9007199254740991,東京,false,2024-03-10T01:30:00-05:00',
  '1.7976931348623157e308,-9007199254740991,"a, quoted ""one""",,2024-03-10T01:30:00+09:30',
  '5e-324,,,true,1969-12-31T23:59:59.999Z',
  ',42,"tab\there",false,',
  '123456789.123456789,1234567890123,"back\\slash",true,2000-02-29 12:34:56.789+01:00',
  '-2.5e-10,-1,"line\nbreak",false,1900-01-01T00:00:00Z',
  '0.30000000000000004,7,Zürich,true,2024-01-01T00:00:00.001Z',
  // A quoted empty field is null too, as everywhere in ingest.
  '1e21,8,"",,2262-04-11T23:47:16.854Z',
  '3.14159,9,東京,false,2024-06-30T23:59:59+14:00',
].join('\n');

let pool: Pool;

beforeAll(() => {
  pool = createPool(inject('databaseUrl'));
});

afterAll(async () => {
  await pool?.end();
});

async function ingestCsv(db: Pool, name: string, csv: string, columns: ColumnSpecs = COLUMNS): Promise<number> {
  const file = path.join(scratch, `${name}.csv`);
  writeFileSync(file, `${csv}\n`);
  const source = DataSource.parse({ kind: 'file', path: file });
  const outcome = await ingest(db, { pipeline: `columns-${name}`, columns, source, opened: openSource(source, columns, { specDir: scratch, pool: db }) });
  expect(outcome.quarantinedCount).toBe(0);
  return outcome.id;
}

/** A cell of the table as the row path would give it: the comparison is of values, not of representations. */
function cellOf(column: Column, row: number): Cell {
  if (column.type === 'categorical' || column.type === 'boolean') {
    const code = column.codes[row] as number;
    return code === -1 ? null : (column.dictionary[code] as Cell);
  }
  const value = column.values[row] as number;
  if (Number.isNaN(value)) return null;
  return column.type === 'timestamp' ? new Date(value).toISOString() : value;
}

function asRows(table: ColumnTable): Row[] {
  return Array.from({ length: table.rowCount }, (_, row) => Object.fromEntries(table.specs.map((spec, i) => [spec.name, cellOf(table.columns[i] as Column, row)])));
}

/** Exactly equal, value for value: Object.is tells -0 from 0 as well. */
function expectSameRows(table: ColumnTable, rows: Row[]): void {
  expect(table.rowCount).toBe(rows.length);
  const fromColumns = asRows(table);
  rows.forEach((row, r) => {
    for (const [name, value] of Object.entries(row)) {
      if (!Object.is(fromColumns[r]?.[name], value)) expect({ row: r, name, value: fromColumns[r]?.[name] }).toEqual({ row: r, name, value });
    }
  });
  expect(fromColumns).toEqual(rows);
}

describe('loadSnapshotColumns (PostgreSQL, COPY TO)', () => {
  it('round-trips every column type exactly against loadSnapshotRows', async () => {
    const id = await ingestCsv(pool, 'edges', EDGE_CSV);
    const table = await loadSnapshotColumns(pool, id);
    expect(table.specs.map((s) => s.name)).toEqual(Object.keys(COLUMNS));
    expectSameRows(table, await loadSnapshotRows(pool, id));
    // The representation itself: NaN and −1 for null, dictionaries in first-seen order, instants as epoch ms.
    const amount = columnOf(table, 'amount');
    expect(amount.type === 'numeric' && Number.isNaN(amount.values[4] as number)).toBe(true);
    expect(columnOf(table, 'city')).toMatchObject({ dictionary: ['Zürich', '東京', 'a, quoted "one"', 'tab\there', 'back\\slash', 'line\nbreak'] });
    expect(Array.from((columnOf(table, 'city') as { codes: Int32Array }).codes)).toEqual([0, 1, 2, -1, 3, 4, 5, 0, -1, 1]);
    expect(Array.from((columnOf(table, 'flag') as { codes: Int32Array }).codes)).toEqual([1, 0, -1, 1, 0, 1, 0, 1, -1, 0]);
    const at = columnOf(table, 'at') as { values: Float64Array };
    expect(at.values[1]).toBe(Date.UTC(2024, 2, 10, 6, 30));
    expect(at.values[2]).toBe(Date.UTC(2024, 2, 9, 16, 0));
  });

  it('reads only the columns asked for, in the order asked', async () => {
    const id = await ingestCsv(pool, 'edges', EDGE_CSV);
    const table = await loadSnapshotColumns(pool, id, ['at', 'city']);
    expect(table.specs.map((s) => s.name)).toEqual(['at', 'city']);
    const rows = (await loadSnapshotRows(pool, id)).map((row) => ({ at: row.at ?? null, city: row.city ?? null }));
    expectSameRows(table, rows);
    await expect(loadSnapshotColumns(pool, id, ['nope'])).rejects.toThrow(/no column "nope"/);
  });

  it('reports progress every 65,536 rows and at the end, over a snapshot spanning many stream chunks', async () => {
    const n = 3 * PROGRESS_ROWS + 123;
    const csv = ['amount,count,city,flag,at', ...Array.from({ length: n }, (_, i) => `${i / 7},${i * 1_000_003},c${i % 97},${i % 3 === 0},${new Date(Date.UTC(2020, 0, 1) + i * 1000).toISOString()}`)].join('\n');
    const id = await ingestCsv(pool, 'many', csv);
    const seen: number[] = [];
    const table = await loadSnapshotColumns(pool, id, undefined, (rows) => seen.push(rows));
    expect(seen).toEqual([PROGRESS_ROWS, 2 * PROGRESS_ROWS, 3 * PROGRESS_ROWS, n]);
    expectSameRows(table, await loadSnapshotRows(pool, id));
    // Each array is alone in a buffer of exactly its rows: transferring it moves nothing else.
    for (const buffer of transferables(table)) expect([n * 8, n * 4]).toContain(buffer.byteLength);
    expect(new Set(transferables(table)).size).toBe(table.columns.length);
  });

  it('moves to another thread by transfer: the sender\'s arrays are detached, the receiver\'s hold the same values', async () => {
    const id = await ingestCsv(pool, 'edges', EDGE_CSV);
    const table = await loadSnapshotColumns(pool, id);
    const expected = asRows(table);
    const { port1, port2 } = new MessageChannel();
    const received = new Promise<ColumnTable>((resolve) => port2.once('message', resolve));
    port1.postMessage(table, transferables(table));
    const moved = await received;
    port1.close();
    expect(table.columns.every((column) => ('values' in column ? column.values : column.codes).length === 0)).toBe(true);
    expect(asRows(moved)).toEqual(expected);
  });
});

describe('loadSnapshotColumns on the embedded PostgreSQL (no COPY: batched SELECTs)', () => {
  let embedded: EmbeddedPostgres;
  let embeddedPool: Pool;

  beforeAll(async () => {
    embedded = await startEmbeddedPostgres(mkdtempSync(path.join(os.tmpdir(), 'driftline-columns-pgdata-')), await freePort());
    await migrateUp(embedded.url);
    embeddedPool = createPool(embedded.url);
  });

  afterAll(async () => {
    await embeddedPool?.end();
    await embedded?.stop();
  });

  it('gives the same table as COPY does, and the row path, value for value', async () => {
    const id = await ingestCsv(embeddedPool, 'edges', EDGE_CSV);
    const table = await loadSnapshotColumns(embeddedPool, id);
    expectSameRows(table, await loadSnapshotRows(embeddedPool, id));
    const overCopy = await loadSnapshotColumns(pool, await ingestCsv(pool, 'edges', EDGE_CSV));
    expect(table).toEqual(overCopy);
  });
});
