import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import type { NextRun } from '../../lib/dashboard/overview-page';
import { scheduleIdOf } from '../../scripts/support/schedules';

/** The overview must not wait on a Temporal server that does not answer. */
const TEMPORAL_WAIT_MS = 1_500;

/** When each pipeline's Schedule (`driftline-<pipeline>`) next starts a run. */
export async function nextRuns(temporal: () => Promise<Client>, pipelines: string[]): Promise<Map<string, NextRun>> {
  const lookups = pipelines.map(async (pipeline): Promise<[string, NextRun]> => [pipeline, await withTimeout(nextRun(temporal, pipeline))]);
  return new Map(await Promise.all(lookups));
}

async function nextRun(temporal: () => Promise<Client>, pipeline: string): Promise<NextRun> {
  try {
    const description = await (await temporal()).schedule.getHandle(scheduleIdOf(pipeline)).describe();
    return { at: description.info.nextActionTimes[0] ?? null, paused: description.state.paused };
  } catch (error) {
    return error instanceof ScheduleNotFoundError ? 'no schedule' : 'unknown';
  }
}

function withTimeout(lookup: Promise<NextRun>): Promise<NextRun> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<NextRun>((resolve) => {
    timer = setTimeout(() => resolve('unknown'), TEMPORAL_WAIT_MS);
  });
  return Promise.race([lookup, late]).finally(() => clearTimeout(timer));
}
