import { frameOfRows } from '../data/columns/frame';
import { DriftlineError } from '../errors';
import { buildFeatures, lookbackOf } from '../model/features';
import type { ModelArtifact } from '../model/model-artifact';
import type { ColumnSpec } from '../spec/pipeline-spec';
import { checkBatch } from './check-batch';

/**
 * The predict path's front half, shared by every trainer kind: check the rows against the
 * schema, then build the model's features. Refusals are InvalidInput errors naming the problem.
 */
export function prepareBatch(artifact: ModelArtifact, columns: Record<string, ColumnSpec>, rows: unknown): number[][] {
  const batch = checkBatch(rows, columns, artifact.plan);
  const { x } = buildFeatures(frameOfRows(batch, columns), artifact.plan);
  if (x.length === 0) {
    const needed = lookbackOf(artifact.plan) + 1;
    throw new DriftlineError('InvalidInput', `batch: each prediction needs ${needed} consecutive rows of history; got ${batch.length} row(s)`);
  }
  return x;
}
