import { frameOf, rowCountOf } from '../../lib/arrival/pipeline-data';
import { trainingData } from '../../lib/arrival/windows';
import { loadPipelineData } from '../../lib/db/pipeline-data';
import type { ExperimentSpec } from '../../lib/experiments/experiment-spec';
import { scoreCell } from '../../lib/experiments/score-cell';
import type { TrainerRef } from '../../lib/model/model-artifact';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import type { Trainer } from '../../lib/trainers/trainer';
import { threadDatabase } from '../threads/thread-database';
import type { JobFunction } from '../threads/thread-job';
import { loadInProcessTrainer } from '../training/module-trainer';
import { trainingColumns } from '../training/thread-protocol';

/** One cell of a batch: the pipeline as the cell configures it, and its trainer. */
export interface BatchCell {
  cellIndex: number;
  spec: PipelineSpec;
  trainer: Exclude<TrainerRef, { kind: 'command' }>;
  seeded: boolean;
}

/** Where a batch's rows are and how to score its cells: the thread loads the rows itself, once. */
export interface BatchJob {
  databaseUrl: string;
  snapshotId: number;
  /** Scored in this order: the first cell not stored after an abort is the one that was running. */
  cells: BatchCell[];
  replication: ExperimentSpec['replication'];
}

export type BatchMessage =
  | { type: 'loaded'; rows: number }
  | { type: 'cell-started'; position: number; cellIndex: number }
  | { type: 'cell-ended'; cellIndex: number; scores?: number[]; reason?: string; durationMs: number };

/**
 * Runs in a pooled thread: loads the pipeline's training window as of the experiment's snapshot
 * once (every column some cell reads), then scores the cells one after another, reporting each as
 * it ends. A cell whose data its configuration cannot learn from ends as failed; the batch goes on.
 */
export const run: JobFunction<BatchJob, number, BatchMessage> = async (job, send) => {
  const first = job.cells[0];
  if (!first) return 0;
  const columns = [...new Set(job.cells.flatMap((cell) => trainingColumns(cell.spec)))];
  const loaded = await loadPipelineData(threadDatabase(job.databaseUrl), first.spec, job.snapshotId, { columns });
  const data = trainingData(loaded, first.spec.arrival);
  send({ type: 'loaded', rows: rowCountOf(data) });
  const frame = frameOf(data);
  const trainers = new Map<string, Promise<Trainer>>();
  const trainerOf = (ref: BatchCell['trainer']) => {
    const key = JSON.stringify(ref);
    if (!trainers.has(key)) trainers.set(key, loadInProcessTrainer(ref));
    return trainers.get(key) as Promise<Trainer>;
  };
  for (const [position, cell] of job.cells.entries()) {
    send({ type: 'cell-started', position, cellIndex: cell.cellIndex });
    const started = performance.now();
    try {
      const scored = await scoreCell(frame, cell.spec, await trainerOf(cell.trainer), job.replication, cell.seeded);
      send({ type: 'cell-ended', cellIndex: cell.cellIndex, scores: scored.scores, durationMs: performance.now() - started });
    } catch (error) {
      send({ type: 'cell-ended', cellIndex: cell.cellIndex, reason: (error as Error).message, durationMs: performance.now() - started });
    }
  }
  return job.cells.length;
};
