import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ColumnSpec, type ColumnSpecs } from '../../lib/data/column-spec';
import { ingest, type IngestOutcome } from '../../lib/data/ingest';
import { DataSource } from '../../lib/data/source-spec';
import { fileChunks } from '../../lib/data/sources/file-chunks';
import { openSource, type OpenedSource } from '../../lib/data/sources/open-source';
import { createPool, type Pool } from '../../lib/db/pool';
import { findDuplicateKeys, getSnapshot, loadSnapshotRows } from '../../lib/db/snapshots';
import { DriftlineError } from '../../lib/errors';

const PIPELINE = 'ingest-sources-it';
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/ingest/${name}`, import.meta.url));
const scratch = mkdtempSync(path.join(os.tmpdir(), 'driftline-ingest-'));

const COLUMNS: ColumnSpecs = columns({
  id: { type: 'integer' },
  day: { type: 'timestamp' },
  amount: { type: 'numeric', min: 0 },
  region: { type: 'categorical', values: ['north', 'south', 'east', 'west'] },
  flag: { type: 'boolean', nullable: true },
});
const FREE_REGION = { ...COLUMNS, region: ColumnSpec.parse({ type: 'categorical' }) };

function columns(raw: Record<string, unknown>): ColumnSpecs {
  return Object.fromEntries(Object.entries(raw).map(([name, spec]) => [name, ColumnSpec.parse(spec)]));
}

let pool: Pool;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  pool = createPool(inject('databaseUrl'));
  // A loopback server standing in for a remote data source.
  server = createServer((request, response) => {
    if (request.url === '/sales.jsonl') {
      response.end('{"id": 1, "day": "2024-01-01", "amount": 1, "region": "north", "flag": true}\n');
    } else if (request.url === '/broken') {
      response.writeHead(500, 'Internal Server Error').end('boom');
    } else {
      response.writeHead(404, 'Not Found').end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await pool?.end();
});

function ingestSource(raw: Record<string, unknown>, cols: ColumnSpecs = COLUMNS, wrap?: (opened: OpenedSource) => OpenedSource) {
  const source = DataSource.parse(raw);
  const opened = openSource(source, cols, { specDir: scratch, pool });
  return ingest(pool, { pipeline: PIPELINE, columns: cols, source, opened: wrap ? wrap(opened) : opened });
}

const ingestFile = (file: string, cols: ColumnSpecs = COLUMNS, extra: Record<string, unknown> = {}) =>
  ingestSource({ kind: 'file', path: file, ...extra }, cols);

async function quarantine(snapshotId: number) {
  const result = await pool.query('SELECT line, raw, reason FROM quarantined_rows WHERE snapshot_id = $1 ORDER BY line', [snapshotId]);
  return result.rows as { line: number; raw: string; reason: string }[];
}

/** What is stored agrees with what the ingest says, and nothing read went missing. */
async function expectConsistent(outcome: IngestOutcome) {
  expect(outcome.rowCount + outcome.quarantinedCount).toBe(outcome.rowsRead);
  const stored = await pool.query(`SELECT count(*)::int AS n FROM snapshot_data.rows_${outcome.id}`);
  expect(stored.rows[0].n).toBe(outcome.rowCount);
  expect((await quarantine(outcome.id)).length).toBe(outcome.quarantinedCount);
  const snapshot = await getSnapshot(pool, outcome.id);
  expect(snapshot).toMatchObject({ rowsRead: outcome.rowsRead, rowCount: outcome.rowCount, quarantinedCount: outcome.quarantinedCount });
}

async function storedState() {
  const result = await pool.query(`SELECT (SELECT count(*) FROM snapshots)::int AS snapshots,
    (SELECT count(*) FROM pg_tables WHERE schemaname = 'snapshot_data')::int AS tables,
    (SELECT count(*) FROM quarantined_rows)::int AS quarantined`);
  return result.rows[0] as { snapshots: number; tables: number; quarantined: number };
}

async function expectFailure(attempt: Promise<unknown>, type: 'InvalidInput' | 'retryable', message: RegExp) {
  const error = await attempt.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toMatch(message);
  if (type === 'retryable') expect(error).not.toBeInstanceOf(DriftlineError);
  else expect((error as DriftlineError).type).toBe(type);
}

describe('ingesting files into snapshots', () => {
  it('stores typed rows, a profile and the counts of a clean file', async () => {
    const outcome = await ingestFile(fixture('good.csv'));
    expect(outcome).toMatchObject({ rowsRead: 4, rowCount: 4, quarantinedCount: 0, created: true });
    await expectConsistent(outcome);
    expect(await loadSnapshotRows(pool, outcome.id)).toEqual([
      { id: 1, day: '2024-01-01T00:00:00.000Z', amount: 10.5, region: 'north', flag: true },
      { id: 2, day: '2024-01-02T00:00:00.000Z', amount: 20, region: 'south', flag: false },
      { id: 3, day: '2024-01-03T12:00:00.000Z', amount: 30.25, region: 'east', flag: null },
      { id: 4, day: '2024-01-04T00:00:00.000Z', amount: 0, region: 'west', flag: true },
    ]);
    const { profile } = await getSnapshot(pool, outcome.id);
    expect(profile?.amount).toMatchObject({ kind: 'numeric', count: 4, nulls: 0, min: 0, max: 30.25, mean: 15.1875 });
    expect(profile?.flag).toMatchObject({ kind: 'categorical', count: 3, nulls: 1, top: [{ value: 'true', count: 2 }, { value: 'false', count: 1 }] });
    expect(profile?.day).toMatchObject({ min: Date.parse('2024-01-01T00:00:00Z'), max: Date.parse('2024-01-04T00:00:00Z') });
  });

  it('returns the existing snapshot for identical data and writes nothing; a changed file makes a new one', async () => {
    const first = await ingestFile(fixture('good.csv'));
    const before = await storedState();
    const again = await ingestFile(fixture('good.csv'));
    expect(again).toMatchObject({ id: first.id, digest: first.digest, created: false });
    expect(await storedState()).toEqual(before);

    const changed = path.join(scratch, 'changed.csv');
    writeFileSync(changed, `${readFileSync(fixture('good.csv'), 'utf8')}5,2024-01-05,1,north,false\n`);
    const next = await ingestFile(changed);
    expect(next.created).toBe(true);
    expect(next.id).not.toBe(first.id);
    expect(next.digest).not.toBe(first.digest);
  });

  it('stores one snapshot when two ingests of the same new data race', async () => {
    const file = path.join(scratch, 'raced.csv');
    writeFileSync(file, `id,day,amount,region,flag\n${Array.from({ length: 20_000 }, (_, i) => `${i},2024-01-01,${i},east,true`).join('\n')}\n`);
    const before = await storedState();
    const [a, b] = await Promise.all([ingestFile(file), ingestFile(file)]);
    expect(a.id).toBe(b.id);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect((await storedState()).snapshots).toBe(before.snapshots + 1);
    expect((await storedState()).tables).toBe(before.tables + 1);
  });

  it('digests content, not formatting: "20" and "20.0", CRLF and quotes make the same snapshot', async () => {
    const reformatted = path.join(scratch, 'reformatted.csv');
    writeFileSync(reformatted, 'region,flag,id,day,amount\r\n"north",TRUE,1,2024-01-01T00:00:00.000Z,10.50\r\nsouth,f,2,2024-01-02,20.0\r\neast,,3,2024-01-03 12:00:00+00:00,30.25\r\nwest,1,4,2024-01-04,0\r\n');
    const original = await ingestFile(fixture('good.csv'));
    expect((await ingestFile(reformatted)).digest).toBe(original.digest);
  });

  it('ignores columns the spec does not declare', async () => {
    const outcome = await ingestFile(fixture('extra-columns.csv'));
    expect(outcome).toMatchObject({ rowCount: 2, quarantinedCount: 0 });
    expect(Object.keys((await loadSnapshotRows(pool, outcome.id))[0] ?? {})).toEqual(['id', 'day', 'amount', 'region', 'flag']);
  });

  it('keeps a quoted field with a line break and doubled quotes, and counts lines from where each record starts', async () => {
    const outcome = await ingestFile(fixture('quoted-newlines.csv'), FREE_REGION);
    expect(outcome).toMatchObject({ rowCount: 4, quarantinedCount: 0 });
    const rows = await loadSnapshotRows(pool, outcome.id);
    expect(rows.map((r) => r.region)).toEqual(['north', 'south\r\nwith a line break', 'we said "west"', 'west']);
  });

  it('quarantines ragged rows with their line, raw text and reason, and loads the rest', async () => {
    const outcome = await ingestFile(fixture('ragged.csv'));
    expect(outcome).toMatchObject({ rowsRead: 4, rowCount: 2, quarantinedCount: 2 });
    await expectConsistent(outcome);
    expect(await quarantine(outcome.id)).toEqual([
      { line: 3, raw: '2,2024-01-02', reason: 'the record has 2 field(s), the header has 5' },
      { line: 4, raw: '3,2024-01-03,30,east,false,surplus', reason: 'the record has 6 field(s), the header has 5' },
    ]);
  });

  it('quarantines NaN, Infinity, 1e400 and every other broken rule with a reason', async () => {
    const outcome = await ingestFile(fixture('bad-values.csv'));
    await expectConsistent(outcome);
    expect(outcome).toMatchObject({ rowsRead: 11, rowCount: 1, quarantinedCount: 10 });
    expect((await quarantine(outcome.id)).map(({ line, reason }) => `${line}: ${reason}`)).toEqual([
      '2: column "amount": "NaN" is not a valid numeric (NaN and infinities are not accepted)',
      '3: column "amount": "Infinity" is not a valid numeric (NaN and infinities are not accepted)',
      '4: column "amount": "1e400" is not a valid numeric (beyond the range of a 64-bit float)',
      '5: column "amount": "-5" is outside [0, ∞]',
      '6: column "amount": "0x1A" is not a valid numeric',
      '8: column "day": "2024-02-30" is not a valid timestamp',
      '9: column "region": "mars" is not one of the allowed values (north, south, east, west)',
      '10: column "flag": "maybe" is not a valid boolean',
      '11: column "id": "10.5" is not a valid integer (not a whole number within ±2^53)',
      '12: column "id" is empty but not nullable',
    ]);
    expect((await loadSnapshotRows(pool, outcome.id))[0]).toMatchObject({ id: 6, amount: 1000 });
  });

  it('quarantines a row holding bytes that are not UTF-8, not the whole file', async () => {
    const outcome = await ingestFile(fixture('latin1.csv'), FREE_REGION);
    expect(outcome).toMatchObject({ rowCount: 2, quarantinedCount: 1 });
    const [row] = await quarantine(outcome.id);
    expect(row).toMatchObject({ line: 3, reason: 'column "region": "sou�th" is not a valid categorical (it holds bytes that are not valid UTF-8)' });
  });

  it('quarantines each row holding a NUL byte, in the first 64 KB or far after, and stores its raw text', async () => {
    const file = path.join(scratch, 'nul-rows.csv');
    const rows = Array.from({ length: 3_000 }, (_, i) => `${i + 1},2024-01-01,${i},north,${i === 9 || i === 2_899 ? 'tr\0ue' : 'true'}`);
    writeFileSync(file, ['id,day,amount,region,flag', ...rows].join('\n'));
    const outcome = await ingestFile(file);
    expect(outcome).toMatchObject({ rowsRead: 3_000, rowCount: 2_998, quarantinedCount: 2 });
    await expectConsistent(outcome);
    expect(await quarantine(outcome.id)).toEqual([
      { line: 11, raw: '10,2024-01-01,9,north,tr\u2400ue', reason: 'it holds a NUL byte: binary data, not text' },
      { line: 2_901, raw: '2900,2024-01-01,2899,north,tr\u2400ue', reason: 'it holds a NUL byte: binary data, not text' },
    ]);
  });

  it('quarantines only the line of a quote never closed, not the 59 good rows after it', async () => {
    const file = path.join(scratch, 'stray-quote.csv');
    const good = Array.from({ length: 59 }, (_, i) => `${i + 2},2024-01-01,${i},south,false`);
    writeFileSync(file, ['id,day,amount,region,flag', '1,2024-01-01,1,"north,true', ...good, '61,2024-01-02,5,"east",true'].join('\n'));
    const outcome = await ingestFile(file);
    expect(outcome).toMatchObject({ rowsRead: 61, rowCount: 60, quarantinedCount: 1 });
    await expectConsistent(outcome);
    expect(await quarantine(outcome.id)).toEqual([
      { line: 2, raw: '1,2024-01-01,1,"north,true', reason: 'a quote opened on this line is never properly closed; the lines after it are read on their own' },
    ]);
  });

  it('quarantines a 10 MB field without holding it, and keeps the rows around it', async () => {
    const file = path.join(scratch, 'huge-field.csv');
    writeFileSync(file, `id,day,amount,region,flag\n1,2024-01-01,1,north,true\n2,2024-01-02,2,"${'x'.repeat(10 * 1024 * 1024)}",true\n3,2024-01-03,3,south,false\n`);
    const outcome = await ingestFile(file, FREE_REGION);
    expect(outcome).toMatchObject({ rowsRead: 3, rowCount: 2, quarantinedCount: 1 });
    const [row] = await quarantine(outcome.id);
    expect(row?.line).toBe(3);
    expect(row?.reason).toBe('the record is longer than 1048576 characters');
    expect(row?.raw.length).toBeLessThan(2_000);
  });

  it('takes another delimiter when the source names it, and hints at it when it does not', async () => {
    await expectFailure(ingestFile(fixture('semicolon.csv')), 'InvalidInput', /lacks declared column\(s\): id, day.*is the delimiter ";"/);
    expect(await ingestFile(fixture('semicolon.csv'), COLUMNS, { delimiter: ';' })).toMatchObject({ rowCount: 1 });
  });

  it.each([
    ['empty.csv', /is empty: it has no header line/],
    ['missing-column.csv', /lacks declared column\(s\): flag$/],
    ['no-such-file.csv', /Data file not found/],
  ])('refuses %s with a clear error and stores nothing', async (name, message) => {
    const before = await storedState();
    await expectFailure(ingestFile(fixture(name)), 'InvalidInput', message);
    expect(await storedState()).toEqual(before);
  });

  it('refuses a binary file outright', async () => {
    const file = path.join(scratch, 'image.png');
    writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]));
    await expectFailure(ingestFile(file), 'InvalidInput', /looks like a binary file.*NUL byte at offset 8/);
  });

  it('stores an empty snapshot for a header-only file, for the checks to judge', async () => {
    const outcome = await ingestFile(fixture('header-only.csv'));
    expect(outcome).toMatchObject({ rowsRead: 0, rowCount: 0, quarantinedCount: 0 });
    expect((await getSnapshot(pool, outcome.id)).profile?.amount).toMatchObject({ count: 0, min: null, mean: null });
  });

  it('fails, leaving nothing behind, when the file disappears mid-read; a retry finds it gone', async () => {
    const file = path.join(scratch, 'vanishing.csv');
    const rows = Array.from({ length: 30_000 }, (_, i) => `${i},2024-01-01,${i},north,true`).join('\n');
    writeFileSync(file, `id,day,amount,region,flag\n${rows}\n`);
    const before = await storedState();
    const vanishAfterFirstChunk = (opened: OpenedSource): OpenedSource => ({
      ...opened,
      chunks: (async function* () {
        let first = true;
        for await (const chunk of fileChunks(file)) {
          yield chunk;
          if (first) unlinkSync(file);
          first = false;
        }
      })(),
    });
    await expectFailure(ingestSource({ kind: 'file', path: file }, COLUMNS, vanishAfterFirstChunk), 'retryable', /disappeared while being read/);
    expect(await storedState()).toEqual(before);
    await expectFailure(ingestFile(file), 'InvalidInput', /Data file not found/);
  });

  it('rolls back a half-written snapshot when the source breaks, and a retry completes it', async () => {
    const file = path.join(scratch, 'retried.csv');
    writeFileSync(file, `id,day,amount,region,flag\n${Array.from({ length: 50_000 }, (_, i) => `${i},2024-01-01,${i},south,false`).join('\n')}\n`);
    const before = await storedState();
    const breakMidway = (opened: OpenedSource): OpenedSource => ({
      ...opened,
      chunks: (async function* () {
        let chunks = 0;
        for await (const chunk of opened.chunks) {
          yield chunk;
          if (++chunks === 3) throw new Error('connection reset by peer');
        }
      })(),
    });
    await expectFailure(ingestSource({ kind: 'file', path: file }, COLUMNS, breakMidway), 'retryable', /connection reset/);
    expect(await storedState()).toEqual(before);
    const retried = await ingestFile(file);
    expect(retried).toMatchObject({ rowCount: 50_000, created: true });
    await expectConsistent(retried);
  });

  it('reads JSON Lines, quarantining lines that are not JSON objects or lack a column', async () => {
    const outcome = await ingestFile(fixture('sales.jsonl'), COLUMNS, { format: 'jsonl' });
    await expectConsistent(outcome);
    expect(outcome).toMatchObject({ rowsRead: 7, rowCount: 3 });
    expect((await quarantine(outcome.id)).map(({ line, reason }) => `${line}: ${reason}`)).toEqual([
      expect.stringMatching(/^4: the line is not valid JSON/),
      '5: the line is not a JSON object',
      '6: column "amount" is missing',
      '7: column "amount": "{\\"value\\":1}" is not a valid numeric',
    ]);
  });

  it('finds repeated keys among the accepted rows', async () => {
    const file = path.join(scratch, 'duplicates.csv');
    writeFileSync(file, 'id,day,amount,region,flag\n1,2024-01-01,1,north,true\n1,2024-01-02,2,north,true\n2,2024-01-01,3,north,true\n1,2024-01-03,4,south,true\n');
    const outcome = await ingestFile(file);
    expect(await findDuplicateKeys(pool, outcome.id, ['id'])).toEqual({ keys: 1, rows: 3, examples: [{ id: 1 }] });
    expect(await findDuplicateKeys(pool, outcome.id, ['id', 'region'])).toMatchObject({ keys: 1, rows: 2 });
  });
});

describe('ingesting from a URL', () => {
  it('streams an http body', async () => {
    const outcome = await ingestSource({ kind: 'url', url: `${baseUrl}/sales.jsonl`, format: 'jsonl' });
    expect(outcome).toMatchObject({ rowCount: 1, quarantinedCount: 0 });
  });

  it('treats a 500 as transient (retryable), naming the URL and status', async () => {
    const before = await storedState();
    await expectFailure(ingestSource({ kind: 'url', url: `${baseUrl}/broken` }), 'retryable', /\/broken answered 500 Internal Server Error/);
    expect(await storedState()).toEqual(before);
  });

  it('treats a 404 as a configuration error', async () => {
    await expectFailure(ingestSource({ kind: 'url', url: `${baseUrl}/missing.csv` }), 'InvalidInput', /answered 404 Not Found/);
  });
});

describe('ingesting from PostgreSQL', () => {
  beforeAll(async () => {
    await pool.query(`CREATE TABLE IF NOT EXISTS ingest_source_sales (id int, day date, amount numeric, region text, flag boolean, note text)`);
    await pool.query(`TRUNCATE ingest_source_sales`);
    await pool.query(`INSERT INTO ingest_source_sales VALUES
      (1, '2024-01-01', 10.5, 'north', true, 'a, "quoted" note'), (2, '2024-01-02', 20, 'south', NULL, NULL), (3, '2024-01-03', -1, 'east', false, '')`);
  });

  it('reads the declared columns of a table through COPY, with the same rules as a file', async () => {
    const outcome = await ingestSource({ kind: 'postgres', table: 'public.ingest_source_sales' });
    await expectConsistent(outcome);
    expect(outcome).toMatchObject({ rowsRead: 3, rowCount: 2, quarantinedCount: 1 });
    expect(await quarantine(outcome.id)).toEqual([{ line: 4, raw: '3,2024-01-03,-1,east,f', reason: 'column "amount": "-1" is outside [0, ∞]' }]);
    expect((await ingestFile(fixture('good.csv'))).digest).not.toBe(outcome.digest);
  });

  it('runs a query read-only', async () => {
    const outcome = await ingestSource({ kind: 'postgres', query: "SELECT id, day, amount, region, flag FROM ingest_source_sales WHERE region <> 'east'" });
    expect(outcome).toMatchObject({ rowCount: 2, quarantinedCount: 0 });
    await expectFailure(ingestSource({ kind: 'postgres', query: 'DELETE FROM ingest_source_sales RETURNING *' }), 'retryable', /read-only/);
  });

  it('names the problem when the table does not exist', async () => {
    await expectFailure(ingestSource({ kind: 'postgres', table: 'no_such_table' }), 'InvalidInput', /source.table no_such_table failed: relation "no_such_table" does not exist/);
  });
});
