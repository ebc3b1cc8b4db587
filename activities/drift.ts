import { Context, log } from '@temporalio/activity';
import { type DataWindow, type RowKey, windowText } from '../lib/arrival/pipeline-data';
import { insertAnnotation, overlappingAnnotations } from '../lib/db/annotations';
import { saveDriftReport } from '../lib/db/drift-reports';
import { getAliasedVersion } from '../lib/db/model-registry';
import { previousCheckWindow } from '../lib/db/pipeline-data';
import { type Annotation, AnnotationInput } from '../lib/drift/annotation';
import { assembleDriftCheck } from '../lib/drift/drift-check';
import { type DriftSummary, summarizeDriftCheck } from '../lib/drift/drift-summary';
import { parseOrThrow } from '../lib/errors';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import type { DriftJob, DriftMessage, DriftOutcome } from './drift/compare-thread';
import type { ActivityDeps } from './deps';
import { heartbeatWhile } from './heartbeat';
import { resultFromThread } from './threads/result-from-thread';
import { databaseUrlOf } from './train';

const CHECK_ENTRY = new URL('./drift/compare-thread.ts', import.meta.url);

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
     *
     * A pooled thread loads the data (as columns, with its own connection) and does all the work;
     * this thread only heartbeats — from the start, and with the rows read while the thread loads.
     */
    async checkDrift({ spec, snapshotId }: CheckDriftInput): Promise<DriftSummary> {
      const ctx = Context.current();
      return heartbeatWhile(async () => {
        const champion = await getAliasedVersion(deps.pool, spec.model.name, 'champion');
        if (!champion) return noReference(snapshotId, spec.model.name);
        const { artifact, metrics, trainingWindow, trainingSnapshotIds, driftMethods } = champion;
        const job: DriftJob = {
          databaseUrl: databaseUrlOf(deps),
          spec,
          snapshotId,
          champion: { artifact, metrics, trainingWindow, trainingSnapshotIds, driftMethods },
          previousCheck: await previousCheckWindow(deps.pool, spec.name),
        };
        const outcome = await resultFromThread<DriftOutcome, DriftMessage>(CHECK_ENTRY, job, {
          signal: ctx.cancellationSignal,
          what: 'drift check',
          onMessage: (progress) => ctx.heartbeat(progress),
        });
        const referenceWindow = outcome.kind === 'compared' ? outcome.signals.sides.reference : outcome.reference;
        const ids = { currentSnapshotId: snapshotId, referenceSnapshotIds: referenceWindow.snapshotIds, championVersion: champion.version };
        if (outcome.kind === 'no-new-data') return noNewData(ids, outcome.reference, outcome.since);

        const { signals } = outcome;
        const check = assembleDriftCheck({ ...signals, annotations: await overlappingAnnotations(deps.pool, spec.name, signals.window) });
        const { workflowId, runId } = ctx.info.workflowExecution ?? { workflowId: `snapshot-${snapshotId}`, runId: 'none' };
        const reportId = await saveDriftReport(deps.pool, {
          pipeline: spec.name,
          modelName: spec.model.name,
          championVersionId: champion.id,
          currentSnapshotId: snapshotId,
          referenceSnapshotIds: referenceWindow.snapshotIds,
          workflowId,
          runId,
          check,
        });
        log.info('drift checked', { reportId, verdict: check.verdict, reference: windowText(signals.sides.reference), current: windowText(signals.sides.current) });
        return summarizeDriftCheck(check, { reportId, ...ids });
      });
    },

    /** Writes a person's annotation of a known event on a pipeline. */
    async recordAnnotation({ pipeline, annotation }: { pipeline: string; annotation: AnnotationInput }): Promise<Annotation> {
      return insertAnnotation(deps.pool, pipeline, parseOrThrow(AnnotationInput, annotation, 'annotation'));
    },
  };
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
