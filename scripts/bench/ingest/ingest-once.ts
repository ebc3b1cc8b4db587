// Runs one ingest, then the dataset checks, in a process of its own so that the peak RSS it
// reports is the ingest's alone. Prints one JSON line. Used by scripts/bench/ingest.ts.
import { ingest } from '../../../lib/data/ingest';
import { DataSource } from '../../../lib/data/source-spec';
import { openSource } from '../../../lib/data/sources/open-source';
import { createPool } from '../../../lib/db/pool';
import { checkSnapshot } from '../../../lib/validation/check-snapshot';
import { DatasetChecks } from '../../../lib/validation/checks-spec';
import { BENCH_COLUMNS } from './bench-data';

const [file, databaseUrl] = process.argv.slice(2) as [string, string];
const pool = createPool(databaseUrl, 2);
const source = DataSource.parse({ kind: 'file', path: file });
// Run with --expose-gc, it samples the live heap (after a full collection) every half second:
// RSS alone cannot tell rows held from garbage not yet collected. Without, it does not interfere.
const collect = (globalThis as { gc?: () => void }).gc;
let liveHeapMb = 0;
const sampler = setInterval(() => {
  collect?.();
  liveHeapMb = Math.max(liveHeapMb, process.memoryUsage().heapUsed / 2 ** 20);
}, 500);
const started = performance.now();
const outcome = await ingest(pool, { pipeline: 'bench-ingest', columns: BENCH_COLUMNS, source, opened: openSource(source, BENCH_COLUMNS, { specDir: '.', pool }) });
const ingestMs = performance.now() - started;
clearInterval(sampler);
const checksStarted = performance.now();
const report = await checkSnapshot(pool, outcome.id, {
  checks: DatasetChecks.parse({ rowCount: { min: 1 }, quarantinedShare: { max: 0.01 }, nullFraction: { returns: { max: 0.2 } }, duplicateKeys: {} }),
  keyColumns: ['id'],
});
const checksMs = performance.now() - checksStarted;
await pool.end();
console.log(JSON.stringify({ ingestMs, checksMs, outcome, checksPassed: report.passed, peakRssMb: process.resourceUsage().maxRSS / 1024, ...(collect && { liveHeapMb }) }));
