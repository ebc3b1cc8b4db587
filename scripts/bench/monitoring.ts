import type { ColumnSpecs, ColumnType } from '../../lib/data/column-spec';
import { type Frame, frameOfRows } from '../../lib/data/columns/frame';
import { buckets } from '../../lib/drift/buckets';
import { calibrate, type DistanceMethod } from '../../lib/drift/calibration';
import { columnValues } from '../../lib/drift/column-values';
import { compareDatasets } from '../../lib/drift/compare-datasets';
import { CalibrationOptions, DriftOptions } from '../../lib/drift/drift-options';
import type { DriftReport } from '../../lib/drift/drift-report';
import { multivariateDrift } from '../../lib/drift/multivariate';
import { seededRandom } from '../../lib/stats/sampling';
import { standardDeviation } from '../../lib/stats/sorted-sample';
import { failRate, normals } from '../../test/support/drift-batches';
import { loadSeattleWeather } from '../../test/support/vega-data';
import type { BenchResult } from '../support/bench-contract';
import { syntheticData } from './drift/synthetic-data';

const ROWS = Number(process.env.DRIFT_BENCH_ROWS ?? 1_000_000);
const BATCHES = 200;
const BATCH_ROWS = 20;
/**
 * The large report runs this often in each variant, alternating. The machine is shared and a
 * major GC over two million row objects takes seconds, so single runs vary by 2×: the best run of
 * each variant is compared, and each run's own pair is listed too.
 */
const RUNS = 3;
const METHODS = [
  { label: 'Wasserstein (normed; the default above 1,000 reference rows)', columns: {} },
  { label: 'Jensen–Shannon over Sturges bins', columns: { x: { method: 'jensenshannon' } } },
  { label: 'PSI over Sturges bins', columns: { x: { method: 'psi' } } },
  { label: 'Kolmogorov–Smirnov (p < 0.05; a p-value, not calibrated)', columns: { x: { method: 'ks' } } },
] as const;

interface Rates {
  reference: string;
  method: string;
  calibrated: { calm: number; shifted: number };
  fixed: { calm: number; shifted: number };
}

/**
 * How honest drift verdicts are at small samples, and what that costs on big data: (a) the share
 * of 200 calm 20-row batches drawn from a reference that fail, and of the same batches moved by one
 * standard deviation, per method, calibrated and with the fixed conventional thresholds; (b) the
 * 1,000,000 × 20 report of the drift benchmark with and without calibration, side by side.
 */
export async function benchMonitoring(say: (line: string) => void): Promise<BenchResult> {
  const { rows } = await loadSeattleWeather();
  const references = [
    { name: 'Seattle temp_max, 1,461 days (vega-datasets)', values: rows.map((row) => row.temp_max as number) },
    { name: 'seeded normal, 20,000 values', values: normals(20_000, 42) },
  ];
  const rates: Rates[] = [];
  for (const reference of references) {
    const oneSd = standardDeviation(Float64Array.from(reference.values));
    for (const { label, columns } of METHODS) {
      say(`monitoring: ${reference.name}, ${label}`);
      const measure = (options: DriftOptions) => ({
        calm: failRate(reference.values, 0, options, BATCHES, BATCH_ROWS),
        shifted: failRate(reference.values, oneSd, options, BATCHES, BATCH_ROWS),
      });
      rates.push({
        reference: reference.name,
        method: label,
        calibrated: measure(DriftOptions.parse({ columns })),
        fixed: measure(DriftOptions.parse({ columns, calibration: false })),
      });
    }
  }

  say(`monitoring: generating ${ROWS.toLocaleString('en-US')} × 20 rows per side`);
  const cost = largeReport(say);

  const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
  const markdown = [
    '## Drift verdicts at small samples',
    '',
    `${BATCHES} batches of ${BATCH_ROWS} values drawn (seeded, with replacement) from each reference: "calm" as drawn, "1-SD shift" moved by one standard deviation of the reference. A batch fails when its one-column report's verdict is \`fail\`. Calibrated: distance thresholds raised to the 99th percentile of the score of samples of the batch's size drawn from the reference (the default); fixed: the conventional thresholds (0.1, PSI 0.2), \`calibration: false\`.`,
    '',
    '| reference | method | calm batches failing (calibrated) | 1-SD shifts detected (calibrated) | calm failing (fixed threshold) | 1-SD detected (fixed) |',
    '|---|---|---|---|---|---|',
    ...rates.map((r) => `| ${r.reference} | ${r.method} | ${percent(r.calibrated.calm)} | ${percent(r.calibrated.shifted)} | ${percent(r.fixed.calm)} | ${percent(r.fixed.shifted)} |`),
    '',
    'KS is the same in both columns: a p-value already accounts for the sample size, so only the minimum sample applies to it.',
    '',
    '## What calibration costs on big data',
    '',
    `The drift benchmark's report: ${ROWS.toLocaleString('en-US')} rows × 20 columns on each side (16 numeric, 4 categorical; seeded; every 4th column shifted), in one process, ${RUNS} runs of each variant alternating, best run shown (the machine is shared: single runs vary).`,
    '',
    '| report | time | verdict | columns drifted |',
    '|---|---|---|---|',
    `| fixed thresholds (\`calibration: false\`) | ${cost.fixed.ms.toFixed(0)} ms | ${cost.fixed.report.verdict} | ${cost.fixed.report.columnsDrifted} of ${cost.fixed.report.columnsTested} |`,
    `| calibrated thresholds and the multivariate signal (default) | ${cost.calibrated.ms.toFixed(0)} ms | ${cost.calibrated.report.verdict} | ${cost.calibrated.report.columnsDrifted} of ${cost.calibrated.report.columnsTested} |`,
    '',
    `**What calibration adds, timed on its own: ${percent(cost.addedShare)}** of the fixed report (limit 20 %): the 20 columns' bootstraps ${cost.bootstrapsMs.toFixed(0)} ms and the multivariate signal ${cost.multivariateMs.toFixed(0)} ms (best of ${RUNS}). End to end, best report against best report: ${percent(cost.overhead)}; run by run (each calibrated report against the fixed one just before it): ${cost.overheadPerRun.map(percent).join(', ')} — on a shared 2-core machine two reports of 10 s differ by more than the work calibration adds, which is why it is also timed alone. That work is bounded whatever the data size (200 bootstrap replicates of at most 2,000 values against at most 10,000 reference points per column, at most 20,000 rows per side for the PCA), so its share shrinks as the data grows.`,
    '',
    '| run | fixed report | calibrated report | bootstraps alone | multivariate alone |',
    '|---|---|---|---|---|',
    ...cost.runs.map((r, i) => `| ${i + 1} | ${r.fixedMs.toFixed(0)} ms | ${r.calibratedMs.toFixed(0)} ms | ${r.bootstrapsMs.toFixed(0)} ms | ${r.multivariateMs.toFixed(0)} ms |`),
  ].join('\n');
  return {
    name: 'monitoring',
    markdown,
    data: {
      batches: BATCHES,
      batchRows: BATCH_ROWS,
      rates,
      large: {
        rows: ROWS,
        columns: 20,
        fixedMs: cost.fixed.ms,
        calibratedMs: cost.calibrated.ms,
        overhead: cost.overhead,
        overheadPerRun: cost.overheadPerRun,
        addedShare: cost.addedShare,
        bootstrapsMs: cost.bootstrapsMs,
        multivariateMs: cost.multivariateMs,
        runs: cost.runs,
      },
    },
  };
}

function largeReport(say: (line: string) => void) {
  const { columns, reference: referenceRows, current: currentRows } = syntheticData(ROWS);
  const reference = frameOfRows(referenceRows, columns);
  const current = frameOfRows(currentRows, columns);
  const variants = { fixed: DriftOptions.parse({ calibration: false }), calibrated: DriftOptions.parse({}) };
  const timed = <T>(work: () => T) => {
    const started = performance.now();
    const result = work();
    return { ms: performance.now() - started, result };
  };
  const sides = perColumnSides(columns, reference, current);
  const runs: { fixedMs: number; calibratedMs: number; bootstrapsMs: number; multivariateMs: number }[] = [];
  const reports: Partial<Record<keyof typeof variants, DriftReport>> = {};
  for (let run = 0; run < RUNS; run++) {
    say(`monitoring: ${ROWS.toLocaleString('en-US')} × 20, run ${run + 1} of ${RUNS}: fixed, calibrated, then the added work alone`);
    const fixed = timed(() => compareDatasets(reference, current, columns, variants.fixed));
    const calibrated = timed(() => compareDatasets(reference, current, columns, variants.calibrated));
    const bootstraps = timed(() => sides.forEach(({ name, method, values, binned }) => calibrate(method, values, binned, current.rowCount, calibration, seededRandom(run, name))));
    const multivariate = timed(() => multivariateDrift(reference, current, columns, variants.calibrated.minSamples, run));
    runs.push({ fixedMs: fixed.ms, calibratedMs: calibrated.ms, bootstrapsMs: bootstraps.ms, multivariateMs: multivariate.ms });
    reports.fixed = fixed.result;
    reports.calibrated = calibrated.result;
  }
  const best = (key: keyof (typeof runs)[number]) => Math.min(...runs.map((r) => r[key]));
  return {
    fixed: { ms: best('fixedMs'), report: reports.fixed as DriftReport },
    calibrated: { ms: best('calibratedMs'), report: reports.calibrated as DriftReport },
    overhead: best('calibratedMs') / best('fixedMs') - 1,
    overheadPerRun: runs.map((r) => r.calibratedMs / r.fixedMs - 1),
    bootstrapsMs: best('bootstrapsMs'),
    multivariateMs: best('multivariateMs'),
    addedShare: (best('bootstrapsMs') + best('multivariateMs')) / best('fixedMs'),
    runs,
  };
}

const calibration = CalibrationOptions.parse({});

/** Each compared column's reference values and buckets, as the report builds them, and its default distance. */
function perColumnSides(columns: ColumnSpecs, reference: Frame, current: Frame) {
  return Object.entries(columns).map(([name, { type }]) => {
    const values = columnValues(reference, name, type as Exclude<ColumnType, 'timestamp'>);
    const method: DistanceMethod = values.kind === 'numeric' ? 'wasserstein' : 'jensenshannon';
    return { name, method, values, binned: buckets(values, columnValues(current, name, type as Exclude<ColumnType, 'timestamp'>)) };
  });
}
