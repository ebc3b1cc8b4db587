import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type * as activities from './floor-activities';

const { startExperiment, analyseExperimentResults } = proxyLocalActivities<typeof activities>({ startToCloseTimeout: '1 minute' });
const { evaluateExperimentBatch } = proxyActivities<typeof activities>({ startToCloseTimeout: '1 minute' });

/**
 * runExperiment's shape for a design scored in one batch, with steps that do nothing: recording
 * (a local activity), the batch (an activity), the analysis (a local activity). What Temporal
 * itself costs such an experiment, whatever the steps do.
 */
export async function floorExperiment(input: { cells: number }): Promise<{ done: number }> {
  const plan = await startExperiment(input);
  const outcomes = await evaluateExperimentBatch(plan);
  return analyseExperimentResults(outcomes);
}
