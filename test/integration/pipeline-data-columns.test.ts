import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ArrivalSpec } from '../../lib/arrival/arrival-spec';
import { describeWindow, frameOf, rowCountOf } from '../../lib/arrival/pipeline-data';
import { ColumnSpec, type ColumnSpecs } from '../../lib/data/column-spec';
import { frameOfRows } from '../../lib/data/columns/frame';
import { ingest } from '../../lib/data/ingest';
import { DataSource } from '../../lib/data/source-spec';
import { openSource } from '../../lib/data/sources/open-source';
import type { Row } from '../../lib/data/typed-row';
import { loadPipelineData } from '../../lib/db/pipeline-data';
import { createPool, type Pool } from '../../lib/db/pool';
import { loadSnapshotRows, recordPipelineIngest } from '../../lib/db/snapshots';
import { buildExamples, learnCategories, targetSeries, type FeaturePlan } from '../../lib/model/features';
import type { FeatureSpec } from '../../lib/spec/pipeline-spec';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'driftline-pipeline-columns-'));
const PIPELINE = 'pipeline-columns';

const COLUMNS: ColumnSpecs = Object.fromEntries(
  Object.entries({
    at: { type: 'timestamp', nullable: true },
    sales: { type: 'numeric', nullable: true },
    visits: { type: 'integer', nullable: true },
    store: { type: 'categorical', nullable: true },
    promo: { type: 'boolean', nullable: true },
    note: { type: 'categorical', nullable: true },
  }).map(([name, spec]) => [name, ColumnSpec.parse(spec)]),
);

const FEATURES: FeatureSpec = { columns: ['visits'], categorical: ['store', 'promo'], targetLags: [1, 2], targetRollingMeans: [3], interactions: [['visits', 'promo=true']] };

/**
 * Two batches of daily sales, written with time zones and out of order, the second overlapping
 * the first in time (equal instants written differently), with nulls in every column.
 */
function batchCsv(from: number, count: number, seed: number): string {
  const stores = ['north', 'south', 'east'];
  const lines = ['at,sales,visits,store,promo,note'];
  for (let i = count - 1; i >= 0; i -= 1) {
    const day = from + i;
    const zone = (day + seed) % 3 === 0 ? '+02:00' : 'Z';
    const hour = zone === 'Z' ? '10' : '12';
    const at = (day * 7 + seed) % 41 === 0 ? '' : `2024-02-${String(1 + (day % 28)).padStart(2, '0')}T${hour}:00:00${zone}`;
    const sales = (day * 13 + seed) % 17 === 0 ? '' : ((day * 37 + seed * 11) % 101) / 4;
    const visits = (day + seed) % 19 === 0 ? '' : (day * 7 + seed) % 50;
    const store = (day + seed) % 23 === 0 ? '' : stores[(day + seed) % 3];
    const promo = (day + seed) % 29 === 0 ? '' : (day + seed) % 4 === 0;
    lines.push(`${at},${sales},${visits},${store},${promo},n${seed}`);
  }
  return lines.join('\n');
}

let pool: Pool;

beforeAll(() => {
  pool = createPool(inject('databaseUrl'));
});

afterAll(async () => {
  await pool?.end();
});

async function ingestBatch(name: string, csv: string): Promise<number> {
  const file = path.join(scratch, `${name}.csv`);
  writeFileSync(file, `${csv}\n`);
  const source = DataSource.parse({ kind: 'file', path: file });
  const outcome = await ingest(pool, { pipeline: PIPELINE, columns: COLUMNS, source, opened: openSource(source, COLUMNS, { specDir: scratch, pool }) });
  expect(outcome.quarantinedCount).toBe(0);
  await recordPipelineIngest(pool, PIPELINE, outcome.id);
  return outcome.id;
}

describe('the pipeline\'s data loaded as columns (PostgreSQL)', () => {
  it('holds the batches\' rows in the row path\'s order, and builds the same features from them, bit for bit', async () => {
    const first = await ingestBatch('first', batchCsv(0, 40, 1));
    const second = await ingestBatch('second', batchCsv(20, 40, 2));
    const shape = { name: PIPELINE, timeColumn: 'at', arrival: ArrivalSpec.parse({ mode: 'batches' }) };
    const read: number[] = [];
    const needed = ['at', 'sales', 'visits', 'store', 'promo'];
    const data = await loadPipelineData(pool, shape, second, { columns: needed, onProgress: (rows) => read.push(rows) });
    expect(read.at(-1)).toBe(80);
    expect(data.table.specs.map((spec) => spec.name)).toEqual(needed);

    // The row path: both batches' rows, stably sorted by their ISO time as text ('' without one).
    const rows = [...(await loadSnapshotRows(pool, first)), ...(await loadSnapshotRows(pool, second))];
    const key = (row: Row) => (typeof row.at === 'string' ? row.at : '');
    const ordered = rows.map((row, i) => ({ row, i })).sort((a, b) => (key(a.row) < key(b.row) ? -1 : key(a.row) > key(b.row) ? 1 : a.i - b.i));
    expect(rowCountOf(data)).toBe(80);
    expect(Array.from(data.snapshotOf)).toEqual(ordered.map(({ i }) => (i < 40 ? first : second)));
    expect(describeWindow(data)).toMatchObject({ snapshotIds: [first, second], from: key(ordered[0]?.row as Row), to: key(ordered.at(-1)?.row as Row) });

    const specs = Object.fromEntries(needed.map((name) => [name, COLUMNS[name] as ColumnSpec]));
    const fromRows = frameOfRows(ordered.map(({ row }) => row), specs);
    const categories = learnCategories(fromRows, FEATURES);
    expect(learnCategories(frameOf(data), FEATURES)).toStrictEqual(categories);
    const plan: FeaturePlan = { target: 'sales', timeColumn: 'at', horizon: 1, features: FEATURES, categories };
    const examples = buildExamples(frameOf(data), plan);
    expect(examples.y.length).toBeGreaterThan(20);
    expect(examples).toStrictEqual(buildExamples(fromRows, plan));
    expect(targetSeries(frameOf(data), plan)).toStrictEqual(targetSeries(fromRows, plan));
  });
});
