import type { NumericProfile } from './column-profile';
import { Reservoir } from './reservoir';

const SAMPLE_SIZE = 10_000;
const QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];
const HISTOGRAM_BINS = 20;

/** Streaming statistics of a numeric, integer or timestamp column in constant memory. */
export class NumericAccumulator {
  private count = 0;
  private nulls = 0;
  private min = Infinity;
  private max = -Infinity;
  // Welford's running mean and sum of squared deviations: stable where sum-of-squares is not.
  private mean = 0;
  private m2 = 0;
  private readonly sample = new Reservoir(SAMPLE_SIZE);

  constructor(private readonly type: NumericProfile['type']) {}

  add(value: number | null): void {
    if (value === null) {
      this.nulls += 1;
      return;
    }
    this.count += 1;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.m2 += delta * (value - this.mean);
    this.sample.add(value);
  }

  finish(): NumericProfile {
    const empty = this.count === 0;
    const sorted = this.sample.sorted();
    return {
      kind: 'numeric',
      type: this.type,
      count: this.count,
      nulls: this.nulls,
      min: empty ? null : this.min,
      max: empty ? null : this.max,
      mean: empty ? null : this.mean,
      std: this.count < 2 ? null : Math.sqrt(this.m2 / (this.count - 1)),
      quantiles: empty ? [] : QUANTILES.map((q) => ({ q, value: quantile(sorted, q) })),
      histogram: empty ? [] : histogram(sorted, this.min, this.max, this.count),
      sampled: this.sample.sampled,
    };
  }
}

/** Linear interpolation between the two nearest ranks (NumPy's default, "type 7"). */
export function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const lower = sorted[below] as number;
  const upper = sorted[Math.min(below + 1, sorted.length - 1)] as number;
  return lower + (upper - lower) * (position - below);
}

/**
 * Equal-width bins over [min, max], counted in the sample and scaled to the column's count with
 * largest-remainder rounding, so the bins always add up to `total`.
 */
export function histogram(sorted: Float64Array, min: number, max: number, total: number): NumericProfile['histogram'] {
  const bins = min === max ? 1 : HISTOGRAM_BINS;
  const width = (max - min) / bins;
  const inSample = new Array<number>(bins).fill(0);
  for (const value of sorted) {
    const bin = width === 0 ? 0 : Math.min(bins - 1, Math.floor((value - min) / width));
    inSample[bin] = (inSample[bin] as number) + 1;
  }
  const scaled = inSample.map((n) => (n * total) / sorted.length);
  const counts = scaled.map(Math.floor);
  let missing = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = scaled.map((s, i) => ({ i, r: s - Math.floor(s) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of byRemainder) {
    if (missing-- <= 0) break;
    counts[i] = (counts[i] as number) + 1;
  }
  return counts.map((count, i) => ({ lower: min + i * width, upper: i === bins - 1 ? max : min + (i + 1) * width, count }));
}
