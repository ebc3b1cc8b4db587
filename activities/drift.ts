import { Context, log } from '@temporalio/activity';
import { type DataWindow, describeWindow, type PipelineData, type RowKey, windowText } from '../lib/arrival/pipeline-data';
import { currentData, rowsOf } from '../lib/arrival/windows';
import { insertAnnotation, overlappingAnnotations } from '../lib/db/annotations';
import { saveDriftReport } from '../lib/db/drift-reports';
import { getAliasedVersion, type ModelVersion } from '../lib/db/model-registry';
import { loadPipelineData, previousCheckWindow } from '../lib/db/pipeline-data';
import { accuracyDecay } from '../lib/drift/accuracy-decay';
import { type Annotation, AnnotationInput } from '../lib/drift/annotation';
import { assembleDriftCheck, type DriftCheck, type DriftSides, type DriftWindow } from '../lib/drift/drift-check';
import { type DriftSummary, summarizeDriftCheck } from '../lib/drift/drift-summary';
import { parseOrThrow } from '../lib/errors';
import { buildExamples, buildFeatures } from '../lib/model/features';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import type { CompareJob, Comparison } from './drift/compare-thread';
import type { ActivityDeps } from './deps';
import { heartbeatWhile } from './heartbeat';
import { predictWith } from './training/predict';
import { resultFromThread } from './threads/result-from-thread';

const COMPARE_ENTRY = new URL('./drift/compare-thread.ts', import.meta.url);

export interface CheckDriftInput {
  spec: PipelineSpec;
  snapshotId: number;
}

export function makeDrift(deps: ActivityDeps) {
  return {
    /**
     * Compares the rows that are new since the champion's training data (and since the previous
     * check) with exactly the rows the champion learned from: every column, the target, the
     * champion's predictions and, where new actuals exist, its error. Stores the full report, which
     * names both sides, and returns its summary. Without a champion, or without new rows, there is
     * nothing to compare, and the summary says so.
     */
    async checkDrift({ spec, snapshotId }: CheckDriftInput): Promise<DriftSummary> {
      const ctx = Context.current();
      return heartbeatWhile(async () => {
        const champion = await getAliasedVersion(deps.pool, spec.model.name, 'champion');
        if (!champion) return noReference(snapshotId, spec.model.name);
        const data = await loadPipelineData(deps.pool, spec, snapshotId);
        const reference = await referenceOf(deps, spec, champion, data);
        const current = currentData(data, spec.arrival, reference.window, await previousCheckWindow(deps.pool, spec.name));
        const ids = { currentSnapshotId: snapshotId, referenceSnapshotIds: reference.window.snapshotIds, championVersion: champion.version };
        if (current.data.rows.length === 0) return noNewData(ids, reference.window, current.since);

        const sides: DriftSides = { reference: reference.window, current: describeWindow(current.data) };
        const check = await compareWithChampion(deps, spec, champion, { reference: reference.data, current: current.data, all: data }, sides, ctx.cancellationSignal);
        const { workflowId, runId } = ctx.info.workflowExecution ?? { workflowId: `snapshot-${snapshotId}`, runId: 'none' };
        const reportId = await saveDriftReport(deps.pool, {
          pipeline: spec.name,
          modelName: spec.model.name,
          championVersionId: champion.id,
          currentSnapshotId: snapshotId,
          referenceSnapshotIds: reference.window.snapshotIds,
          workflowId,
          runId,
          check,
        });
        log.info('drift checked', { reportId, verdict: check.verdict, reference: windowText(sides.reference), current: windowText(sides.current) });
        return summarizeDriftCheck(check, { reportId, ...ids });
      });
    },

    /** Writes a person's annotation of a known event on a pipeline. */
    async recordAnnotation({ pipeline, annotation }: { pipeline: string; annotation: AnnotationInput }): Promise<Annotation> {
      return insertAnnotation(deps.pool, pipeline, parseOrThrow(AnnotationInput, annotation, 'annotation'));
    },
  };
}

/**
 * The rows the champion learned from, read back through its recorded window (from the data
 * already loaded when the window was cut from the same snapshot). A version from before windows
 * were recorded learned from all of its training snapshots' data.
 */
async function referenceOf(
  deps: ActivityDeps,
  spec: PipelineSpec,
  champion: ModelVersion,
  loaded: PipelineData,
): Promise<{ window: DataWindow; data: PipelineData }> {
  const dataAsOf = async (snapshotId: number) => (snapshotId === loaded.asOfSnapshotId ? loaded : loadPipelineData(deps.pool, spec, snapshotId));
  const window = champion.trainingWindow;
  if (window) return { window, data: rowsOf(await dataAsOf(window.asOfSnapshotId), window) };
  const data = await dataAsOf(champion.trainingSnapshotIds.at(-1) as number);
  return { window: describeWindow(data), data };
}

interface CheckData {
  reference: PipelineData;
  current: PipelineData;
  /** The pipeline's whole data: lags and rolling means of new rows reach back into older ones. */
  all: PipelineData;
}

/** Every signal of the check, the heavy comparison in a thread, assembled into one verdict. */
async function compareWithChampion(
  deps: ActivityDeps,
  spec: PipelineSpec,
  champion: ModelVersion,
  data: CheckData,
  sides: DriftSides,
  signal: AbortSignal,
): Promise<DriftCheck> {
  const window = windowOf(data.current, spec.timeColumn);
  const job: CompareJob = {
    reference: data.reference.rows,
    current: data.current.rows,
    columns: spec.columns,
    options: spec.drift,
    recordedMethods: champion.driftMethods,
    predictions: await championPredictions(champion, data, sides.current, signal),
    predictionOptions: spec.drift.prediction,
  };
  const { data: report, prediction } = await resultFromThread<Comparison>(COMPARE_ENTRY, job, { signal, what: 'drift comparison' });
  return assembleDriftCheck({
    data: report,
    target: { column: spec.target, verdict: report.columns.find((c) => c.column === spec.target)?.verdict ?? 'skipped' },
    prediction,
    accuracy: await championAccuracy(spec, champion, data.all, sides.current, signal),
    window,
    sides,
    annotations: await overlappingAnnotations(deps.pool, spec.name, window),
  });
}

function noReference(snapshotId: number, model: string): DriftSummary {
  return {
    verdict: 'no_reference',
    reasons: [`${model} has no champion yet: nothing to compare with`],
    currentSnapshotId: snapshotId,
    referenceSnapshotIds: [],
    columnsTested: 0,
    columnsDrifted: 0,
    drifted: [],
    annotations: [],
  };
}

/** Nothing arrived after the champion's training data and the previous check: no comparison, and the summary says so. */
function noNewData(
  ids: { currentSnapshotId: number; referenceSnapshotIds: number[]; championVersion: number },
  reference: DataWindow,
  since: RowKey | null,
): DriftSummary {
  const after = since === null ? 'the champion was trained' : reference.by === 'time' ? String(since).slice(0, 10) : `row ${since}`;
  return {
    verdict: 'no_new_data',
    reasons: [`no new data since ${after}: champion v${ids.championVersion} learned from ${windowText(reference)}`],
    ...ids,
    columnsTested: 0,
    columnsDrifted: 0,
    drifted: [],
    annotations: [],
  };
}

/** The champion's predictions on both sides, built with its own feature plan; a string says why there are none. */
async function championPredictions(champion: ModelVersion, data: CheckData, current: DataWindow, signal: AbortSignal): Promise<CompareJob['predictions']> {
  const referenceX = buildFeatures(data.reference.rows, champion.artifact.plan).x;
  const all = buildFeatures(data.all.rows, champion.artifact.plan);
  const currentX = all.x.filter((_, i) => inWindow(exampleKey(data.all, all.at[i] as string), current));
  if (referenceX.length === 0 || currentX.length === 0) return `no ${referenceX.length === 0 ? 'reference' : 'current'} row has all the champion's features`;
  return { reference: await predictWith(champion.artifact, referenceX, signal), current: await predictWith(champion.artifact, currentX, signal) };
}

/**
 * The champion's error on the newest actuals — labelled examples of the current window, which
 * it never learned from — against the error on the holdout it was promoted on.
 */
async function championAccuracy(
  spec: PipelineSpec,
  champion: ModelVersion,
  all: PipelineData,
  current: DataWindow,
  signal: AbortSignal,
): Promise<DriftCheck['accuracy']> {
  const examples = buildExamples(all.rows, champion.artifact.plan);
  const fresh = examples.at.map((at) => inWindow(exampleKey(all, at), current));
  const x = examples.x.filter((_, i) => fresh[i]);
  const y = examples.y.filter((_, i) => fresh[i]);
  if (y.length === 0) return { reason: 'no new actuals since the champion was trained' };
  const { metric } = spec.drift.accuracyDecay;
  return accuracyDecay(champion.metrics[metric], y, await predictWith(champion.artifact, x, signal), spec.drift.accuracyDecay);
}

/** An example's `at` is its row's time, or its row's index in the data when there is no time column. */
function exampleKey(data: PipelineData, at: string): RowKey {
  return data.by === 'time' ? at : (data.keys[Number(at)] as RowKey);
}

function inWindow(key: RowKey, window: DataWindow): boolean {
  if (window.from === null || window.to === null) return false;
  return typeof key === 'number' ? key >= (window.from as number) && key <= (window.to as number) : key >= String(window.from) && key <= String(window.to);
}

/** The span of the current data's time column (ISO strings sort as times), and now. */
function windowOf(current: PipelineData, timeColumn: string | undefined): DriftWindow {
  const times = timeColumn === undefined ? [] : current.keys.filter((key): key is string => typeof key === 'string' && key !== '');
  return { from: times[0] ?? null, to: times.at(-1) ?? null, checkedAt: new Date().toISOString() };
}
