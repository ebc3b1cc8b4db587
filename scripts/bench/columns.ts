import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { columnsSelectSql } from '../../lib/data/columns/load-snapshot-columns';
import { quantile } from '../../lib/data/profile/numeric-accumulator';
import { createPool } from '../../lib/db/pool';
import { getSnapshot } from '../../lib/db/snapshots';
import type { BenchResult } from '../support/bench-contract';
import { createBenchDatabase } from './ingest';
import { BENCH_COLUMNS, ensureBenchCsv } from './ingest/bench-data';

const run = promisify(execFile);
const RESULTS_DIR = fileURLToPath(new URL('../../bench-results/', import.meta.url));
const INGEST_ONCE = fileURLToPath(new URL('./ingest/ingest-once.ts', import.meta.url));
const LOAD_ONCE = fileURLToPath(new URL('./columns/load-once.ts', import.meta.url));
const ROWS = 1_000_000;
/** The 1M-row loads are long and the machine is shared: two interleaved rounds. */
const ROUNDS = 2;
const TARGET_TIME_RATIO = 1.0;
const TARGET_RSS_FACTOR = 1.2;
const TARGET_RSS_EXTRA_MB = 150;

interface NodeLoad {
  /** Spawn to exit, as the pandas pipeline is timed. */
  processMs: number;
  /** The load call alone, inside the process. */
  loadMs: number;
  rowCount: number;
  tableMb?: number;
  progressCalls: number;
  peakRssMb: number;
}

interface PandasLoad {
  processMs: number;
  readMs: number;
  rowCount: number;
  frameMb: number;
  peakRssMb: number;
  psqlPeakRssMb: number;
}

/**
 * Loading a 1,000,000-row × 20-column snapshot into memory three ways, side by side, each in a
 * process of its own: loadSnapshotColumns (typed arrays), loadSnapshotRows (row objects, what
 * the activities use today) and psql's `\copy (SELECT …) TO STDOUT` piped into pandas.read_csv,
 * reading the very SELECT the column loader runs.
 */
export async function benchColumns(say: (line: string) => void): Promise<BenchResult> {
  const file = path.join(RESULTS_DIR, `ingest-v1-${ROWS}.csv.tmp`);
  await ensureBenchCsv(file, ROWS, say);
  const db = await createBenchDatabase();
  try {
    say('ingesting the snapshot');
    const { stdout } = await run(process.execPath, ['--import', 'tsx', INGEST_ONCE, file, db.url], { maxBuffer: 1 << 20 });
    const snapshotId = (JSON.parse(stdout.trim().split('\n').at(-1) as string) as { outcome: { id: number } }).outcome.id;
    const pool = createPool(db.url, 1);
    const select = columnsSelectSql(snapshotId, (await getSnapshot(pool, snapshotId)).columns);
    await pool.end();
    const columns: NodeLoad[] = [];
    const rows: NodeLoad[] = [];
    const pandas: PandasLoad[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) {
      columns.push(await loadInNode('columns', snapshotId, db.url));
      pandas.push(await loadInPandas(select, db.url));
      rows.push(await loadInNode('rows', snapshotId, db.url));
      const [c, p, r] = [columns.at(-1), pandas.at(-1), rows.at(-1)] as [NodeLoad, PandasLoad, NodeLoad];
      say(`round ${round}/${ROUNDS}: columns ${seconds(c.processMs)} ${c.peakRssMb.toFixed(0)} MB; psql | pandas ${seconds(p.processMs)} ${p.peakRssMb.toFixed(0)} MB; rows ${seconds(r.processMs)} ${r.peakRssMb.toFixed(0)} MB`);
    }
    return report({ columns, rows, pandas, select });
  } finally {
    await db.drop();
  }
}

async function loadInNode(mode: 'columns' | 'rows', snapshotId: number, databaseUrl: string): Promise<NodeLoad> {
  const started = performance.now();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', LOAD_ONCE, mode, String(snapshotId), databaseUrl], { maxBuffer: 1 << 20 });
  const processMs = performance.now() - started;
  return { processMs, ...(JSON.parse(stdout.trim().split('\n').at(-1) as string) as Omit<NodeLoad, 'processMs'>) };
}

/** pandas reads the CSV with the types the columns have: float64 for numbers and instants, category, bool. */
const PANDAS_READ = `
import json, resource, sys, time
started = time.perf_counter()
import pandas as pd
dtypes = json.loads(sys.argv[1])
frame = pd.read_csv(sys.stdin.buffer, header=None, names=list(dtypes), dtype={k: v for k, v in dtypes.items() if v != 'bool'}, true_values=['t'], false_values=['f'])
print(json.dumps({'readMs': (time.perf_counter() - started) * 1000, 'rowCount': len(frame), 'frameMb': int(frame.memory_usage(deep=True).sum()) / 2**20, 'peakRssMb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

const PANDAS_DTYPES: Record<string, string> = { numeric: 'float64', integer: 'float64', timestamp: 'float64', categorical: 'category', boolean: 'bool' };

async function loadInPandas(select: string, databaseUrl: string): Promise<PandasLoad> {
  const psqlRss = path.join(os.tmpdir(), `driftline-bench-psql-${process.pid}.rss`);
  const dtypes = JSON.stringify(Object.fromEntries(Object.entries(BENCH_COLUMNS).map(([name, spec]) => [name, PANDAS_DTYPES[spec.type]])));
  const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;
  const pipeline = [
    `/usr/bin/time -f %M -o ${quote(psqlRss)} psql ${quote(databaseUrl)} -v ON_ERROR_STOP=1 -qc ${quote(`\\copy (${select}) TO STDOUT WITH (FORMAT csv)`)}`,
    `/usr/bin/python3 -c ${quote(PANDAS_READ)} ${quote(dtypes)}`,
  ].join(' | ');
  const started = performance.now();
  const { stdout } = await run('bash', ['-o', 'pipefail', '-c', pipeline], { maxBuffer: 1 << 20 });
  const processMs = performance.now() - started;
  const psqlPeakRssMb = Number(readFileSync(psqlRss, 'utf8').trim()) / 1024;
  rmSync(psqlRss, { force: true });
  return { processMs, psqlPeakRssMb, ...(JSON.parse(stdout.trim()) as Omit<PandasLoad, 'processMs' | 'psqlPeakRssMb'>) };
}

function report(runs: { columns: NodeLoad[]; rows: NodeLoad[]; pandas: PandasLoad[]; select: string }): BenchResult {
  const med = (values: number[]) => quantile(Float64Array.from(values).sort(), 0.5);
  const columnsMs = med(runs.columns.map((r) => r.processMs));
  const rowsMs = med(runs.rows.map((r) => r.processMs));
  const pandasMs = med(runs.pandas.map((r) => r.processMs));
  const columnsRss = Math.max(...runs.columns.map((r) => r.peakRssMb));
  const tableMb = runs.columns[0]?.tableMb ?? 0;
  const rssBudget = TARGET_RSS_FACTOR * tableMb + TARGET_RSS_EXTRA_MB;
  const timeRatio = columnsMs / pandasMs;
  const pass = (ok: boolean) => (ok ? 'met' : '**missed**');
  const row = (name: string, loads: { processMs: number; peakRssMb: number }[], inner: number[], extra: string) =>
    `| ${name} | ${seconds(med(loads.map((r) => r.processMs)))} | ${seconds(med(inner))} | ${Math.max(...loads.map((r) => r.peakRssMb)).toFixed(0)} MB | ${extra} |`;
  const markdown = [
    `The ingest benchmark's seeded ${ROWS.toLocaleString('en-US')}-row × ${Object.keys(BENCH_COLUMNS).length}-column CSV, ingested once into a snapshot, then loaded`,
    `into memory three ways, each in a fresh process, interleaved, ${ROUNDS} rounds (median time, largest peak RSS):`,
    '',
    '| load | process, start to exit | the load alone | peak RSS | holds |',
    '|---|---|---|---|---|',
    row('`loadSnapshotColumns` (binary COPY TO → typed arrays)', runs.columns, runs.columns.map((r) => r.loadMs), `${tableMb.toFixed(0)} MB of typed arrays`),
    row('`psql \\copy (same SELECT) TO STDOUT CSV` \\| `pandas.read_csv`', runs.pandas, runs.pandas.map((r) => r.readMs), `a ${(runs.pandas[0]?.frameMb ?? 0).toFixed(0)} MB DataFrame (psql itself peaks at ${Math.max(...runs.pandas.map((r) => r.psqlPeakRssMb)).toFixed(0)} MB)`),
    row('`loadSnapshotRows` (one object per row, today\'s path)', runs.rows, runs.rows.map((r) => r.loadMs), `${ROWS.toLocaleString('en-US')} row objects`),
    '',
    '| goal (issue 14) | result | target |',
    '|---|---|---|',
    `| time ÷ psql-into-pandas time, process start to exit | **${timeRatio.toFixed(2)}×** | ≤ ${TARGET_TIME_RATIO}× (${pass(timeRatio <= TARGET_TIME_RATIO)}) |`,
    `| peak RSS of the loading process | **${columnsRss.toFixed(0)} MB** | ≤ ${TARGET_RSS_FACTOR} × ${tableMb.toFixed(0)} MB + ${TARGET_RSS_EXTRA_MB} MB = ${rssBudget.toFixed(0)} MB (${pass(columnsRss <= rssBudget)}) |`,
    `| against today's row path | ${(rowsMs / columnsMs).toFixed(1)}× faster, ${(Math.max(...runs.rows.map((r) => r.peakRssMb)) / columnsRss).toFixed(1)}× less memory | |`,
    '',
    'Per round (ms, process): columns ' + runs.columns.map((r) => r.processMs.toFixed(0)).join(', ') + '; pandas ' + runs.pandas.map((r) => r.processMs.toFixed(0)).join(', ') + '; rows ' + runs.rows.map((r) => r.processMs.toFixed(0)).join(', ') + '.',
    'Process times include starting Node with the TypeScript loader (tsx), or Python with pandas and psql. Peak RSS is the',
    'process\'s maxrss: for Node it includes the runtime and tsx. pandas reads with the columns\' types (float64, category,',
    'bool), from the SELECT the column loader sends (integers as float8, timestamps as epoch milliseconds), so the',
    'database does the same work for both; PostgreSQL runs on the other of the 2 cores.',
    '',
    `The SELECT: \`${runs.select}\``,
  ].join('\n');
  return {
    name: 'columns',
    markdown,
    data: { rows: ROWS, columns: Object.keys(BENCH_COLUMNS).length, rounds: ROUNDS, runs: { columns: runs.columns, pandas: runs.pandas, rows: runs.rows }, medianMs: { columns: columnsMs, pandas: pandasMs, rows: rowsMs }, timeRatio, peakRssMb: columnsRss, tableMb, targets: { timeRatio: TARGET_TIME_RATIO, peakRssMb: rssBudget } },
  };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
