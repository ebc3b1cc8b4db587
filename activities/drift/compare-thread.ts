import { type DataWindow, describeWindow, frameOf, type PipelineData, rowCountOf, type RowKey } from '../../lib/arrival/pipeline-data';
import { currentData } from '../../lib/arrival/windows';
import type { ModelVersion } from '../../lib/db/model-registry';
import { loadPipelineData } from '../../lib/db/pipeline-data';
import { compareDatasets, DEFAULT_DRIFT_SEED } from '../../lib/drift/compare-datasets';
import { segmentDrift, type SegmentDrift } from '../../lib/drift/segments';
import type { DriftCheck, DriftSides, DriftWindow } from '../../lib/drift/drift-check';
import type { DriftReport } from '../../lib/drift/drift-report';
import { comparePredictions, PREDICTION } from '../../lib/drift/prediction-drift';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { threadDatabase } from '../threads/thread-database';
import type { SendFromJob } from '../threads/thread-job';
import { championAccuracy, championPredictions } from './champion-signals';
import { checkWindow, type CutData, driftColumns, featureColumns, referenceOf, withColumns } from './check-sides';

/** What the champion brings to a check: the rows it learned from, its model, its promoted error and recorded methods. */
export type Champion = Pick<ModelVersion, 'artifact' | 'metrics' | 'trainingWindow' | 'trainingSnapshotIds' | 'driftMethods'>;

/**
 * A drift check for a pooled thread: where the data is, not the data. The thread loads the
 * pipeline's columns itself (its own connection), so no row and no column ever crosses to the
 * activity's thread, whose event loop only heartbeats and waits.
 */
export interface DriftJob {
  databaseUrl: string;
  spec: PipelineSpec;
  snapshotId: number;
  champion: Champion;
  /** The current side of the pipeline's previous check, if any. */
  previousCheck?: DataWindow;
  /** Seeds the calibration bootstraps and samples, so that a stored report can be recomputed exactly. */
  seed?: number;
}

/** Where the check is: rows read so far while it loads, then the step it starts (the activity heartbeats with them). */
export type DriftMessage = { type: 'loading'; rows: number } | { type: 'step'; step: 'comparing' | 'champion' };

/** A check's signals and sides: all but what the activity adds from the database (annotations) and the verdict it assembles. */
export type CheckSignals = Omit<DriftCheck, 'verdict' | 'reasons' | 'annotations'> & { sides: DriftSides };

/** What a drift check found: the compared signals, or that nothing arrived since the champion's data and the previous check. */
export type DriftOutcome = { kind: 'compared'; signals: CheckSignals } | { kind: 'no-new-data'; reference: DataWindow; since: RowKey | null };

/** Runs in a pooled thread: loading and comparing millions of values never blocks the activity's heartbeats. */
export async function run(job: DriftJob, send: SendFromJob<DriftMessage>): Promise<DriftOutcome> {
  const { spec, champion } = job;
  const compared = await compareData(job, send);
  if (compared.kind === 'no-new-data') return compared;
  const { sides, data, championData } = compared;
  send({ type: 'step', step: 'champion' });
  const predictions = await championPredictions(champion, championData, sides.current);
  const signals: CheckSignals = {
    sides,
    data,
    target: { column: spec.target, verdict: data.columns.find((c) => c.column === spec.target)?.verdict ?? 'skipped' },
    prediction:
      typeof predictions === 'string'
        ? { column: PREDICTION, type: 'numeric', reason: predictions }
        : comparePredictions(predictions.reference, predictions.current, spec.drift.prediction, spec.drift, job.seed, champion.artifact.plan.classes?.values),
    accuracy: await championAccuracy(spec, champion, championData.all, sides.current),
    window: compared.window,
    ...(compared.segments && { segments: compared.segments }),
  };
  return { kind: 'compared', signals };
}

/**
 * Loads the data, cuts both sides and compares them. What it returns holds only the columns the
 * champion's features read: the others — most of what was loaded — are free once the report is made.
 */
async function compareData(
  job: DriftJob,
  send: SendFromJob<DriftMessage>,
): Promise<
  | Extract<DriftOutcome, { kind: 'no-new-data' }>
  | { kind: 'compared'; sides: DriftSides; data: DriftReport; window: DriftWindow; championData: { reference: PipelineData; all: PipelineData }; segments?: SegmentDrift }
> {
  const { spec, champion } = job;
  const { all, reference } = await loadSides(job, send);
  const current = currentData(all, spec.arrival, reference.window, job.previousCheck);
  if (rowCountOf(current.data) === 0) return { kind: 'no-new-data', reference: reference.window, since: current.since };
  send({ type: 'step', step: 'comparing' });
  const data = compareDatasets(frameOf(reference.data), frameOf(current.data), spec.columns, spec.drift, { recordedMethods: champion.driftMethods, seed: job.seed });
  const read = featureColumns(champion.artifact.plan);
  // With groupBy, the same comparison per segment, ranked: which segment moved.
  const segments = spec.groupBy.length === 0 ? undefined : segmentDrift(frameOf(reference.data), frameOf(current.data), spec.groupBy, spec.columns, { options: spec.drift, recordedMethods: champion.driftMethods, seed: job.seed ?? DEFAULT_DRIFT_SEED });
  return {
    kind: 'compared',
    ...(segments && { segments }),
    sides: { reference: reference.window, current: describeWindow(current.data) },
    data,
    window: checkWindow(current.data),
    championData: { reference: withColumns(reference.data, read), all: withColumns(all, read) },
  };
}

/** The pipeline's data as of the job's snapshot, and the champion's reference cut from it (or from the data as of its own snapshot). */
async function loadSides(job: DriftJob, send: SendFromJob<DriftMessage>): Promise<{ all: PipelineData; reference: CutData }> {
  const pool = threadDatabase(job.databaseUrl);
  const load = (snapshotId: number) =>
    loadPipelineData(pool, job.spec, snapshotId, { columns: driftColumns(job.spec), onProgress: (rows) => send({ type: 'loading', rows }) });
  const all = await load(job.snapshotId);
  return { all, reference: await referenceOf(job.champion, all, load) };
}
