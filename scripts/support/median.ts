import { quantile } from '../../lib/data/profile/numeric-accumulator';

/** The middle of a benchmark's rounds (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  return quantile(Float64Array.from(values).sort(), 0.5);
}
