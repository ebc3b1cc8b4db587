import { z } from 'zod';
import type { Row } from '../data/typed-row';
import type { RecentWindow } from './arrival-spec';

/** A row's place in the pipeline's data: its time (ISO 8601, sorts as text) or, without a time column, its arrival position. */
export type RowKey = string | number;

/**
 * The pipeline's rows in order, each with its key and the snapshot it came from: what windows
 * are cut from. Ordered by the time column when there is one, else by arrival (snapshot order,
 * then row number), so "newer" always means a larger key.
 */
export interface PipelineData {
  by: 'time' | 'row';
  rows: Row[];
  keys: RowKey[];
  snapshotOf: number[];
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

/** Puts the snapshots' rows (in arrival order) into the pipeline's order and keys them. */
export function orderPipelineData(parts: { snapshotId: number; rows: Row[] }[], timeColumn: string | undefined): PipelineData {
  const asOfSnapshotId = parts.at(-1)?.snapshotId;
  if (asOfSnapshotId === undefined) throw new Error('a pipeline has data only after its first ingest');
  const entries = parts.flatMap(({ snapshotId, rows }) => rows.map((row) => ({ row, snapshotId })));
  const keyed = entries.map((entry, i) => ({ ...entry, key: timeColumn === undefined ? i + 1 : timeKey(entry.row[timeColumn]) }));
  // Array.prototype.sort is stable: rows with equal times keep their arrival order.
  if (timeColumn !== undefined) keyed.sort((a, b) => compareKeys(a.key, b.key));
  return {
    by: timeColumn === undefined ? 'row' : 'time',
    rows: keyed.map((e) => e.row),
    keys: keyed.map((e) => e.key),
    snapshotOf: keyed.map((e) => e.snapshotId),
    asOfSnapshotId,
  };
}

/** The rows with from ≤ key ≤ to (an open end where a bound is null). */
export function between(data: PipelineData, from: RowKey | null, to: RowKey | null): PipelineData {
  return keep(data, (key) => (from === null || compareKeys(key, from) >= 0) && (to === null || compareKeys(key, to) <= 0));
}

/** The rows strictly newer than `bound` (all rows when there is none). */
export function newerThan(data: PipelineData, bound: RowKey | null): PipelineData {
  return bound === null ? data : keep(data, (key) => compareKeys(key, bound) > 0);
}

/** The most recent stretch: the last N rows, or the rows within N days or calendar months of the newest time. */
export function recent(data: PipelineData, window: RecentWindow): PipelineData {
  if ('rows' in window) return slice(data, Math.max(0, data.rows.length - window.rows));
  const newest = data.keys.at(-1);
  if (newest === undefined) return data;
  if (typeof newest !== 'string') throw new Error('a window in days or months needs a time column');
  const cutoff = new Date(newest);
  if ('days' in window) cutoff.setUTCDate(cutoff.getUTCDate() - window.days);
  else cutoff.setUTCMonth(cutoff.getUTCMonth() - window.months);
  return newerThan(data, cutoff.toISOString());
}

/** The stored description of a cut of the pipeline's data. */
export function describeWindow(data: PipelineData): DataWindow {
  return {
    asOfSnapshotId: data.asOfSnapshotId,
    snapshotIds: [...new Set(data.snapshotOf)],
    rows: data.rows.length,
    by: data.by,
    from: data.keys[0] ?? null,
    to: data.keys.at(-1) ?? null,
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

function timeKey(value: Row[string] | undefined): string {
  // A row without a time sorts first: it is never "new".
  return typeof value === 'string' ? value : '';
}

function day(key: RowKey | null): string {
  return typeof key === 'string' ? key.slice(0, 10) : String(key);
}

function keep(data: PipelineData, test: (key: RowKey) => boolean): PipelineData {
  const picked = data.keys.map((key, i) => (test(key) ? i : -1)).filter((i) => i >= 0);
  return {
    ...data,
    rows: picked.map((i) => data.rows[i] as Row),
    keys: picked.map((i) => data.keys[i] as RowKey),
    snapshotOf: picked.map((i) => data.snapshotOf[i] as number),
  };
}

function slice(data: PipelineData, start: number): PipelineData {
  return { ...data, rows: data.rows.slice(start), keys: data.keys.slice(start), snapshotOf: data.snapshotOf.slice(start) };
}
