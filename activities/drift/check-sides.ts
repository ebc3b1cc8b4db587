import { type DataWindow, describeWindow, keyAt, type PipelineData, rowCountOf } from '../../lib/arrival/pipeline-data';
import { rowsOf } from '../../lib/arrival/windows';
import type { Column } from '../../lib/data/columns/column-table';
import type { StoredColumn } from '../../lib/db/snapshots';
import type { DriftWindow } from '../../lib/drift/drift-check';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import type { Champion } from './compare-thread';

/** Some of the pipeline's data and the window that names it. */
export interface CutData {
  window: DataWindow;
  data: PipelineData;
}

/**
 * The columns a check reads: every compared column (timestamps are not compared) and the time
 * column that orders the rows; the champion's features are among the declared columns.
 */
export function driftColumns(spec: PipelineSpec): string[] {
  return Object.entries(spec.columns).flatMap(([name, { type }]) => (type !== 'timestamp' || name === spec.timeColumn ? [name] : []));
}

/**
 * The rows the champion learned from, read back through its recorded window (from the data
 * already loaded when the window was cut from the same snapshot). A version from before windows
 * were recorded learned from all of its training snapshots' data.
 */
export async function referenceOf(champion: Champion, loaded: PipelineData, load: (snapshotId: number) => Promise<PipelineData>): Promise<CutData> {
  const dataAsOf = async (snapshotId: number) => (snapshotId === loaded.asOfSnapshotId ? loaded : load(snapshotId));
  const window = champion.trainingWindow;
  if (window) return { window, data: rowsOf(await dataAsOf(window.asOfSnapshotId), window) };
  const data = await dataAsOf(champion.trainingSnapshotIds.at(-1) as number);
  return { window: describeWindow(data), data };
}

/** The span of the current data's times (none without a time column, or for rows without a time), and now. */
export function checkWindow(current: PipelineData): DriftWindow {
  const count = rowCountOf(current);
  let first = 0;
  while (first < count && current.keys[first] === Number.NEGATIVE_INFINITY) first += 1;
  const timed = current.by === 'time' && first < count;
  return { from: timed ? (keyAt(current, first) as string) : null, to: timed ? (keyAt(current, count - 1) as string) : null, checkedAt: new Date().toISOString() };
}

/** The columns a feature plan reads: the same list a prediction request must carry, from the one place it is defined. */
export { columnsReadBy as featureColumns } from '../../lib/serving/check-batch';

/** The same rows with only the columns `names` (those it has): nothing else keeps the other columns' arrays alive. */
export function withColumns(data: PipelineData, names: readonly string[]): PipelineData {
  const { table } = data;
  const kept = table.specs.flatMap((spec, i) => (names.includes(spec.name) ? [i] : []));
  return { ...data, table: { rowCount: table.rowCount, specs: kept.map((i) => table.specs[i] as StoredColumn), columns: kept.map((i) => table.columns[i] as Column) } };
}
