import { metricMeter } from '@temporalio/activity';

/**
 * Driftline's own metrics, exported with Temporal's on the worker's Prometheus endpoint.
 * Emitted from activities, so they carry the activity's tags too.
 */
export function recordTrainingDuration(model: string, outcome: string, seconds: number): void {
  metricMeter
    .createHistogram('driftline_training_duration_seconds', 'float', 's', 'How long training took, by model and outcome')
    .withTags({ model, outcome })
    .record(seconds);
}

export function recordTrainingNorm(model: string, seconds: number | undefined): void {
  if (seconds === undefined) return;
  metricMeter.createGauge('driftline_training_norm_seconds', 'float', 's', 'The runtime norm in force for the model').withTags({ model }).set(seconds);
}

export function recordDriftShare(pipeline: string, share: number): void {
  metricMeter.createGauge('driftline_drift_share', 'float', '1', 'Share of columns that drifted in the latest check').withTags({ pipeline }).set(share);
}
