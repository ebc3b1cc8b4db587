import { Context, log } from '@temporalio/activity';
import { overlappingAnnotations } from '../../lib/db/annotations';
import { saveDriftReport } from '../../lib/db/drift-reports';
import { getAliasedVersion } from '../../lib/db/model-registry';
import { holdoutStartOf, previousServingCheckEnd } from '../../lib/db/served-data';
import { type DriftSummary, summarizeDriftCheck } from '../../lib/drift/drift-summary';
import type { PerformanceEstimate } from '../../lib/serving/estimated-performance';
import { assembleServingCheck } from '../../lib/serving/serving-check';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import type { ActivityDeps } from '../deps';
import { heartbeatWhile } from '../heartbeat';
import { resultFromThread } from '../threads/result-from-thread';
import { databaseUrlOf } from '../train';
import type { ServingCheckJob, ServingCheckMessage, ServingCheckOutcome } from './serving-check-thread';

const CHECK_ENTRY = new URL('./serving-check-thread.ts', import.meta.url);

/** A serving check's summary: the drift summary the policy reads, and the estimated performance. */
export interface ServingDriftSummary {
  drift: DriftSummary;
  estimate?: PerformanceEstimate;
}

export function makeServingDrift(deps: ActivityDeps) {
  return {
    /**
     * Compares what the champion was served since the previous serving check (logged predictions,
     * and their inputs: logged online, kept per chunk by batch scoring) with the rows it learned
     * from, stores the report (kind `serving`) and returns its summary. Nothing served since:
     * `no_new_data`, nothing stored. A pooled thread loads and compares; this one heartbeats.
     */
    async checkServingDrift({ spec }: { spec: PipelineSpec }): Promise<ServingDriftSummary> {
      const ctx = Context.current();
      return heartbeatWhile(async () => {
        const champion = await getAliasedVersion(deps.pool, spec.model.name, 'champion');
        if (!champion) return { drift: unjudged('no_reference', [`${spec.model.name} has no champion yet: nothing to compare with`], []) };
        const since = await previousServingCheckEnd(deps.pool, spec.name);
        const holdoutStart = await holdoutStartOf(deps.pool, champion.id);
        const { artifact, evaluatedArtifact, metrics, trainingWindow, trainingSnapshotIds, driftMethods, version } = champion;
        const job: ServingCheckJob = {
          databaseUrl: databaseUrlOf(deps),
          spec,
          champion: { artifact, evaluatedArtifact, metrics, trainingWindow, trainingSnapshotIds, driftMethods, version },
          ...(holdoutStart !== undefined && { holdoutStart }),
          since,
        };
        const outcome = await resultFromThread<ServingCheckOutcome, ServingCheckMessage>(CHECK_ENTRY, job, {
          signal: ctx.cancellationSignal,
          what: 'serving drift check',
          onMessage: (progress) => ctx.heartbeat(progress),
        });
        const referenceSnapshotIds = trainingWindow?.snapshotIds ?? trainingSnapshotIds;
        if (outcome.kind === 'nothing-served') {
          const what = outcome.predictions === 0 ? 'no logged prediction' : `${outcome.predictions} logged predictions, none with its inputs (logged or in a scored chunk)`;
          return { drift: unjudged('no_new_data', [`nothing served since ${since ?? 'the first prediction'}: ${what}`], referenceSnapshotIds, version) };
        }
        const { parts } = outcome;
        const check = assembleServingCheck({ ...parts, annotations: await overlappingAnnotations(deps.pool, spec.name, parts.window) });
        // One report per workflow run (a retried activity finds its own): each serving check is its own run.
        const { workflowId, runId } = ctx.info.workflowExecution ?? { workflowId: `serving-${spec.name}-${ctx.info.activityId}`, runId: 'none' };
        const reportId = await saveDriftReport(deps.pool, {
          pipeline: spec.name,
          modelName: spec.model.name,
          championVersionId: champion.id,
          currentSnapshotId: null,
          referenceSnapshotIds: parts.served.reference.snapshotIds,
          workflowId,
          runId,
          check,
          kind: 'serving',
        });
        log.info('serving drift checked', { reportId, verdict: check.verdict, predictions: parts.served.predictions });
        const drift = summarizeDriftCheck(check, { reportId, currentSnapshotId: null, referenceSnapshotIds: parts.served.reference.snapshotIds, championVersion: version });
        return { drift, ...(parts.served.estimate && { estimate: parts.served.estimate }) };
      });
    },
  };
}

/** A summary of a check that compared nothing, and says why. */
function unjudged(verdict: 'no_reference' | 'no_new_data', reasons: string[], referenceSnapshotIds: number[], championVersion?: number): DriftSummary {
  return {
    verdict,
    reasons,
    currentSnapshotId: null,
    referenceSnapshotIds,
    ...(championVersion !== undefined && { championVersion }),
    columnsTested: 0,
    columnsDrifted: 0,
    drifted: [],
    annotations: [],
  };
}
