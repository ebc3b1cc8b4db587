import { z } from 'zod';
import { concatTables } from '../data/columns/concat-tables';
import type { ColumnTable } from '../data/columns/column-table';
import { type Frame, frameOfTable } from '../data/columns/frame';
import type { RecentWindow } from './arrival-spec';

/**
 * A row's key as stored in a window: its time (ISO 8601 UTC, sorts as text; '' when it has none)
 * or, without a time column, its arrival position.
 */
export type RowKey = string | number;

/**
 * The pipeline's rows in order, each with its key and the snapshot it came from: what windows
 * are cut from. Ordered by the time column when there is one, else by arrival (snapshot order,
 * then row number), so "newer" always means a larger key. The rows stay in the loaded table;
 * a window is a cut of the three parallel arrays, never a copy of the rows.
 */
export interface PipelineData {
  by: 'time' | 'row';
  /** Every loaded row of the pipeline's snapshots, in arrival order. */
  table: ColumnTable;
  /** The rows in pipeline order, as positions into `table`. */
  positions: Int32Array;
  /** Each row's key, in pipeline order (ascending): its time in epoch ms (−Infinity without one: never "new"), or its arrival position from 1. */
  keys: Float64Array;
  snapshotOf: Int32Array;
  /** The snapshot whose ingest made this the pipeline's data: windows are cut from the data as of it. */
  asOfSnapshotId: number;
}

/**
 * Exactly which rows one side of a comparison, or a training run, holds: cut from the pipeline's
 * data as of `asOfSnapshotId`, every row with from ≤ key ≤ to. Stored with model versions and drift
 * reports, so the same rows can be read back and every report names both sides.
 */
export const DataWindow = z.object({
  asOfSnapshotId: z.number().int().positive(),
  /** The snapshots holding the window's rows, in arrival order. */
  snapshotIds: z.array(z.number().int().positive()),
  rows: z.number().int().nonnegative(),
  by: z.enum(['time', 'row']),
  from: z.union([z.string(), z.number()]).nullable(),
  to: z.union([z.string(), z.number()]).nullable(),
});
export type DataWindow = z.infer<typeof DataWindow>;

/** How many rows the data (or a window of it) holds. */
export function rowCountOf(data: PipelineData): number {
  return data.positions.length;
}

const frames = new WeakMap<PipelineData, Frame>();

/**
 * The data's rows, in pipeline order, as a frame for scans: the same frame each time it is asked
 * for the same data, so every scan of one window gathers each column once.
 */
export function frameOf(data: PipelineData): Frame {
  let frame = frames.get(data);
  // Rows already in the table's order (one snapshot in time order, or a window of it) are read as views of its arrays.
  if (frame === undefined) frames.set(data, (frame = frameOfTable(data.table, data.positions)));
  return frame;
}

/** Puts the snapshots' tables (in arrival order) into the pipeline's order and keys their rows. */
export function orderPipelineData(parts: { snapshotId: number; table: ColumnTable }[], timeColumn: string | undefined): PipelineData {
  const asOfSnapshotId = parts.at(-1)?.snapshotId;
  if (asOfSnapshotId === undefined) throw new Error('a pipeline has data only after its first ingest');
  const table = concatTables(parts.map((part) => part.table));
  const arrivalSnapshot = new Int32Array(table.rowCount);
  let at = 0;
  for (const { snapshotId, table: part } of parts) {
    arrivalSnapshot.fill(snapshotId, at, at + part.rowCount);
    at += part.rowCount;
  }
  const arrivalKeys = timeColumn === undefined ? Float64Array.from({ length: table.rowCount }, (_, i) => i + 1) : timeKeys(frameOfTable(table).numbers(timeColumn));
  const positions = stableOrder(arrivalKeys);
  return {
    by: timeColumn === undefined ? 'row' : 'time',
    table,
    positions,
    keys: gather(arrivalKeys, positions),
    snapshotOf: gather(arrivalSnapshot, positions),
    asOfSnapshotId,
  };
}

/** The rows with from ≤ key ≤ to (an open end where a bound is null). */
export function between(data: PipelineData, from: RowKey | null, to: RowKey | null): PipelineData {
  const start = from === null ? 0 : firstAtLeast(data.keys, keyOf(data, from));
  const end = to === null ? rowCountOf(data) : firstAbove(data.keys, keyOf(data, to));
  return slice(data, start, Math.max(start, end));
}

/** The rows strictly newer than `bound` (all rows when there is none). */
export function newerThan(data: PipelineData, bound: RowKey | null): PipelineData {
  return bound === null ? data : slice(data, firstAbove(data.keys, keyOf(data, bound)), rowCountOf(data));
}

/** The most recent stretch: the last N rows, or the rows within N days or calendar months of the newest time. */
export function recent(data: PipelineData, window: RecentWindow): PipelineData {
  const count = rowCountOf(data);
  if ('rows' in window) return slice(data, Math.max(0, count - window.rows), count);
  if (count === 0) return data;
  if (data.by !== 'time') throw new Error('a window in days or months needs a time column');
  const cutoff = new Date(data.keys[count - 1] as number);
  if ('days' in window) cutoff.setUTCDate(cutoff.getUTCDate() - window.days);
  else cutoff.setUTCMonth(cutoff.getUTCMonth() - window.months);
  return slice(data, firstAbove(data.keys, cutoff.getTime()), count);
}

/** The stored key of the row at `index` (in pipeline order). */
export function keyAt(data: PipelineData, index: number): RowKey {
  const key = data.keys[index] as number;
  if (data.by === 'row') return key;
  return key === Number.NEGATIVE_INFINITY ? '' : new Date(key).toISOString();
}

/** The stored description of a cut of the pipeline's data. */
export function describeWindow(data: PipelineData): DataWindow {
  const count = rowCountOf(data);
  return {
    asOfSnapshotId: data.asOfSnapshotId,
    snapshotIds: [...new Set(data.snapshotOf)],
    rows: count,
    by: data.by,
    from: count === 0 ? null : keyAt(data, 0),
    to: count === 0 ? null : keyAt(data, count - 1),
  };
}

/** "snapshots #3, #4: 1,234 rows, 2014-01-01 → 2014-03-31" — a window as a person reads it. */
export function windowText(window: DataWindow): string {
  const ids = window.snapshotIds.map((id) => `#${id}`).join(', ');
  const span = window.from === null ? '' : window.by === 'time' ? `, ${day(window.from)} → ${day(window.to)}` : `, rows ${window.from}–${window.to}`;
  return `${window.snapshotIds.length === 1 ? 'snapshot' : 'snapshots'} ${ids || 'none'}: ${window.rows.toLocaleString('en-US')} rows${span}`;
}

export function compareKeys(a: RowKey, b: RowKey): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** A stored key as the data's keys hold it: the instant of an ISO time ('' is a row without one), or the position itself. */
function keyOf(data: PipelineData, key: RowKey): number {
  if (typeof key === 'number' && data.by === 'row') return key;
  if (typeof key === 'string' && data.by === 'time') {
    const time = key === '' ? Number.NEGATIVE_INFINITY : Date.parse(key);
    if (Number.isNaN(time)) throw new Error(`"${key}" is not a time a window can start or end at`);
    return time;
  }
  throw new Error(`a window keyed by ${typeof key === 'string' ? 'time' : 'row'} cannot be cut from data keyed by ${data.by}`);
}

/** Times as keys: a row without one (NaN) sorts first, as −Infinity. */
function timeKeys(times: Float64Array): Float64Array {
  return times.map((time) => (Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time));
}

/** Positions that put the keys in ascending order; equal keys keep their arrival order. */
function stableOrder(keys: Float64Array): Int32Array {
  const positions = Int32Array.from({ length: keys.length }, (_, i) => i);
  if (isAscending(keys)) return positions;
  return positions.sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
}

function isAscending(keys: Float64Array): boolean {
  for (let i = 1; i < keys.length; i += 1) if ((keys[i] as number) < (keys[i - 1] as number)) return false;
  return true;
}

function gather<T extends Float64Array | Int32Array>(values: T, positions: Int32Array): T {
  const picked = new (values.constructor as new (length: number) => T)(positions.length);
  for (let i = 0; i < positions.length; i += 1) picked[i] = values[positions[i] as number] as number;
  return picked;
}

/** The first index whose key is ≥ `key` (keys ascending). */
function firstAtLeast(keys: Float64Array, key: number): number {
  return search(keys, (k) => k >= key);
}

/** The first index whose key is > `key`. */
function firstAbove(keys: Float64Array, key: number): number {
  return search(keys, (k) => k > key);
}

/** The first index where `holds` becomes true: it is false, then true, along the ascending keys. */
function search(keys: Float64Array, holds: (key: number) => boolean): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (holds(keys[middle] as number)) high = middle;
    else low = middle + 1;
  }
  return low;
}

function day(key: RowKey | null): string {
  return typeof key === 'string' ? key.slice(0, 10) : String(key);
}

/** The rows from `start` up to `end`: views of the same arrays, nothing copied. */
export function slice(data: PipelineData, start: number, end: number): PipelineData {
  return { ...data, positions: data.positions.subarray(start, end), keys: data.keys.subarray(start, end), snapshotOf: data.snapshotOf.subarray(start, end) };
}
