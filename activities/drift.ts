import { Context, log } from '@temporalio/activity';
import type { Row } from '../lib/data/typed-row';
import { insertAnnotation, overlappingAnnotations } from '../lib/db/annotations';
import { saveDriftReport } from '../lib/db/drift-reports';
import { getAliasedVersion, type ModelVersion } from '../lib/db/model-registry';
import { loadSnapshotRows } from '../lib/db/snapshots';
import { accuracyDecay } from '../lib/drift/accuracy-decay';
import { type Annotation, AnnotationInput } from '../lib/drift/annotation';
import { assembleDriftCheck, type DriftCheck, type DriftWindow } from '../lib/drift/drift-check';
import { type DriftSummary, summarizeDriftCheck } from '../lib/drift/drift-summary';
import { parseOrThrow } from '../lib/errors';
import { buildExamples, buildFeatures } from '../lib/model/features';
import { regressionMetrics } from '../lib/model/metrics';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import type { CompareJob, Comparison } from './drift/compare-thread';
import type { ActivityDeps } from './deps';
import { predictWith } from './training/predict';
import { resultFromThread } from './training/run-in-thread';

const COMPARE_ENTRY = new URL('./drift/compare-thread.ts', import.meta.url);
const HEARTBEAT_EVERY_MS = 1_000;

export interface CheckDriftInput {
  spec: PipelineSpec;
  snapshotId: number;
}

export function makeDrift(deps: ActivityDeps) {
  return {
    /**
     * Compares the current snapshot with the champion's training snapshots: every column, the
     * target, the champion's predictions and, where the current data has actuals, its error.
     * Stores the full report and returns its summary; without a champion there is nothing to compare.
     */
    async checkDrift({ spec, snapshotId }: CheckDriftInput): Promise<DriftSummary> {
      const ctx = Context.current();
      const beat = setInterval(() => ctx.heartbeat(), HEARTBEAT_EVERY_MS);
      try {
        const champion = await getAliasedVersion(deps.pool, spec.model.name, 'champion');
        if (!champion) return noReference(snapshotId, spec.model.name);
        const reference = (await Promise.all(champion.trainingSnapshotIds.map((id) => loadSnapshotRows(deps.pool, id)))).flat();
        const current = await loadSnapshotRows(deps.pool, snapshotId);
        const check = await compareWithChampion(deps, spec, champion, { reference, current }, ctx.cancellationSignal);
        const { workflowId, runId } = ctx.info.workflowExecution ?? { workflowId: `snapshot-${snapshotId}`, runId: 'none' };
        const ids = { currentSnapshotId: snapshotId, referenceSnapshotIds: champion.trainingSnapshotIds };
        const reportId = await saveDriftReport(deps.pool, {
          pipeline: spec.name,
          modelName: spec.model.name,
          championVersionId: champion.id,
          ...ids,
          workflowId,
          runId,
          check,
        });
        log.info('drift checked', { reportId, verdict: check.verdict });
        return summarizeDriftCheck(check, { reportId, ...ids, championVersion: champion.version });
      } finally {
        clearInterval(beat);
      }
    },

    /** Writes a person's annotation of a known event on a pipeline. */
    async recordAnnotation({ pipeline, annotation }: { pipeline: string; annotation: AnnotationInput }): Promise<Annotation> {
      return insertAnnotation(deps.pool, pipeline, parseOrThrow(AnnotationInput, annotation, 'annotation'));
    },
  };
}

/** Every signal of the check, the heavy comparison in a thread, assembled into one verdict. */
async function compareWithChampion(
  deps: ActivityDeps,
  spec: PipelineSpec,
  champion: ModelVersion,
  { reference, current }: { reference: Row[]; current: Row[] },
  signal: AbortSignal,
): Promise<DriftCheck> {
  const window = windowOf(current, spec.timeColumn);
  const job: CompareJob = {
    reference,
    current,
    columns: spec.columns,
    options: spec.drift,
    predictions: await championPredictions(champion, reference, current, signal),
    predictionOptions: spec.drift.prediction,
  };
  const { data, prediction } = await resultFromThread<Comparison>(COMPARE_ENTRY, job, { signal, what: 'drift comparison' });
  return assembleDriftCheck({
    data,
    target: { column: spec.target, verdict: data.columns.find((c) => c.column === spec.target)?.verdict ?? 'skipped' },
    prediction,
    accuracy: await championAccuracy(spec, champion, { reference, current }, signal),
    window,
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

/** The champion's predictions on both sides, built with its own feature plan; a string says why there are none. */
async function championPredictions(champion: ModelVersion, reference: Row[], current: Row[], signal: AbortSignal): Promise<CompareJob['predictions']> {
  const referenceX = buildFeatures(reference, champion.artifact.plan).x;
  const currentX = buildFeatures(current, champion.artifact.plan).x;
  if (referenceX.length === 0 || currentX.length === 0) return `no ${referenceX.length === 0 ? 'reference' : 'current'} row has all the champion's features`;
  return { reference: await predictWith(champion.artifact, referenceX, signal), current: await predictWith(champion.artifact, currentX, signal) };
}

/**
 * The champion's error on actuals it has not seen — labelled examples newer than its training
 * data — against the error on the holdout it was promoted on. Scoring it on its own training
 * rows would mix in-sample error (and old crises) into "decay".
 */
async function championAccuracy(
  spec: PipelineSpec,
  champion: ModelVersion,
  { reference, current }: { reference: Row[]; current: Row[] },
  signal: AbortSignal,
): Promise<DriftCheck['accuracy']> {
  const lastSeen = buildExamples(reference, champion.artifact.plan).at.at(-1);
  const examples = buildExamples(current, champion.artifact.plan);
  const fresh = examples.at.map((at) => spec.timeColumn === undefined || lastSeen === undefined || at > lastSeen);
  const x = examples.x.filter((_, i) => fresh[i]);
  const y = examples.y.filter((_, i) => fresh[i]);
  if (y.length === 0) return { reason: 'no new actuals since the champion was trained' };
  const { metric } = spec.drift.accuracyDecay;
  const metrics = regressionMetrics(y, await predictWith(champion.artifact, x, signal));
  return accuracyDecay(champion.metrics[metric], metrics[metric], y.length, spec.drift.accuracyDecay);
}

/** The span of the current data's time column (ISO strings sort as times), and now. */
function windowOf(rows: Row[], timeColumn: string | undefined): DriftWindow {
  let from: string | null = null;
  let to: string | null = null;
  for (const row of timeColumn ? rows : []) {
    const at = row[timeColumn as string];
    if (typeof at !== 'string') continue;
    if (from === null || at < from) from = at;
    if (to === null || at > to) to = at;
  }
  return { from, to, checkedAt: new Date().toISOString() };
}
