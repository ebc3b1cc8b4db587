import { CancellationScope, isCancellation, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ScoredBatch } from '../activities/scoring';
import { NormPolicy, type RunNorm } from '../lib/norms/runtime-norm';
import { notifyTeam } from './notify-team';
import { parseWorkflowInput } from './parse-input';
import { cancelOverNorm, normedActivities, raceAgainstNorm, seconds } from './race-against-norm';
import { ScoreBatchInput } from './score-batch-input';
import { describeFailure, STEP_RETRY } from './step-options';

const { prepareScoring, pinScoringVersion, computeScoringNorm, recordScoringOutcome } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: STEP_RETRY });

export interface ScoreBatchResult {
  outcome: 'succeeded' | 'cancelled_over_norm';
  batchId: string;
  model: string;
  /** The version every prediction of the batch was made with: the alias's when the run started. */
  version: number;
  elapsedMs: number;
  normMs?: number;
  totals?: ScoredBatch;
}

/**
 * Scores a batch of rows with the version an alias (the champion) points to when the run starts,
 * under a runtime norm learned from past scoring runs: past it, the scoring is stopped, the run
 * recorded as cancelled and the team notified once. Predictions are written a chunk at a time,
 * each chunk in one transaction, and a retry or a re-run of the same batch writes nothing twice.
 */
export async function scoreBatch(rawInput: ScoreBatchInput): Promise<ScoreBatchResult> {
  const input = parseWorkflowInput(ScoreBatchInput, rawInput, 'scoreBatch');
  const { workflowId } = workflowInfo();
  const batchId = input.batchId ?? workflowId;
  setCurrentDetails(`${input.pipeline}: starting batch ${batchId}`);

  const { spec, specDir, trainingTaskQueue, source, output } = await prepareScoring({ pipeline: input.pipeline, source: input.source, output: input.output });
  const model = spec.model.name;
  const { versionId, version } = await pinScoringVersion({ batchId, pipeline: spec.name, model, alias: input.alias, workflowId });
  setCurrentDetails(`${input.pipeline}: scoring batch ${batchId} with ${model} v${version} (${input.alias})`);
  const norm = await computeScoringNorm({ model, policy: spec.scoring?.norm ?? NormPolicy.parse({}) });

  const { scoreBatchRows } = normedActivities(trainingTaskQueue);
  const scope = new CancellationScope();
  const scoring = scope.run(() => scoreBatchRows({ spec, specDir, source, output, batchId, versionId }));
  const status: { runNorm?: RunNorm } = {};
  const raced = await raceAgainstNorm(scoring, norm, status).catch(async (error: unknown) => {
    if (!isCancellation(error)) await recordScoringOutcome({ batchId, outcome: 'failed', durationMs: 0, error: describeFailure(error) });
    throw error;
  });

  if ('overNorm' in raced) {
    const late = await cancelOverNorm(scope, scoring);
    if (late) return succeeded(late.result, raced.elapsedMs);
    await recordScoringOutcome({ batchId, outcome: 'cancelled_over_norm', durationMs: raced.elapsedMs, normMs: raced.overNorm.normMs });
    await notifyTeam({
      dedupeKey: `scoring_cancelled_over_norm:${batchId}`,
      kind: 'cancelled_over_norm',
      severity: 'critical',
      pipeline: spec.name,
      title: `Batch scoring with ${model} v${version} cancelled: over its runtime norm`,
      body: `Batch ${batchId} ran ${seconds(raced.elapsedMs)} against a scoring norm of ${seconds(raced.overNorm.normMs)} (${raced.overNorm.explanation}). The chunks written before it stopped stay; a re-run of the batch writes only the rest. Workflow ${workflowId}.`,
      details: { workflowId, batchId, model, version, elapsedMs: raced.elapsedMs, norm, runNorm: raced.overNorm },
    });
    setCurrentDetails(`${input.pipeline}: batch ${batchId} **cancelled over norm** after ${seconds(raced.elapsedMs)}`);
    return { outcome: 'cancelled_over_norm', batchId, model, version, elapsedMs: raced.elapsedMs, normMs: raced.overNorm.normMs };
  }
  return succeeded(raced.result, raced.elapsedMs);

  async function succeeded(totals: ScoredBatch, elapsedMs: number): Promise<ScoreBatchResult> {
    const normMs = status.runNorm?.normMs ?? norm.normMs;
    await recordScoringOutcome({ batchId, outcome: 'succeeded', rowsRead: totals.rowsRead, rowsScored: totals.rowsScored, rowsQuarantined: totals.rowsQuarantined, durationMs: elapsedMs, normMs, contention: totals.contention });
    setCurrentDetails(`${input.pipeline}: batch ${batchId} scored ${totals.rowsScored} rows with ${model} v${version} (${totals.rowsWritten} new, ${totals.rowsQuarantined} quarantined) in ${seconds(elapsedMs)}`);
    return { outcome: 'succeeded', batchId, model, version, elapsedMs, normMs, totals };
  }
}
