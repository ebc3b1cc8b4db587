import { frameOf, type PipelineData } from '../../lib/arrival/pipeline-data';
import type { ColumnSpec } from '../../lib/data/column-spec';
import { concatTables } from '../../lib/data/columns/concat-tables';
import { frameOfTable } from '../../lib/data/columns/frame';
import { tableOfRows } from '../../lib/data/columns/table-of-rows';
import type { Row } from '../../lib/data/typed-row';
import { loadPipelineData } from '../../lib/db/pipeline-data';
import type { Pool } from '../../lib/db/pool';
import { threadDatabase } from '../threads/thread-database';
import { joinedOutcomes } from '../../lib/db/predictions';
import { scoredChunkInputs, servedSince, type ServedPrediction } from '../../lib/db/served-data';
import { compareDatasets, DEFAULT_DRIFT_SEED } from '../../lib/drift/compare-datasets';
import type { DriftCheck } from '../../lib/drift/drift-check';
import { comparePredictions, PREDICTION } from '../../lib/drift/prediction-drift';
import { segmentDrift } from '../../lib/drift/segments';
import { splitFrom } from '../../lib/evaluation/holdout';
import { buildExamples } from '../../lib/model/features';
import { predictedClasses } from '../../lib/model/metrics';
import { estimatePerformance, realisedMetric, type ReferencePeriod, type ServedOutputs } from '../../lib/serving/estimated-performance';
import type { ServedSides } from '../../lib/serving/serving-check';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { championPredictions } from '../drift/champion-signals';
import { driftColumns, featureColumns, referenceOf, withColumns } from '../drift/check-sides';
import type { Champion } from '../drift/compare-thread';
import type { SendFromJob } from '../threads/thread-job';
import { predictAnyWith } from '../training/predict';

/** Most served predictions one check compares, and most input rows: the newest of them when more were logged since the previous check. */
export const MAX_SERVED_ROWS = 200_000;

/** A serving check for a pooled thread: where the data is, never the data. */
export interface ServingCheckJob {
  databaseUrl: string;
  spec: PipelineSpec;
  champion: Champion & { version: number; evaluatedArtifact: Champion['artifact'] };
  /** Where the champion's holdout starts (its evaluation's key); without it no performance is estimated. */
  holdoutStart?: string;
  /** The end of the previous serving check; null before the first. */
  since: string | null;
  seed?: number;
}

export type ServingCheckMessage = { type: 'step'; step: 'loading' | 'comparing' | 'estimating' };

/** The signals of a serving check, or that nothing was served since the previous one. */
export type ServingCheckOutcome =
  | { kind: 'compared'; parts: Omit<DriftCheck, 'verdict' | 'reasons' | 'annotations'> & { served: ServedSides } }
  | { kind: 'nothing-served'; since: string | null; predictions: number };

/** Never aborted on its own: the pool terminates the thread when the check is cancelled. */
const NEVER = new AbortController().signal;

/**
 * Compares the predictions logged since the previous serving check, and the inputs they were made
 * from (logged with online predictions, kept per chunk by batch scoring), with the rows the
 * champion learned from — the same calibrated tests, minimum samples and segments as the data
 * check — and estimates the champion's performance on what it served (CBPE / residual bins).
 */
export async function run(job: ServingCheckJob, send: SendFromJob<ServingCheckMessage>): Promise<ServingCheckOutcome> {
  const { spec, champion } = job;
  const pool = threadDatabase(job.databaseUrl);
  send({ type: 'step', step: 'loading' });
  const served = await servedSince(pool, spec.name, spec.model.name, job.since, MAX_SERVED_ROWS);
  if (served.rows.length === 0) return { kind: 'nothing-served', since: job.since, predictions: 0 };
  const window = { from: (served.rows[0] as ServedPrediction).loggedAt, to: (served.rows.at(-1) as ServedPrediction).loggedAt };
  const inputs = await servedInputs(pool, spec, served.rows, window);
  // Predictions without their inputs (logged before migration 0017) leave nothing to compare the training rows with.
  if (inputs.frame.rowCount === 0) return { kind: 'nothing-served', since: job.since, predictions: served.rows.length };
  const load = (snapshotId: number) => loadPipelineData(pool, spec, snapshotId, { columns: driftColumns(spec) });
  const asOf = champion.trainingWindow?.asOfSnapshotId ?? (champion.trainingSnapshotIds.at(-1) as number);
  const reference = await referenceOf(champion, await load(asOf), load);

  send({ type: 'step', step: 'comparing' });
  const { columns, frame: servedFrame } = inputs;
  const referenceFrame = frameOf(reference.data);
  const seed = job.seed ?? DEFAULT_DRIFT_SEED;
  // Per-column options of columns a served row never carries (the target, say) do not apply here.
  const options = { ...spec.drift, columns: Object.fromEntries(Object.entries(spec.drift.columns).filter(([name]) => name in columns)) };
  const data = compareDatasets(referenceFrame, servedFrame, columns, options, { recordedMethods: champion.driftMethods, seed });
  const groupBy = spec.groupBy.filter((column) => column in columns);
  const segments = groupBy.length === 0 ? undefined : segmentDrift(referenceFrame, servedFrame, groupBy, columns, { options, recordedMethods: champion.driftMethods, seed });
  const prediction = await predictionDrift(job, reference.data, reference.window, served.rows, seed);

  send({ type: 'step', step: 'estimating' });
  const estimate = job.holdoutStart === undefined ? undefined : await estimateOnServed(pool, job, reference.data, job.holdoutStart, served.rows);
  return {
    kind: 'compared',
    parts: {
      data,
      target: { column: spec.target, verdict: 'skipped' },
      prediction,
      accuracy: { reason: 'live accuracy is judged on recorded actuals (recordActuals), not here' },
      window: { ...window, checkedAt: new Date().toISOString() },
      ...(segments && { segments }),
      served: {
        reference: reference.window,
        since: job.since,
        ...window,
        predictions: served.rows.length,
        inputs: inputs.counts,
        versions: [...new Set(served.rows.map((r) => r.version))].sort((a, b) => a - b),
        championVersion: champion.version,
        ...(estimate && { estimate }),
      },
    },
  };
}

/**
 * What the served predictions were made from, as one table of the served columns: the inputs
 * logged with predictions, and those of the batch chunks scored in the window (each whole; a
 * batch prediction logs none of its own). At most MAX_SERVED_ROWS, the newest: only the oldest
 * chunks, whose predictions the cap may have cut through, can take it past that.
 */
async function servedInputs(pool: Pool, spec: PipelineSpec, served: ServedPrediction[], window: { from: string; to: string }) {
  const logged = served.flatMap((r) => (r.inputs === null ? [] : [r.inputs as Row]));
  const chunks = await scoredChunkInputs(pool, spec.name, spec.model.name, window);
  const columns = servedColumns(spec, new Set([...logged.flatMap((row) => Object.keys(row)), ...chunks.flatMap((chunk) => chunk.specs.map((s) => s.name))]));
  // Logged rows last: the joined table has the last table's columns, so all the served ones (null where a chunk lacks one).
  const table = concatTables([...chunks, tableOfRows(logged, columns)]);
  const cut = Math.max(table.rowCount - MAX_SERVED_ROWS, 0);
  // Consecutive rows: the frame reads views of the table's arrays.
  const frame = frameOfTable(table, cut === 0 ? undefined : Int32Array.from({ length: MAX_SERVED_ROWS }, (_, i) => cut + i));
  return { frame, columns, counts: { logged: logged.length, scored: frame.rowCount - logged.length, chunks: chunks.length } };
}

/** The declared columns the served inputs carry, but the target and timestamps (which drift does not compare). */
function servedColumns(spec: PipelineSpec, carried: ReadonlySet<string>): Record<string, ColumnSpec> {
  return Object.fromEntries(Object.entries(spec.columns).filter(([name, column]) => carried.has(name) && name !== spec.target && column.type !== 'timestamp'));
}

/** The champion's predictions on its training rows against the predictions it served (class mix for a classifier). */
async function predictionDrift(job: ServingCheckJob, reference: PipelineData, window: ServedSides['reference'], served: ServedPrediction[], seed: number): Promise<DriftCheck['prediction']> {
  const { champion, spec } = job;
  const classes = champion.artifact.plan.classes?.values;
  const read = withColumns(reference, featureColumns(champion.artifact.plan));
  const predicted = await championPredictions(champion, { reference: read, all: read }, window);
  if (typeof predicted === 'string') return { column: PREDICTION, type: 'numeric', reason: predicted };
  const outputs = servedOutputs(served, classes);
  const current = outputs.kind === 'classification' ? predictedClasses(outputs.probabilities) : outputs.predictions;
  return comparePredictions(predicted.reference, current, spec.drift.prediction, spec.drift, seed, classes);
}

/** Served predictions as the estimator reads them: class probabilities in the model's class order, or numbers. */
function servedOutputs(served: { probabilities: Record<string, number> | null; prediction: number | null }[], classes: string[] | undefined): ServedOutputs {
  if (classes) return { kind: 'classification', probabilities: probabilityRows(served.filter((r) => r.probabilities !== null), classes) };
  return { kind: 'regression', predictions: served.flatMap((r) => (r.prediction === null ? [] : [r.prediction])) };
}

/** Logged {class: probability} maps in the model's class order (a class absent from the log: 0). */
function probabilityRows(rows: { probabilities: Record<string, number> | null }[], classes: string[]): number[][] {
  return rows.map((r) => classes.map((c) => (r.probabilities as Record<string, number>)[c] ?? 0));
}

/**
 * The reference period: the champion's evaluated fit (which never saw its holdout) on its holdout
 * examples, with their outcomes. The estimate covers the champion's own served predictions; once
 * some of them have actuals, the realised value on those sits beside the estimate for the same rows.
 */
async function estimateOnServed(pool: Pool, job: ServingCheckJob, data: PipelineData, holdoutStart: string, served: ServedPrediction[]) {
  const { champion, spec } = job;
  const period = await referencePeriod(champion.evaluatedArtifact, data, holdoutStart);
  if (period === undefined) return undefined;
  const classes = champion.artifact.plan.classes?.values;
  const own = served.filter((r) => r.version === champion.version);
  const estimate = estimatePerformance(period, servedOutputs(own, classes), regressionMetricOf(spec));
  if (!estimate) return undefined;
  const { outcomes } = await joinedOutcomes(pool, spec.name, { limit: spec.drift.accuracyDecay.window, version: champion.version });
  const labelled = labelledPeriod(outcomes, classes);
  if (labelled === undefined) return estimate;
  const sameRows = estimatePerformance(period, labelled.kind === 'classification' ? { kind: 'classification', probabilities: labelled.probabilities } : { kind: 'regression', predictions: labelled.predictions }, regressionMetricOf(spec));
  const rows = labelled.kind === 'classification' ? labelled.labels.length : labelled.actuals.length;
  return { ...estimate, realised: { value: realisedMetric(labelled, estimate.metric), rows, estimatedOnSameRows: sameRows?.estimated as number } };
}

/** A regressor is estimated on the declared decay metric when it is MAE or RMSE, else on MAE. */
function regressionMetricOf(spec: PipelineSpec): 'mae' | 'rmse' {
  return spec.drift.accuracyDecay.metric === 'rmse' ? 'rmse' : 'mae';
}

/** The evaluated fit's outputs on its holdout examples, with their outcomes; undefined when the holdout holds none. */
async function referencePeriod(artifact: Champion['artifact'], data: PipelineData, holdoutStart: string): Promise<ReferencePeriod | undefined> {
  const frame = frameOf(data);
  const { plan } = artifact;
  const { test } = splitFrom(buildExamples(frame, plan), holdoutStart, { frame, plan });
  if (test.y.length === 0) return undefined;
  const predicted = await predictAnyWith(artifact, test.x, NEVER);
  return plan.classes
    ? { kind: 'classification', probabilities: predicted as number[][], labels: test.y, classes: plan.classes.values.length }
    : { kind: 'regression', predictions: predicted as number[], actuals: test.y };
}

/** Joined outcomes as a labelled period (the same shape as the reference); undefined with none. */
function labelledPeriod(
  outcomes: { probabilities: Record<string, number> | null; prediction: number | null; actualValue: number | null; actualClass: string | null }[],
  classes: string[] | undefined,
): ReferencePeriod | undefined {
  if (classes) {
    const usable = outcomes.filter((o) => o.probabilities !== null && o.actualClass !== null && classes.includes(o.actualClass));
    if (usable.length === 0) return undefined;
    return {
      kind: 'classification',
      probabilities: probabilityRows(usable, classes),
      labels: usable.map((o) => classes.indexOf(o.actualClass as string)),
      classes: classes.length,
    };
  }
  const usable = outcomes.filter((o) => o.prediction !== null && o.actualValue !== null);
  if (usable.length === 0) return undefined;
  return { kind: 'regression', predictions: usable.map((o) => o.prediction as number), actuals: usable.map((o) => o.actualValue as number) };
}
