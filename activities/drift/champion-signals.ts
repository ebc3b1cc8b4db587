import { type DataWindow, frameOf, keyAt, type PipelineData, rowCountOf, type RowKey, slice } from '../../lib/arrival/pipeline-data';
import { accuracyDecay, decayMetricFor } from '../../lib/drift/accuracy-decay';
import type { DriftCheck } from '../../lib/drift/drift-check';
import { metricOf } from '../../lib/model/metrics';
import { buildExamples, buildFeatureColumns, buildFeatures, type FeaturePlan, lookbackOf, targetSeries } from '../../lib/model/features';
import { checkPredictions } from '../../lib/model/model-artifact';
import { predictRidgeOnColumns, type RidgeModel } from '../../lib/model/ridge';
import { inTargetUnits } from '../../lib/model/target-transform';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { predictAnyWith, predictSignalWith } from '../training/predict';
import type { Champion } from './compare-thread';

/**
 * Rows whose features are built at a time: for a trainer that takes rows, features are one array
 * per row, so a million rows' would take hundreds of megabytes; a batch's live only while it is predicted. Few enough
 * batches that a command trainer (a process per prediction) starts only a handful of times.
 */
const BATCH_ROWS = 65_536;

/**
 * Predictions run inside the check's thread, which the pool terminates when the check is
 * cancelled: nothing here is aborted on its own.
 */
const NEVER = new AbortController().signal;

/** The champion's predictions on both sides, built with its own feature plan; a string says why there are none. */
export async function championPredictions(
  champion: Champion,
  data: { reference: PipelineData; all: PipelineData },
  current: DataWindow,
  batchRows = BATCH_ROWS,
): Promise<{ reference: Float64Array; current: Float64Array } | string> {
  const reference = await predictionsOn(champion, data.reference, undefined, batchRows);
  // Lags and rolling means of new rows reach back into older ones: the current's features are built with the rows before it.
  const currentPredictions = await predictionsOn(champion, withHistory(data.all, current, champion), (key) => inWindow(key, current), batchRows);
  if (reference.length === 0 || currentPredictions.length === 0) return `no ${reference.length === 0 ? 'reference' : 'current'} row has all the champion's features`;
  return { reference, current: currentPredictions };
}

/**
 * The champion's error on the newest actuals — labelled examples of the current window, which
 * it never learned from — against the error on the holdout it was promoted on. Only the newest
 * `window` examples are judged, so only they are predicted.
 */
export async function championAccuracy(
  spec: PipelineSpec,
  champion: Champion,
  all: PipelineData,
  current: DataWindow,
  batchRows = BATCH_ROWS,
): Promise<DriftCheck['accuracy']> {
  const options = spec.drift.accuracyDecay;
  const newest: { x: number[][]; y: number[] } = { x: [], y: [] };
  let available = 0;
  const { plan } = champion.artifact;
  for (const batch of batchesOf(withHistory(all, current, champion), { behind: lookbackOf(plan), ahead: plan.horizon, rows: rowsPerBatch(plan, batchRows) })) {
    const labelled = ownLabelled(batch, plan, (key) => inWindow(key, current), options.window);
    available += labelled.count;
    newest.x.push(...labelled.x);
    newest.y.push(...labelled.y);
    newest.x.splice(0, Math.max(0, newest.x.length - options.window));
    newest.y.splice(0, Math.max(0, newest.y.length - options.window));
  }
  if (available === 0) return { reason: 'no new actuals since the champion was trained' };
  const predicted = await predictAnyWith(champion.artifact, newest.x, NEVER);
  const metric = decayMetricFor(plan, options.metric);
  return accuracyDecay(metricOf(champion.metrics, metric), newest.y, predicted, { ...options, metric }, undefined, available);
}

/**
 * How many labelled examples the batch's own rows in the window give, and the newest `keep` of
 * them. Without groups the examples are the feature rows that have a label, in the same order, so
 * they are built on columns and only the newest become arrays; grouped examples (put in time
 * order across groups) are built as rows.
 */
function ownLabelled(batch: Batch, plan: FeaturePlan, keeps: KeyFilter, keep: number): { count: number; x: number[][]; y: number[] } {
  const frame = frameOf(batch.data);
  if (plan.groupBy?.length) {
    const examples = buildExamples(frame, plan);
    const picked = ownExamples(batch, examples.row, (i) => examples.at[i] as string, keeps);
    const newest = keep > 0 ? picked.slice(-keep) : [];
    return { count: picked.length, x: newest.map((i) => examples.x[i] as number[]), y: newest.map((i) => examples.y[i] as number) };
  }
  const features = buildFeatureColumns(frame, plan);
  const target = targetSeries(frame, plan);
  const labelOf = (i: number) => target[(features.row[i] as number) + plan.horizon];
  const picked = ownExamples(batch, features.row, features.atOf, keeps).filter((i) => Number.isFinite(labelOf(i)));
  const newest = keep > 0 ? picked.slice(-keep) : [];
  return { count: picked.length, x: newest.map((i) => features.columns.map((column) => column[i] as number)), y: newest.map((i) => labelOf(i) as number) };
}

/** The champion's predictions for the rows of `data` whose key `keeps` (all without it), built and predicted a batch at a time. */
async function predictionsOn(champion: Champion, data: PipelineData, keeps: KeyFilter | undefined, batchRows: number): Promise<Float64Array> {
  // At most one prediction per row: no array grows (and is copied) a million times over.
  const predictions = new Float64Array(rowCountOf(data));
  let count = 0;
  for (const batch of batchesOf(data, { behind: lookbackOf(champion.artifact.plan), ahead: 0, rows: rowsPerBatch(champion.artifact.plan, batchRows) })) {
    const predicted = await predictBatch(champion.artifact, batch, keeps);
    predictions.set(predicted, count);
    count += predicted.length;
  }
  return predictions.subarray(0, count);
}

/**
 * The champion's predictions for a batch's own rows that `keeps`: the built-in ridge predicts on
 * feature columns (no array per row); any other trainer takes rows.
 */
async function predictBatch(artifact: Champion['artifact'], batch: Batch, keeps: KeyFilter | undefined): Promise<ArrayLike<number>> {
  const frame = frameOf(batch.data);
  if (artifact.trainer.kind === 'built-in' && artifact.trainer.name === 'ridge') {
    const features = buildFeatureColumns(frame, artifact.plan);
    const picked = ownExamples(batch, features.row, features.atOf, keeps);
    const predicted = inTargetUnits(artifact.plan, Array.from(predictRidgeOnColumns(artifact.model as RidgeModel, features.columns.map((column) => gathered(column, picked)))));
    checkPredictions(predicted, picked.length);
    return predicted;
  }
  const features = buildFeatures(frame, artifact.plan);
  const x = ownExamples(batch, features.row, (i) => features.at[i] as string, keeps).map((i) => features.x[i] as number[]);
  return x.length === 0 ? [] : predictSignalWith(artifact, x, NEVER);
}

function gathered(column: Float64Array, picked: number[]): Float64Array {
  return Float64Array.from(picked, (i) => column[i] as number);
}

/** The current window's rows (a suffix of the data) with the rows before them that their features read (all of them for a grouped plan). */
function withHistory(all: PipelineData, current: DataWindow, champion: Champion): PipelineData {
  const count = rowCountOf(all);
  const { plan } = champion.artifact;
  return slice(all, plan.groupBy?.length ? 0 : Math.max(0, count - current.rows - lookbackOf(plan)), count);
}

/**
 * A grouped plan builds its rows group by group: `lookbackOf` rows back in time order hold only a
 * few of each group's, and its examples' rows are not in time order, so its rows form one batch.
 */
function rowsPerBatch(plan: FeaturePlan, batchRows: number): number {
  return plan.groupBy?.length ? Number.POSITIVE_INFINITY : batchRows;
}

/** A batch of rows, and which of its frame's rows (in time order) are its own: the others are history before and labels after. */
interface Batch {
  data: PipelineData;
  first: number;
  end: number;
}

/**
 * The data's rows `rows` at a time, each batch reaching `behind` rows back (what lags read) and
 * `ahead` rows on (the labels of its last rows), so that its own rows get exactly the features
 * and labels a build over all the data gives them.
 */
function* batchesOf(data: PipelineData, { behind, ahead, rows }: { behind: number; ahead: number; rows: number }): Generator<Batch> {
  const count = rowCountOf(data);
  for (let start = 0; start < count; start += rows) {
    const end = Math.min(count, start + rows);
    const from = Math.max(0, start - behind);
    yield { data: slice(data, from, Math.min(count, end + ahead)), first: start - from, end: end - from };
  }
}

type KeyFilter = (key: RowKey) => boolean;

/** The indexes of the examples built from the batch's own rows whose key `keeps` (all of them without it; no key is made then). */
function ownExamples(batch: Batch, rows: ArrayLike<number>, atOf: (i: number) => string, keeps: KeyFilter | undefined): number[] {
  const picked: number[] = [];
  for (let i = 0; i < rows.length; i += 1) {
    const row = rows[i] as number;
    if (row >= batch.first && row < batch.end && (keeps === undefined || keeps(exampleKey(batch.data, atOf(i))))) picked.push(i);
  }
  return picked;
}

/** An example's `at` is its row's time, or its row's index in the data when there is no time column. */
function exampleKey(data: PipelineData, at: string): RowKey {
  return data.by === 'time' ? at : keyAt(data, Number(at));
}

function inWindow(key: RowKey, window: DataWindow): boolean {
  if (window.from === null || window.to === null) return false;
  return typeof key === 'number' ? key >= (window.from as number) && key <= (window.to as number) : key >= String(window.from) && key <= String(window.to);
}
