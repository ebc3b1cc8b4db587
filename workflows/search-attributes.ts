import { metricMeter, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes the workflows keep up to date, so runs can be filtered in the Temporal
 * UI and CLI, e.g. `DriftlineOutcome = "cancelled_over_norm" AND StartTime > "2026-11-16T00:00:00Z"`.
 */
export const PIPELINE = defineSearchAttributeKey('DriftlinePipeline', SearchAttributeType.KEYWORD);
export const MODEL = defineSearchAttributeKey('DriftlineModel', SearchAttributeType.KEYWORD);
/** The stage as one word (`awaiting_approval`): the Temporal UI's filter chips break a value at its spaces. */
export const STAGE = defineSearchAttributeKey('DriftlineStage', SearchAttributeType.KEYWORD);
/** promoted, not_promoted, kept_champion (stable data), cancelled_over_norm, succeeded (a retrain alone), failed. */
export const OUTCOME = defineSearchAttributeKey('DriftlineOutcome', SearchAttributeType.KEYWORD);

export const DRIFTLINE_SEARCH_ATTRIBUTES = [PIPELINE, MODEL, STAGE, OUTCOME];

/** Set by a Temporal schedule on each run it starts, a backfilled one included: the time slot the run stands for. */
const SCHEDULED_START_TIME = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** The run's logical date: the scheduled time it stands for (ISO), or undefined for a run started by hand. */
export function logicalDate(): string | undefined {
  return workflowInfo().typedSearchAttributes.get(SCHEDULED_START_TIME)?.toISOString();
}

/** Updates whichever of the run's search attributes are given (call from workflow code only). */
export function tagRun(tags: { pipeline?: string; model?: string; stage?: string; outcome?: string }): void {
  const pairs = [
    [PIPELINE, tags.pipeline],
    [MODEL, tags.model],
    [STAGE, tags.stage === undefined ? undefined : searchValue(tags.stage)],
    [OUTCOME, tags.outcome],
  ] as const;
  const updates = pairs.filter(([, value]) => value !== undefined).map(([key, value]) => ({ key, value: value as string }));
  if (updates.length > 0) upsertSearchAttributes(updates);
}

/** A value as search attributes hold it: words joined by underscores ("awaiting approval" → "awaiting_approval"). */
export function searchValue(text: string): string {
  return text.trim().replace(/\s+/g, '_');
}

/**
 * Marks how a run ended: the search attribute for finding it, and Driftline's outcome counter on
 * the worker's metrics endpoint (not counted again on replay).
 */
export function recordOutcome(pipeline: string, outcome: string): void {
  tagRun({ outcome });
  metricMeter
    .createCounter('driftline_pipeline_outcomes', 'runs', 'Runs by pipeline, workflow and outcome')
    .withTags({ pipeline, workflow: workflowInfo().workflowType, outcome })
    .add(1);
}
