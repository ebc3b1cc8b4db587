/**
 * The most cells one activity scores: a batch's outcomes travel through history together. Declared
 * here, not beside the experiment's schema, because the workflow imports this module: importing
 * experiment-spec.ts would build its zod schemas in every workflow run (the worker evaluates the
 * workflow modules once per run), about 7 ms of CPU each time for nothing (measured replaying an experiment's history).
 */
export const MAX_CELLS_PER_BATCH = 50;

/**
 * The fewest cells a default batch holds. A batch pays a child workflow's tasks, an activity and a
 * load of the rows: on a 2-core machine under load, 0.3 to 0.8 s more for two batches of 16 quick
 * ridge cells than for one of 32 (bench-results/experiment.md), about what the 32 cells' fits take.
 * So a design of up to 32 cells runs as one activity; cells that take seconds each declare a smaller
 * `cellsPerBatch` to spread over the parallel slots.
 */
export const MIN_CELLS_PER_BATCH = 32;

/**
 * Groups the cells still to run into batches, each scored by one activity on one load of the rows.
 * A cell of ridge takes milliseconds, so a child workflow, an activity and a load of the rows per
 * cell cost many times the fits; a batch pays them once for many cells. By default the cells are
 * spread evenly over `parallel` batches (every slot busy, each loading the rows once), at least
 * MIN_CELLS_PER_BATCH and at most MAX_CELLS_PER_BATCH cells each; `cellsPerBatch` fixes the size.
 */
export function cellBatches(cells: number[], parallel: number, cellsPerBatch?: number): number[][] {
  const size = cellsPerBatch ?? Math.min(MAX_CELLS_PER_BATCH, Math.max(MIN_CELLS_PER_BATCH, Math.ceil(cells.length / parallel)));
  const batches: number[][] = [];
  for (let i = 0; i < cells.length; i += size) batches.push(cells.slice(i, i + size));
  return batches;
}
