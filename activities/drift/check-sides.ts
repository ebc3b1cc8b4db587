import { type DataWindow, describeWindow, keyAt, type PipelineData, rowCountOf } from '../../lib/arrival/pipeline-data';
import { rowsOf } from '../../lib/arrival/windows';
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
