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

export async function trainCandidate(input: { snapshotId: number }): Promise<{ versionId: number }> {
  return { versionId: input.snapshotId };
}

export async function evaluateCandidate(input: { versionId: number }): Promise<{ passed: boolean }> {
  return { passed: input.versionId >= 0 };
}

export async function promoteCandidate(input: { versionId: number }): Promise<{ promoted: boolean }> {
  return { promoted: input.versionId >= 0 };
}
