import { frameOfTable } from '../../lib/data/columns/frame';
import type { ColumnTable } from '../../lib/data/columns/column-table';
import type { ModelVersion } from '../../lib/db/model-registry';
import { DriftlineError } from '../../lib/errors';
import { buildExamples } from '../../lib/model/features';
import type { Metrics } from '../../lib/model/metrics';
import { scorePredictions } from '../../lib/model/model-artifact';
import { predictAnyWith } from '../training/predict';

/** How a stored version does on every labelled example of a snapshot. */
export interface SnapshotScore {
  examples: number;
  from: string;
  to: string;
  metrics: Metrics;
}

/** Scores the version (as served) on every example its plan builds from the snapshot's columns. */
export async function scoreVersionOn(table: ColumnTable, version: ModelVersion, snapshotId: number, signal: AbortSignal): Promise<SnapshotScore> {
  const examples = buildExamples(frameOfTable(table), version.artifact.plan);
  if (examples.y.length === 0) throw new DriftlineError('InvalidInput', `snapshot ${snapshotId} has no rows this model can be scored on`);
  const predictions = await predictAnyWith(version.artifact, examples.x, signal);
  return {
    examples: examples.y.length,
    from: examples.at[0] as string,
    to: examples.at.at(-1) as string,
    metrics: scorePredictions(version.artifact.plan, examples.y, predictions),
  };
}
