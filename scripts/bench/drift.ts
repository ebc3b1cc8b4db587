import type { CompareJob, Comparison } from '../../activities/drift/compare-thread';
import { resultFromThread } from '../../activities/threads/result-from-thread';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import type { Row } from '../../lib/data/typed-row';
import { compareDatasets } from '../../lib/drift/compare-datasets';
import { DriftOptions } from '../../lib/drift/drift-options';
import type { DriftReport } from '../../lib/drift/drift-report';
import { mulberry32 } from '../../lib/stats/mulberry32';
import type { BenchResult } from '../support/bench-contract';

const ROWS = Number(process.env.DRIFT_BENCH_ROWS ?? 1_000_000);
const NUMERIC = 16;
const CATEGORICAL = 4;
/** Every fourth column of the current data is shifted, so the report has drift to find. */
const SHIFTED_EVERY = 4;
const CATEGORIES = ['north', 'south', 'east', 'west', 'online', 'phone', 'partner', 'other'];
const COMPARE_ENTRY = new URL('../../activities/drift/compare-thread.ts', import.meta.url);

/**
 * A drift report over 1,000,000 × 20 columns on each side (16 numeric, 4 categorical; synthetic,
 * seeded): the default methods (Wasserstein and Jensen–Shannon, as for any reference over 1,000
 * rows) against the same report with every numeric column forced to KS, and the report as the
 * activity runs it (in a worker thread) with the longest stall of the activity's event loop.
 */
export async function benchDrift(say: (line: string) => void): Promise<BenchResult> {
  say(`drift: generating ${ROWS.toLocaleString('en-US')} × ${NUMERIC + CATEGORICAL} rows per side`);
  const { columns, reference, current } = syntheticData(ROWS);
  const forcedKs = DriftOptions.parse({ columns: Object.fromEntries(numericNames().map((name) => [name, { method: 'ks' }])) });

  say('drift: default methods (Wasserstein, Jensen–Shannon)');
  const byDefault = timed(() => compareDatasets(reference, current, columns));
  say('drift: every numeric column forced to KS');
  const ks = timed(() => compareDatasets(reference, current, columns, forcedKs));
  say('drift: in a worker thread, as the checkDrift activity runs it');
  const threaded = await inThread({ reference, current, columns, options: DriftOptions.parse({}), predictions: 'not part of the benchmark', predictionOptions: {} });

  const rows = ROWS.toLocaleString('en-US');
  const markdown = [
    '## Drift report',
    '',
    `Reference and current data of ${rows} rows × ${NUMERIC + CATEGORICAL} columns each (${NUMERIC} numeric, ${CATEGORICAL} categorical with ${CATEGORIES.length} values; synthetic, seeded; every ${SHIFTED_EVERY}th column shifted in the current data). Rows are read as snapshot \`Row\` objects.`,
    '',
    '| report | time | verdict | columns drifted |',
    '|---|---|---|---|',
    `| Driftline default: Wasserstein (normed) and Jensen–Shannon, per-column histograms | ${byDefault.ms.toFixed(0)} ms | ${byDefault.report.verdict} | ${byDefault.report.columnsDrifted} of ${byDefault.report.columnsTested} |`,
    `| baseline: every numeric column forced to two-sample KS | ${ks.ms.toFixed(0)} ms | ${ks.report.verdict} | ${ks.report.columnsDrifted} of ${ks.report.columnsTested} |`,
    `| default, in a worker thread (data copied to the thread included) | ${threaded.ms.toFixed(0)} ms | ${threaded.report.verdict} | ${threaded.report.columnsDrifted} of ${threaded.report.columnsTested} |`,
    '',
    `While the threaded report ran, the activity's event loop stalled at most ${threaded.maxStallMs.toFixed(0)} ms (a 10 ms timer's worst lateness): the comparison itself runs in the thread, and what stalls the loop is copying the rows to it (structured clone of the workerData).`,
    `Forced KS flags ${ks.report.columnsDrifted} columns and the default distances ${byDefault.report.columnsDrifted}: with ${rows} rows a KS p-value is tiny for any visible shift, which is why Evidently (and Driftline) switch to distances above 1,000 reference rows.`,
  ].join('\n');
  return {
    name: 'drift',
    markdown,
    data: {
      rows: ROWS,
      columns: NUMERIC + CATEGORICAL,
      defaultMs: byDefault.ms,
      forcedKsMs: ks.ms,
      threadMs: threaded.ms,
      maxEventLoopStallMs: threaded.maxStallMs,
      verdicts: { default: byDefault.report.verdict, forcedKs: ks.report.verdict },
    },
  };
}

function timed(run: () => DriftReport): { ms: number; report: DriftReport } {
  const started = performance.now();
  const report = run();
  return { ms: performance.now() - started, report };
}

/** Runs the comparison thread while a 10 ms timer measures how late the event loop gets to it. */
async function inThread(job: CompareJob): Promise<{ ms: number; report: DriftReport; maxStallMs: number }> {
  let last = performance.now();
  let maxStallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxStallMs = Math.max(maxStallMs, now - last - 10);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    const { data } = await resultFromThread<Comparison>(COMPARE_ENTRY, job, { signal: new AbortController().signal, what: 'drift benchmark' });
    return { ms: performance.now() - started, report: data, maxStallMs };
  } finally {
    clearInterval(timer);
  }
}

function numericNames(): string[] {
  return Array.from({ length: NUMERIC }, (_, i) => `x${i + 1}`);
}

export function syntheticData(rows: number): { columns: ColumnSpecs; reference: Row[]; current: Row[] } {
  const categorical = Array.from({ length: CATEGORICAL }, (_, i) => `c${i + 1}`);
  const columns: ColumnSpecs = Object.fromEntries([
    ...numericNames().map((name) => [name, { type: 'numeric', nullable: false }]),
    ...categorical.map((name) => [name, { type: 'categorical', nullable: false }]),
  ]);
  const random = mulberry32(42);
  const normal = () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
  const side = (shift: number) =>
    Array.from({ length: rows }, () => {
      const row: Row = {};
      Object.keys(columns).forEach((name, j) => {
        const shifted = j % SHIFTED_EVERY === 0 ? shift : 0;
        row[name] = name.startsWith('x') ? 100 + 15 * normal() + 15 * shifted : (CATEGORIES[Math.min(CATEGORIES.length - 1, Math.floor(random() ** (1 + shifted) * CATEGORIES.length))] as string);
      });
      return row;
    });
  return { columns, reference: side(0), current: side(0.5) };
}
