import { sortNumbers } from '../../stats/radix-sort';

/**
 * Feature binning as scikit-learn's HistGradientBoosting does it: each feature's values map to at
 * most 255 ordered bins (bin b holds thresholds[b - 1] < v <= thresholds[b]) and NaN to a bin of
 * its own, so a column becomes one byte per row and a node's statistics fit in a 256-slot histogram.
 */
export const MISSING_BIN = 255;
export const MAX_BINS = 255;

/** scikit-learn finds thresholds on at most this many rows: quantiles of a large sample move little. */
const THRESHOLD_SAMPLE = 200_000;

/** The rows thresholds are computed on: all of them, or a seeded sample without replacement. */
export function thresholdSample(rows: number, random: () => number): Uint32Array | null {
  if (rows <= THRESHOLD_SAMPLE) return null;
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  for (let i = 0; i < THRESHOLD_SAMPLE; i += 1) {
    const j = i + Math.floor(random() * (rows - i));
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  return order.slice(0, THRESHOLD_SAMPLE).sort();
}

/**
 * Upper bounds of the bins of one column: midpoints between distinct values when there are at most
 * maxBins of them, otherwise the midpoint percentiles that cut the values into maxBins equal shares.
 */
export function binThresholds(column: Float64Array, maxBins: number, sample: Uint32Array | null): Float64Array {
  const sorted = sortedValues(column, sample);
  const distinct = distinctOf(sorted);
  const midpoints =
    distinct.length <= maxBins
      ? Float64Array.from({ length: Math.max(0, distinct.length - 1) }, (_, b) => ((distinct[b] as number) + (distinct[b + 1] as number)) / 2)
      : Float64Array.from({ length: maxBins - 1 }, (_, b) => midpointPercentile(sorted, ((b + 1) * 100) / maxBins));
  // A model is JSON, where ±Infinity does not survive: an infinite value still bins past the last bound.
  return midpoints.map((t) => Math.max(-Number.MAX_VALUE, Math.min(Number.MAX_VALUE, t)));
}

/** Each row's bin code: the first bin whose upper bound holds the value, MISSING_BIN for NaN. */
export function binColumn(column: Float64Array, thresholds: Float64Array): Uint8Array {
  const codes = new Uint8Array(column.length);
  for (let r = 0; r < column.length; r += 1) codes[r] = binOf(column[r] as number, thresholds);
  return codes;
}

function binOf(value: number, thresholds: Float64Array): number {
  if (Number.isNaN(value)) return MISSING_BIN;
  let left = 0;
  let right = thresholds.length;
  while (left < right) {
    const middle = (left + right) >>> 1;
    if (value <= (thresholds[middle] as number)) right = middle;
    else left = middle + 1;
  }
  return left;
}

/** The column's (sampled) values without NaN, sorted by radix: binning's largest cost after the histograms. */
function sortedValues(column: Float64Array, sample: Uint32Array | null): Float64Array {
  const values = new Float64Array(sample ? sample.length : column.length);
  let n = 0;
  const take = (value: number) => {
    if (!Number.isNaN(value)) values[n++] = value;
  };
  if (sample) for (const r of sample) take(column[r] as number);
  else for (const value of column) take(value);
  return sortNumbers(values.subarray(0, n));
}

function distinctOf(sorted: Float64Array): number[] {
  const distinct: number[] = [];
  for (const value of sorted) if (distinct.length === 0 || value !== distinct[distinct.length - 1]) distinct.push(value);
  return distinct;
}

/** numpy's percentile(method="midpoint"): the mean of the two order statistics around the rank. */
function midpointPercentile(sorted: Float64Array, percent: number): number {
  const rank = (percent / 100) * (sorted.length - 1);
  return ((sorted[Math.floor(rank)] as number) + (sorted[Math.ceil(rank)] as number)) / 2;
}
