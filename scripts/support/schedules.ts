import { ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions, type ScheduleSpec as TemporalScheduleSpec } from '@temporalio/client';
import type { DriftlineConfig } from '../../lib/config';
import { DriftlineError } from '../../lib/errors';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { intervalMs, type ScheduleSpec } from '../../lib/spec/schedule-spec';
import { modelPipeline } from '../../workflows/pipeline';
import { scoreBatch } from '../../workflows/score-batch';

const OVERLAP = {
  skip: ScheduleOverlapPolicy.SKIP,
  buffer_one: ScheduleOverlapPolicy.BUFFER_ONE,
  cancel_other: ScheduleOverlapPolicy.CANCEL_OTHER,
  allow_all: ScheduleOverlapPolicy.ALLOW_ALL,
} as const;

export function scheduleIdOf(pipeline: string): string {
  return `driftline-${pipeline}`;
}

/** The Schedule of a pipeline's batch scoring (its spec's `scoring.schedule`), beside the pipeline's own. */
export function scoringScheduleIdOf(pipeline: string): string {
  return `driftline-${pipeline}-scoring`;
}

function temporalSpec(schedule: ScheduleSpec): TemporalScheduleSpec {
  return schedule.cron
    ? { cronExpressions: [schedule.cron], timezone: schedule.timezone }
    : { intervals: [{ every: intervalMs(schedule.every as string) }], timezone: schedule.timezone };
}

function scheduleOptions(spec: PipelineSpec, schedule: ScheduleSpec, config: DriftlineConfig): ScheduleOptions {
  return {
    scheduleId: scheduleIdOf(spec.name),
    spec: temporalSpec(schedule),
    action: {
      type: 'startWorkflow',
      workflowType: modelPipeline,
      workflowId: `${spec.name}-scheduled`,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ pipeline: spec.name, trigger: 'schedule', requestedBy: 'schedule' }],
      // The Temporal UI's list shows this line; each run's details say how it ended.
      staticSummary: `${spec.name}: scheduled run (trains when the data drifted)`,
    },
    policies: { overlap: OVERLAP[schedule.overlap], catchupWindow: '1 day' },
  };
}

/** Creates the pipeline's Temporal Schedule, or brings an existing one in line with the spec: safe to repeat. */
export async function applySchedule(client: Client, config: DriftlineConfig, spec: PipelineSpec): Promise<'created' | 'updated'> {
  if (!spec.schedule) throw new DriftlineError('InvalidInput', `pipeline "${spec.name}" declares no schedule in its spec`);
  return upsertSchedule(client, scheduleOptions(spec, spec.schedule, config));
}

/** Creates or updates the Schedule of the pipeline's batch scoring, when its spec declares `scoring.schedule`. */
export async function applyScoringSchedule(client: Client, config: DriftlineConfig, spec: PipelineSpec): Promise<'created' | 'updated' | undefined> {
  const schedule = spec.scoring?.schedule;
  if (!schedule) return undefined;
  return upsertSchedule(client, {
    scheduleId: scoringScheduleIdOf(spec.name),
    spec: temporalSpec(schedule),
    action: {
      type: 'startWorkflow',
      workflowType: scoreBatch,
      // Temporal appends each run's time to the id: each scheduled run is a batch of its own.
      workflowId: `${spec.name}-scoring-scheduled`,
      taskQueue: config.TEMPORAL_TASK_QUEUE,
      args: [{ pipeline: spec.name, requestedBy: 'schedule' }],
      staticSummary: `${spec.name}: scheduled batch scoring with the champion`,
    },
    policies: { overlap: OVERLAP[schedule.overlap], catchupWindow: '1 day' },
  });
}

async function upsertSchedule(client: Client, options: ScheduleOptions): Promise<'created' | 'updated'> {
  try {
    await client.schedule.getHandle(options.scheduleId).update((previous) => ({ ...previous, spec: options.spec, action: options.action, policies: { ...previous.policies, ...options.policies } }));
    return 'updated';
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    await client.schedule.create(options);
    return 'created';
  }
}
