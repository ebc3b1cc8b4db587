import { executeChild, proxyActivities } from '@temporalio/workflow';
import type * as activities from './noop-activities';

const steps = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/** modelPipeline's shape with no-op steps: six activities, and training in a child workflow as retrainModel does. */
export async function noopPipeline(input: { pipeline: string }): Promise<{ promoted: boolean }> {
  const { pipeline } = await steps.loadPipeline(input);
  const { snapshotId } = await steps.ingestSnapshot({ pipeline });
  await steps.validateSnapshot({ snapshotId });
  await steps.checkDrift({ snapshotId });
  const { versionId } = await executeChild(noopRetrain, { args: [{ snapshotId }] });
  await steps.evaluateCandidate({ versionId });
  return steps.promoteCandidate({ versionId });
}

export async function noopRetrain(input: { snapshotId: number }): Promise<{ versionId: number }> {
  return steps.trainCandidate(input);
}
