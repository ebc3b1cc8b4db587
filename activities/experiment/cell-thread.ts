import { frameOf, rowCountOf } from '../../lib/arrival/pipeline-data';
import { trainingData } from '../../lib/arrival/windows';
import { loadPipelineData } from '../../lib/db/pipeline-data';
import { createPool } from '../../lib/db/pool';
import type { ExperimentSpec } from '../../lib/experiments/experiment-spec';
import { scoreCell, type CellScores } from '../../lib/experiments/score-cell';
import type { TrainerRef } from '../../lib/model/model-artifact';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import type { JobFunction } from '../threads/thread-job';
import { loadInProcessTrainer } from '../training/module-trainer';
import { trainingColumns } from '../training/thread-protocol';

/** Where a cell's rows are and how to score them: the thread loads the rows itself. */
export interface CellJob {
  databaseUrl: string;
  snapshotId: number;
  /** The pipeline as this cell configures it. */
  spec: PipelineSpec;
  trainer: Exclude<TrainerRef, { kind: 'command' }>;
  replication: ExperimentSpec['replication'];
  seeded: boolean;
}

export type CellMessage = { type: 'loaded'; rows: number } | { type: 'fitted'; done: number; total: number };

/**
 * Runs in a pooled thread: loads the pipeline's training window as of the experiment's snapshot
 * (the columns this cell reads), builds the cell's examples and backtests them fold by fold.
 */
export const run: JobFunction<CellJob, CellScores, CellMessage> = async (job, send) => {
  const pool = createPool(job.databaseUrl, 1);
  const loaded = await loadPipelineData(pool, job.spec, job.snapshotId, { columns: trainingColumns(job.spec) }).finally(() => pool.end());
  const data = trainingData(loaded, job.spec.arrival);
  send({ type: 'loaded', rows: rowCountOf(data) });
  const trainer = await loadInProcessTrainer(job.trainer);
  return scoreCell(frameOf(data), job.spec, trainer, job.replication, job.seeded, (done, total) => send({ type: 'fitted', done, total }));
};
