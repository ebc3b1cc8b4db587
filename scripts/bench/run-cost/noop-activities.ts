import { Context } from '@temporalio/activity';

/**
 * The pipeline's seven steps doing nothing: what a run costs the worker in Temporal's own work
 * (polling, history, payloads, workflow tasks) alone, the floor a real run is compared with.
 */
export async function loadPipeline(input: { pipeline: string }): Promise<{ pipeline: string }> {
  return input;
}

export async function ingestSnapshot(input: { pipeline: string }): Promise<{ snapshotId: number }> {
  return { snapshotId: input.pipeline.length };
}

export async function validateSnapshot(input: { snapshotId: number }): Promise<{ passed: boolean }> {
  return { passed: input.snapshotId >= 0 };
}

export async function checkDrift(input: { snapshotId: number }): Promise<{ verdict: string }> {
  return { verdict: input.snapshotId >= 0 ? 'no_reference' : 'drift' };
}

export async function resolveSnapshot(input: { snapshotId: number }): Promise<{ snapshotId: number }> {
  return { snapshotId: input.snapshotId };
}

export async function computeRuntimeNorm(input: { pipeline: string }): Promise<{ basis: string }> {
  return { basis: input.pipeline ? 'none' : 'explicit-max' };
}

/** With `signalStart`, signals `trainingStarted` to its workflow and waits for it, as the real training activity signals its clock. */
export async function trainCandidate(input: { snapshotId: number; signalStart?: boolean }): Promise<{ versionId: number }> {
  if (input.signalStart) {
    const ctx = Context.current();
    const run = ctx.info.workflowExecution;
    if (run) await ctx.client.workflow.getHandle(run.workflowId, run.runId).signal('trainingStarted', { attempt: ctx.info.attempt });
  }
  return { versionId: input.snapshotId };
}

export async function evaluateCandidate(input: { versionId: number }): Promise<{ passed: boolean }> {
  return { passed: input.versionId >= 0 };
}

export async function promoteCandidate(input: { versionId: number }): Promise<{ promoted: boolean }> {
  return { promoted: input.versionId >= 0 };
}
