import { chiSquareTest } from '../stats/chi-square';
import { jensenShannonDistance } from '../stats/jensen-shannon';
import { ksTwoSample } from '../stats/ks-two-sample';
import { populationStabilityIndex } from '../stats/population-stability';
import { standardDeviation } from '../stats/sorted-sample';
import { sum } from '../stats/sum';
import { twoProportionZTest } from '../stats/two-proportion-z';
import { wassersteinDistance } from '../stats/wasserstein';
import { type Buckets, categoryBuckets } from './buckets';
import type { ColumnValues } from './column-values';
import type { DriftMethod } from './drift-methods';

export interface Measurement {
  /** KS distance, χ², z, normed Wasserstein distance, Jensen–Shannon distance or PSI. */
  statistic: number;
  /** For the hypothesis tests; distances have none. */
  pValue: number | null;
}

/** Evidently divides the Wasserstein distance by the reference's deviation, but never by less than this. */
const MIN_WASSERSTEIN_NORM = 0.001;

/**
 * Applies one method to one column's non-null values, as Evidently's stattest of that name does.
 * `binned` are the column's buckets, which Jensen–Shannon and PSI compare.
 */
export function measureDrift(method: DriftMethod, reference: ColumnValues, current: ColumnValues, binned: Buckets): Measurement {
  switch (method) {
    case 'ks': {
      const { statistic, pValue } = ksTwoSample(numeric(reference), numeric(current));
      return { statistic, pValue };
    }
    case 'wasserstein':
      return { statistic: wassersteinDistance(numeric(reference), numeric(current)) / wassersteinNorm(reference), pValue: null };
    case 'chisquare':
      return chiSquareAgainstReference(perValue(reference, current, binned));
    case 'z':
      return zTestOfFirstCategory(perValue(reference, current, binned));
    case 'jensenshannon':
      return { statistic: jensenShannonDistance(binned.reference, binned.current), pValue: null };
    case 'psi':
      return { statistic: populationStabilityIndex(binned.reference, binned.current), pValue: null };
  }
}

/** Norms already computed, by reference sample: the report and its calibration both need one. */
const norms = new WeakMap<Float64Array, number>();

/** What Evidently divides the Wasserstein distance by: the reference's standard deviation, floored. */
export function wassersteinNorm(reference: ColumnValues): number {
  const sample = numeric(reference);
  let norm = norms.get(sample);
  if (norm === undefined) {
    norm = Math.max(standardDeviation(sample), MIN_WASSERSTEIN_NORM);
    norms.set(sample, norm);
  }
  return norm;
}

/** The current counts against the reference's proportions scaled to the current size. */
function chiSquareAgainstReference({ reference, current }: Buckets): Measurement {
  const scale = sum(current) / sum(reference);
  const { statistic, pValue } = chiSquareTest(current, reference.map((count) => count * scale));
  return { statistic, pValue };
}

/**
 * Evidently's z-test: the share of values other than the first category (in sorted order), reference
 * against current. With two categories that is the whole distribution; with more, only the first.
 */
function zTestOfFirstCategory({ reference, current }: Buckets): Measurement {
  const referenceSize = sum(reference);
  const currentSize = sum(current);
  return twoProportionZTest(referenceSize - (reference[0] as number), referenceSize, currentSize - (current[0] as number), currentSize);
}

function perValue(reference: ColumnValues, current: ColumnValues, binned: Buckets): Buckets {
  return binned.kind === 'categories' ? binned : categoryBuckets(reference, current);
}

export function numeric(values: ColumnValues): Float64Array {
  if (values.kind !== 'numeric') throw new Error('this drift method needs a numeric column');
  return values.sorted;
}
