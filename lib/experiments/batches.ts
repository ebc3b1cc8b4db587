import { MAX_CELLS_PER_BATCH } from './experiment-spec';

/**
 * The fewest cells a default batch holds: a batch pays a child workflow, an activity and a load of
 * the rows (tens of milliseconds), which 16 quick cells make a small share of, and a design of up
 * to 16 cells runs as one activity. Cells that take seconds each declare a smaller `cellsPerBatch`.
 */
export const MIN_CELLS_PER_BATCH = 16;

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
