import { metricMeter, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Typed search attributes the workflows keep up to date, so runs can be filtered in the Temporal
 * UI and CLI, e.g. `DriftlineOutcome = "cancelled_over_norm" AND StartTime > "2026-11-16T00:00:00Z"`.
 */
export const PIPELINE = defineSearchAttributeKey('DriftlinePipeline', SearchAttributeType.KEYWORD);
export const MODEL = defineSearchAttributeKey('DriftlineModel', SearchAttributeType.KEYWORD);
export const STAGE = defineSearchAttributeKey('DriftlineStage', SearchAttributeType.KEYWORD);
/** promoted, not_promoted, kept_champion (stable data), cancelled_over_norm, succeeded (a retrain alone), failed. */
export const OUTCOME = defineSearchAttributeKey('DriftlineOutcome', SearchAttributeType.KEYWORD);

export const DRIFTLINE_SEARCH_ATTRIBUTES = [PIPELINE, MODEL, STAGE, OUTCOME];

/** Updates whichever of the run's search attributes are given (call from workflow code only). */
export function tagRun(tags: { pipeline?: string; model?: string; stage?: string; outcome?: string }): void {
  const pairs = [
    [PIPELINE, tags.pipeline],
    [MODEL, tags.model],
    [STAGE, tags.stage],
    [OUTCOME, tags.outcome],
  ] as const;
  const updates = pairs.filter(([, value]) => value !== undefined).map(([key, value]) => ({ key, value: value as string }));
  if (updates.length > 0) upsertSearchAttributes(updates);
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
