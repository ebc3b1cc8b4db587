import type { ColumnSpec } from '../data/column-spec';
import type { Frame } from '../data/columns/frame';
import { seededRandom } from '../stats/sampling';
import { buckets, type Buckets } from './buckets';
import { type Calibration, calibrate, calibrationMeaning, isDistance } from './calibration';
import { columnValues, type ColumnValues, sizeOf } from './column-values';
import { dataShift, missingShare } from './data-shift';
import { DRIFT_METHODS, type DriftMethod } from './drift-methods';
import type { ColumnDriftOptions, DriftOptions } from './drift-options';
import type { ColumnDrift, SkippedColumn } from './drift-report';
import { measureDrift } from './measure-drift';
import { reportedHistogram } from './reported-histogram';
import { chooseMethod } from './choose-methods';
import { columnVerdict } from './verdicts';

/** The rules every column of a comparison shares. */
export type SampleRules = Pick<DriftOptions, 'minSamples' | 'calibration'>;

/** How one column is compared: its spec options, the shared rules, the method recorded with the reference, the check's seed. */
export interface ColumnSetup {
  options: ColumnDriftOptions;
  rules: SampleRules;
  recorded?: DriftMethod;
  seed: number;
}

/** Compares one column of the two datasets, or says why it cannot be compared. */
export function compareColumn(column: string, spec: ColumnSpec, reference: Frame, current: Frame, setup: ColumnSetup): ColumnDrift | SkippedColumn {
  const { type } = spec;
  // Time moves on between any two periods: a time column always "drifts" and says nothing.
  if (type === 'timestamp') return { column, type, reason: 'timestamp columns are not compared' };
  const referenceValues = columnValues(reference, column, type);
  const currentValues = columnValues(current, column, type);
  const empty = sizeOf(referenceValues) === 0 ? 'reference' : sizeOf(currentValues) === 0 ? 'current' : undefined;
  if (empty !== undefined) return { column, type, reason: `no non-null values in the ${empty} data` };

  const { options, rules } = setup;
  const { method, change } = chooseMethod(type, referenceValues, options.method, setup.recorded);
  const binned = buckets(referenceValues, currentValues);
  const { statistic, pValue } = measureDrift(method, referenceValues, currentValues, binned);
  const enough = Math.min(sizeOf(referenceValues), sizeOf(currentValues)) >= rules.minSamples;
  const sides = { reference: referenceValues, binned, current: sizeOf(currentValues) };
  const limits = enough ? thresholds(method, options, rules, sides, seededRandom(setup.seed, column)) : conventional(method, options);
  return {
    column,
    type,
    method,
    statistic: Number.isFinite(statistic) ? statistic : null,
    pValue,
    threshold: limits.threshold,
    warnThreshold: limits.warnThreshold,
    verdict: enough ? columnVerdict(DRIFT_METHODS[method], pValue ?? statistic, limits.threshold, limits.warnThreshold) : 'insufficient',
    ...(limits.calibration && { calibration: limits.calibration }),
    ...(change && { methodChange: change }),
    compared: { reference: sizeOf(referenceValues), current: sizeOf(currentValues) },
    nullShare: { reference: missingShare(referenceValues), current: missingShare(currentValues) },
    histogram: reportedHistogram(binned),
    shift: dataShift(referenceValues, currentValues),
  };
}

interface Limits {
  threshold: number;
  warnThreshold: number | null;
  calibration?: Calibration;
}

/** The method's own thresholds, or the ones the spec sets. */
function conventional(method: DriftMethod, options: ColumnDriftOptions): Limits {
  const info = DRIFT_METHODS[method];
  return { threshold: options.threshold ?? info.threshold, warnThreshold: options.warnThreshold ?? info.warnThreshold ?? null };
}

/**
 * A distance's thresholds rise to what noise reaches at the current's size: drift from the larger
 * of the conventional threshold and the null's 1 − alpha quantile, so a small sample needs a large
 * distance and a large sample still needs a shift large enough to matter. A warn band exists only
 * where the method or the spec has one (PSI): a band at the null's 95th percentile on every column
 * would warn on a calm check of 20 columns two times out of three.
 */
function thresholds(
  method: DriftMethod,
  options: ColumnDriftOptions,
  rules: SampleRules,
  sides: { reference: ColumnValues; binned: Buckets; current: number },
  random: () => number,
): Limits {
  const fixed = conventional(method, options);
  if (rules.calibration === false || !isDistance(method)) return fixed;
  const noise = calibrate(method, sides.reference, sides.binned, sides.current, rules.calibration, random);
  const threshold = Math.max(fixed.threshold, noise.driftFrom);
  const warn = fixed.warnThreshold === null ? null : Math.max(fixed.warnThreshold, noise.warnFrom);
  return {
    threshold,
    warnThreshold: warn !== null && warn < threshold ? warn : null,
    calibration: { ...noise, meaning: calibrationMeaning(noise, threshold, rules.calibration.alpha) },
  };
}
