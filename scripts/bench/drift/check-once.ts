// Runs one drift check as the checkDrift activity runs it — a pooled thread loads the snapshot's
// columns from PostgreSQL and computes every signal — in a process of its own, so that its peak
// RSS is the check's alone. The main thread does what the activity's does (waits, hears progress)
// while a 10 ms timer measures how late its event loop gets. Prints one JSON line.
// Used by scripts/bench/drift.ts.
import type { DriftJob, DriftMessage, DriftOutcome } from '../../../activities/drift/compare-thread';
import { resultFromThread } from '../../../activities/threads/result-from-thread';
import { threadPool } from '../../../activities/threads/thread-pool';
import { frameOfRows } from '../../../lib/data/columns/frame';
import { buildExamples, type FeaturePlan } from '../../../lib/model/features';
import { regressionMetrics } from '../../../lib/model/metrics';
import { PipelineSpec } from '../../../lib/spec/pipeline-spec';
import { RidgeParams, ridgeTrainer } from '../../../lib/trainers/ridge-trainer';
import { DRIFT_COLUMNS, syntheticData } from './synthetic-data';

const CHECK_ENTRY = new URL('../../../activities/drift/compare-thread.ts', import.meta.url);
/** The champion is a ridge of x1 on x2, fitted on this many synthetic rows before the clock starts. */
const CHAMPION_ROWS = 5000;

const [databaseUrl, snapshotText, rowsText] = process.argv.slice(2) as [string, string, string];
const snapshotId = Number(snapshotText);
const rowsPerSide = Number(rowsText);

const spec = PipelineSpec.parse({
  name: 'bench-drift',
  source: { kind: 'file', path: 'drift.csv', format: 'csv' },
  columns: DRIFT_COLUMNS,
  target: 'x1',
  features: { columns: ['x2'] },
  model: { name: 'bench-drift', trainer: 'ridge' },
});

const job: DriftJob = {
  databaseUrl,
  spec,
  snapshotId,
  champion: await championOf(spec),
};

let firstProgressMs: number | undefined;
/** When each step started, from the thread's progress: loading ends where comparing starts. */
const steps: Record<string, number> = {};
/** The largest RSS seen during each step (sampled every 10 ms), to tell which step makes the peak. */
const stepRssMb: Record<string, number> = {};
let step = 'loading';
let last = performance.now();
let maxStallMs = 0;
/** The step during which the largest stall happened. */
let stallStep = step;
const timer = setInterval(() => {
  const now = performance.now();
  if (now - last - 10 > maxStallMs) stallStep = step;
  maxStallMs = Math.max(maxStallMs, now - last - 10);
  last = now;
  stepRssMb[step] = Math.max(stepRssMb[step] ?? 0, process.memoryUsage.rss() / 2 ** 20);
}, 10);
const started = performance.now();
const outcome = await resultFromThread<DriftOutcome, DriftMessage>(CHECK_ENTRY, job, {
  signal: new AbortController().signal,
  what: 'drift benchmark',
  onMessage: (message) => {
    firstProgressMs ??= performance.now() - started;
    if (message.type === 'step') steps[(step = message.step)] = performance.now() - started;
  },
});
const ms = performance.now() - started;
clearInterval(timer);
if (outcome.kind !== 'compared') throw new Error(`the check compared nothing: ${JSON.stringify(outcome)}`);
const { data, prediction, accuracy } = outcome.signals;
console.log(
  JSON.stringify({
    ms,
    firstProgressMs,
    steps,
    stepRssMb,
    maxStallMs,
    stallStep,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    rows: data.rows,
    verdict: data.verdict,
    columnsDrifted: data.columnsDrifted,
    columnsTested: data.columnsTested,
    statistics: Object.fromEntries(data.columns.map((c) => [c.column, { method: c.method, statistic: c.statistic, driftFrom: c.threshold }])),
    multivariate: data.multivariate,
    prediction: 'statistic' in prediction ? { method: prediction.method, statistic: prediction.statistic } : prediction,
    accuracy: 'reason' in accuracy ? accuracy.reason : { examples: accuracy.examples, current: accuracy.current },
  }),
);

// Idle pooled threads do not keep a process alive; closing ends them now.
void threadPool.close();

/** A champion that learned from the reference side: its window is the snapshot's first rowsPerSide rows. */
async function championOf(pipeline: PipelineSpec): Promise<DriftJob['champion']> {
  const plan: FeaturePlan = { target: pipeline.target, horizon: pipeline.horizon, features: pipeline.features, categories: {} };
  const { columns, reference } = syntheticData(CHAMPION_ROWS);
  const examples = buildExamples(frameOfRows(reference, columns), plan);
  const model = await ridgeTrainer.train({ x: examples.x, y: examples.y, featureNames: examples.featureNames }, RidgeParams.parse({}), () => undefined);
  return {
    artifact: { plan, trainer: { kind: 'built-in', name: 'ridge' }, model },
    metrics: regressionMetrics(examples.y, await ridgeTrainer.predict(model, examples.x)),
    trainingWindow: { asOfSnapshotId: snapshotId, snapshotIds: [snapshotId], rows: rowsPerSide, by: 'row', from: 1, to: rowsPerSide },
    trainingSnapshotIds: [snapshotId],
  };
}
