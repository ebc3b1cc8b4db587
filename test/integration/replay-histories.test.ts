import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { workflowBundle } from '../support/temporal-env';

const HISTORIES = new URL('../fixtures/histories/', import.meta.url);
const recorded = readdirSync(HISTORIES).filter((file) => file.endsWith('.json'));

/**
 * A recorded run: its workflow id (replay checks the ids of the children it starts), the commit
 * that ran it, and its history in protobuf's own object form (enums by name, 64-bit numbers as
 * text), read back the same way: the SDK's historyFromJSON fails on the two copies of protobufjs
 * the packages install.
 */
function recording(file: string): { workflowId: string; history: temporal.api.history.v1.History } {
  const stored = JSON.parse(readFileSync(new URL(file, HISTORIES), 'utf8')) as { workflowId: string; history: object };
  return { workflowId: stored.workflowId, history: temporal.api.history.v1.History.fromObject(stored.history) };
}

function scheduledActivities(file: string): string[] {
  return (recording(file).history.events ?? []).flatMap((event) => {
    const type = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return type ? [type] : [];
  });
}

/**
 * Histories recorded by the code before a change (each file names the change), replayed by
 * today's workflow bundle: a run started before a change made behind `patched()` still finishes
 * after a deploy. Replay fails on any command the run did not make then.
 */
describe('runs started by earlier code replay with the workflows of today', () => {
  it.each(recorded)('%s', async (file) => {
    const { workflowId, history } = recording(file);
    await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
  });

  it('include retrains that prepared their training in three activities, with and without a norm in force', () => {
    const retrains = recorded.filter((file) => file.startsWith('retrain-model-') && file.endsWith('-before-prepare-training.json'));
    expect(retrains.length).toBeGreaterThanOrEqual(2);
    for (const file of retrains) expect(scheduledActivities(file).slice(0, 3)).toEqual(['loadPipeline', 'resolveSnapshot', 'computeRuntimeNorm']);
  });
});
