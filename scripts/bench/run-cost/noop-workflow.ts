import { defineSignal, executeChild, proxyActivities, setHandler } from '@temporalio/workflow';
import type * as activities from './noop-activities';

const steps = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

export interface NoopInput {
  pipeline: string;
  /**
   * Also the round trips a real run makes beyond the seven steps: retrainModel loads the spec
   * again, resolves the snapshot, computes the runtime norm, and hears one `trainingStarted`
   * signal from its training activity.
   */
  fullShape?: boolean;
}

/** modelPipeline's shape with no-op steps: six activities, and training in a child workflow as retrainModel does. */
export async function noopPipeline(input: NoopInput): Promise<{ promoted: boolean }> {
  const { pipeline } = await steps.loadPipeline(input);
  const { snapshotId } = await steps.ingestSnapshot({ pipeline });
  await steps.validateSnapshot({ snapshotId });
  await steps.checkDrift({ snapshotId });
  const { versionId } = await executeChild(noopRetrain, { args: [{ pipeline, snapshotId, fullShape: input.fullShape }] });
  await steps.evaluateCandidate({ versionId });
  return steps.promoteCandidate({ versionId });
}

export const trainingStartedSignal = defineSignal<[{ attempt: number }]>('trainingStarted');

export async function noopRetrain(input: { pipeline: string; snapshotId: number; fullShape?: boolean }): Promise<{ versionId: number }> {
  if (!input.fullShape) return steps.trainCandidate(input);
  let started = false;
  setHandler(trainingStartedSignal, () => void (started = true));
  await steps.loadPipeline(input);
  await steps.resolveSnapshot(input);
  await steps.computeRuntimeNorm(input);
  const trained = await steps.trainCandidate({ ...input, signalStart: true });
  return { versionId: started ? trained.versionId : -1 };
}
