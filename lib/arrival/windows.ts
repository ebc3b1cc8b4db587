import type { ArrivalSpec } from './arrival-spec';
import { type DataWindow, type PipelineData, type RowKey, between, compareKeys, newerThan, recent } from './pipeline-data';

/** What a retrain learns from: all the pipeline's data, or its declared recent window. */
export function trainingData(data: PipelineData, arrival: ArrivalSpec): PipelineData {
  return arrival.training === 'all' ? data : recent(data, arrival.training);
}

/** The rows a stored window holds, cut again from the pipeline's data as of the window's snapshot. */
export function rowsOf(data: PipelineData, window: DataWindow): PipelineData {
  return between(data, window.from, window.to);
}

/**
 * The current side of a drift check: never a row the reference holds (only rows newer than the
 * champion's training data), and by default only what arrived since the previous check, so one
 * shifted month is not diluted by every calm month before it. A declared recent window replaces
 * "since the previous check".
 */
export function currentData(
  data: PipelineData,
  arrival: ArrivalSpec,
  reference: DataWindow,
  previousCheck: DataWindow | undefined,
): { data: PipelineData; since: RowKey | null } {
  const bounds = [reference.to];
  if (arrival.current === 'since-last-check' && previousCheck?.by === reference.by) bounds.push(previousCheck.to);
  const since = latest(reference.by === data.by ? bounds : []);
  const fresh = newerThan(data, since);
  return { data: arrival.current === 'since-last-check' ? fresh : recent(fresh, arrival.current), since };
}

function latest(keys: (RowKey | null)[]): RowKey | null {
  return keys.reduce<RowKey | null>((max, key) => (key !== null && (max === null || compareKeys(key, max) > 0) ? key : max), null);
}
