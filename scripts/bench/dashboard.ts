import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { loadConfig } from '../../lib/config';
import { runsPage } from '../../lib/dashboard/runs-page';
import { runsPage as loadRuns } from '../../lib/db/dashboard/runs-queries';
import { ensureDatabase, migrateUp } from '../../lib/db/migrate';
import type { Pool } from '../../lib/db/pool';
import { createDashboard } from '../../workers/dashboard/server';
import { createDashboardPool } from '../../workers/dashboard/start';
import type { BenchResult } from '../support/bench-contract';
import { seedModel } from './dashboard/seed';
import { median } from '../support/median';

const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOADS = 30;

/**
 * Page load times over HTTP, the same pages on a model with 1 version and 1 run and on one with
 * 1,000 versions and 10,000 runs; and the runs page paginated (100 a page) against all 10,000 on one page.
 */
export async function benchDashboard(say: (line: string) => void): Promise<BenchResult> {
  const dbName = `driftline_bench_dashboard_${Date.now()}`;
  const databaseUrl = ADMIN_URL.replace(/\/postgres$/, `/${dbName}`);
  await ensureDatabase(databaseUrl);
  await migrateUp(databaseUrl);
  const pool = createDashboardPool(databaseUrl);
  try {
    say('seeding: a model with 1,000 versions and 10,000 runs, and one with 1 of each');
    const big = await seedModel(pool, 'big', { versions: 1_000, runs: 10_000, driftReports: 100 });
    const small = await seedModel(pool, 'small', { versions: 1, runs: 1, driftReports: 1 });
    const reportOf = async (pipeline: string) => (await pool.query('SELECT max(id) AS id FROM drift_reports WHERE pipeline = $1', [pipeline])).rows[0].id as string;
    const pagesOf = async (pipeline: string, model: string): Promise<[string, string][]> => [
      ['overview', '/'],
      ['model', `/models/${model}`],
      ['runs', `/models/${model}/runs`],
      ['runs, last page', `/models/${model}/runs?page=100`],
      ['drift checks, score trends', `/pipelines/${pipeline}/drift`],
      ['drift report', `/pipelines/${pipeline}/drift/${await reportOf(pipeline)}`],
      ['data', `/pipelines/${pipeline}/data`],
    ];
    // Temporal is not part of this measurement: the overview's schedule lookup answers "unknown" at once.
    const app = await createDashboard({ pool, config: loadConfig({ DATABASE_URL: databaseUrl }), temporal: () => Promise.reject(new Error('not measured')) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const rows: { page: string; emptyMs: number; bigMs: number; bigKb: number }[] = [];
    try {
      const smallPages = await pagesOf('small', small);
      const bigPages = await pagesOf('big', big);
      for (const [i, [page]] of bigPages.entries()) {
        const empty = await timeLoads(`${base}${(smallPages[i] as [string, string])[1]}`);
        const full = await timeLoads(`${base}${(bigPages[i] as [string, string])[1]}`);
        rows.push({ page, emptyMs: empty.medianMs, bigMs: full.medianMs, bigKb: full.bytes / 1024 });
        say(`${page}: ${empty.medianMs.toFixed(1)} ms (1 version) vs ${full.medianMs.toFixed(1)} ms (1,000 versions, 10,000 runs)`);
      }
    } finally {
      await app.close();
    }
    const unpaginated = await timeRunsRendering(pool, big);
    say(`runs page rendered in-process: 100 a page ${unpaginated.pagedMs.toFixed(1)} ms vs all 10,000 ${unpaginated.allMs.toFixed(1)} ms`);
    return { name: 'dashboard', markdown: markdown(rows, unpaginated), data: { loads: LOADS, pages: rows, unpaginated } };
  } finally {
    await pool.end();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

/** Median of LOADS sequential loads after one warm-up, as a browser sees it: status checked, body read. */
async function timeLoads(url: string): Promise<{ medianMs: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i <= LOADS; i += 1) {
    const started = performance.now();
    const response = await fetch(url);
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    if (i > 0) times.push(performance.now() - started);
    bytes = body.length;
  }
  return { medianMs: median(times), bytes };
}

/** The comparison: the same query and template with every run on one page. */
async function timeRunsRendering(pool: Pool, model: string) {
  const link = () => 'http://localhost:8233';
  const time = async (pageSize: number) => {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 5; i += 1) {
      const started = performance.now();
      bytes = runsPage(model, await loadRuns(pool, model, 1, pageSize), link).value.length;
      times.push(performance.now() - started);
    }
    return { ms: median(times), bytes };
  };
  const paged = await time(100);
  const all = await time(10_000);
  return { pagedMs: paged.ms, pagedKb: paged.bytes / 1024, allMs: all.ms, allKb: all.bytes / 1024 };
}

function markdown(rows: { page: string; emptyMs: number; bigMs: number; bigKb: number }[], unpaginated: Awaited<ReturnType<typeof timeRunsRendering>>): string {
  return [
    '## Dashboard page loads',
    '',
    `Median of ${LOADS} sequential HTTP loads per page (after one warm-up), server and PostgreSQL on this machine. Baseline: the same page for a model with 1 version and 1 run (the overview lists both models either way).`,
    '',
    '| page | 1 version, 1 run | 1,000 versions, 10,000 runs | page size |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.page} | ${r.emptyMs.toFixed(1)} ms | ${r.bigMs.toFixed(1)} ms | ${r.bigKb.toFixed(0)} KB |`),
    '',
    'Pagination against no pagination, the runs page of the 10,000-run model (query and template, in-process, median of 5):',
    '',
    '| runs page | time | HTML |',
    '|---|---|---|',
    `| 100 runs a page (as served) | ${unpaginated.pagedMs.toFixed(1)} ms | ${unpaginated.pagedKb.toFixed(0)} KB |`,
    `| baseline: all 10,000 runs on one page | ${unpaginated.allMs.toFixed(1)} ms | ${unpaginated.allKb.toFixed(0)} KB |`,
  ].join('\n');
}

