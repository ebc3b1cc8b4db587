import { z } from 'zod';
import { quantile } from '../data/profile/numeric-accumulator';
import { jensenShannonDistance } from '../stats/jensen-shannon';
import { populationStabilityIndex } from '../stats/population-stability';
import { drawCountsInto, multinomialCounts } from '../stats/sampling';
import type { Buckets } from './buckets';
import { type ColumnValues, sizeOf } from './column-values';
import type { DriftMethod } from './drift-methods';
import type { CalibrationOptions } from './drift-options';
import { numeric, wassersteinNorm } from './measure-drift';
import { Count } from './report-values';

/**
 * What a distance means at the current sample's size: the distribution of the distance between
 * the reference and samples of that size drawn from the reference itself — pure noise.
 */
export const Calibration = z.object({
  /** The current sample's size (its non-null values) the noise was measured at. */
  sampleSize: Count,
  replicates: Count,
  /** The median distance of noise alone. */
  typical: z.number(),
  /** What noise alone reaches in warnAlpha and in alpha of samples (its 1 − warnAlpha and 1 − alpha quantiles). */
  warnFrom: z.number(),
  driftFrom: z.number(),
  /** The same for people: "0.28 is typical noise at 21 values; drift from 0.61 …". */
  meaning: z.string(),
});
export type Calibration = z.infer<typeof Calibration>;

export type DistanceMethod = Extract<DriftMethod, 'wasserstein' | 'jensenshannon' | 'psi'>;

/** Enough for the 99th percentile to sit between the 2nd and 3rd largest replicate; cheap at any data size. */
const REPLICATES = 200;
/**
 * Replicates are drawn at most this large; a larger sample scales the quantiles by the method's
 * rate. 2,000 is well inside the asymptotic regime the scaling assumes, and keeps the bootstraps
 * a few percent of a 1,000,000-row check (bench-results/monitoring.md).
 */
export const MAX_REPLICATE_SIZE = 2000;
/**
 * Wasserstein replicates are measured against this many evenly spaced order statistics of the
 * reference: its distribution to within 1/10,000 in probability, far below the noise of 2,000 draws.
 */
const REFERENCE_POINTS = 10_000;

/**
 * How fast each distance's noise shrinks with the sample size n, as n^-rate: the Wasserstein
 * distance of an empirical distribution is a mean of |Brownian bridge| / √n; Jensen–Shannon
 * divergence and PSI are asymptotically χ²/n, so the JS *distance* (its root) goes as n^-1/2 and
 * PSI as n^-1.
 */
const NOISE_RATE: Record<DistanceMethod, number> = { wasserstein: 0.5, jensenshannon: 0.5, psi: 1 };

export function isDistance(method: DriftMethod): method is DistanceMethod {
  return method in NOISE_RATE;
}

/**
 * The null distribution of `method` for a current sample of `sampleSize` values, by a seeded
 * bootstrap: REPLICATES samples of m = min(sampleSize, MAX_REPLICATE_SIZE) values drawn from the reference,
 * each scored against it exactly as the report scores the current data. O(REPLICATES · (m + bins))
 * for Jensen–Shannon and PSI, whose draws are multinomial over the report's own bins or categories;
 * O(REPLICATES · REFERENCE_POINTS) for Wasserstein, whatever the reference's size.
 *
 * The quantiles are then scaled by (m · (1/n + 1/N))^rate, N the reference's size: from m to n by
 * the method's rate, and by (1 + n/N)^rate because the reference is a sample too — two samples of a
 * population differ by √(1/n + 1/N) where a draw from the reference differs from it by √(1/n). At
 * 21 values against a large reference the factor is 1; for a current as large as its reference, √2.
 */
export function calibrate(
  method: DistanceMethod,
  reference: ColumnValues,
  binned: Buckets,
  sampleSize: number,
  options: CalibrationOptions,
  random: () => number,
): Omit<Calibration, 'meaning'> {
  const draws = Math.min(sampleSize, MAX_REPLICATE_SIZE);
  const replicate = replicateOf(method, reference, binned, draws, random);
  const scores = Float64Array.from({ length: REPLICATES }, replicate).sort();
  const scale = (draws * (1 / sampleSize + 1 / sizeOf(reference))) ** NOISE_RATE[method];
  const at = (q: number) => quantile(scores, q) * scale;
  return { sampleSize, replicates: REPLICATES, typical: at(0.5), warnFrom: at(1 - options.warnAlpha), driftFrom: at(1 - options.alpha) };
}

/** One replicate's distance: a fresh draw of `draws` values from the reference against the reference. */
function replicateOf(method: DistanceMethod, reference: ColumnValues, binned: Buckets, draws: number, random: () => number): () => number {
  switch (method) {
    case 'wasserstein': {
      const points = evenlySpaced(numeric(reference), REFERENCE_POINTS);
      const norm = wassersteinNorm(reference);
      const counts = new Uint32Array(points.length);
      return () => wassersteinToDraw(points, drawCountsInto(counts, draws, random), draws) / norm;
    }
    case 'jensenshannon':
      return () => jensenShannonDistance(binned.reference, multinomialCounts(binned.reference, draws, random));
    case 'psi':
      return () => populationStabilityIndex(binned.reference, multinomialCounts(binned.reference, draws, random));
  }
}

/** Order statistics at evenly spaced ranks: the reference's distribution in at most `count` points. */
function evenlySpaced(sorted: Float64Array, count: number): Float64Array {
  if (sorted.length <= count) return sorted;
  return Float64Array.from({ length: count }, (_, i) => sorted[Math.floor(((i + 0.5) * sorted.length) / count)] as number);
}

/**
 * The Wasserstein distance between the sorted `points` and a sample drawn from them, given as
 * counts per point: ∫ |F_points − F_draw| over the gaps between consecutive points, in one pass.
 */
function wassersteinToDraw(points: Float64Array, counts: Uint32Array, draws: number): number {
  const perPoint = 1 / points.length;
  const perDraw = 1 / draws;
  let distance = 0;
  let drawn = 0;
  for (let i = 0; i < points.length - 1; i++) {
    drawn += counts[i] as number;
    distance += Math.abs((i + 1) * perPoint - drawn * perDraw) * ((points[i + 1] as number) - (points[i] as number));
  }
  return distance;
}

/** "0.28 is typical noise at 21 values; drift from 0.61 (noise alone reaches it in 1 % of samples)". */
export function calibrationMeaning(calibration: Omit<Calibration, 'meaning'>, threshold: number, alpha: number): string {
  const { typical, sampleSize, driftFrom } = calibration;
  const noise = `${short(typical)} is typical noise at ${sampleSize.toLocaleString('en-US')} values; drift from ${short(threshold)}`;
  const rate = `${Number((alpha * 100).toPrecision(2))} % of samples`;
  if (threshold > driftFrom) return `${noise}, the method's usual threshold (noise alone reaches ${short(driftFrom)} in ${rate})`;
  return `${noise} (noise alone reaches it in ${rate})`;
}

function short(value: number): string {
  return String(Number(value.toPrecision(2)));
}
