import type { DriftMethodInfo } from './drift-methods';
import type { DriftOptions } from './drift-options';
import type { ColumnVerdict, DriftReport, DriftVerdict } from './drift-report';

/** A p-value drifts below the threshold, a distance at or above it; the warn band sits just before. */
export function columnVerdict(info: DriftMethodInfo, score: number, threshold: number, warnThreshold: number | null): ColumnVerdict {
  const beyond = (limit: number) => (info.measures === 'p-value' ? score < limit : score >= limit);
  if (beyond(threshold)) return 'drift';
  return warnThreshold !== null && beyond(warnThreshold) ? 'warn' : 'stable';
}

/**
 * `fail` when the drifted share of the tested columns reaches driftShare; `warn` when some column
 * drifted and the share reaches warnShare, when a column is in its warn band, or when the columns
 * moved together differently (`multivariateDrift`); `ok` otherwise. Insufficient columns are not
 * tested: they count in neither the share nor its denominator.
 */
export function datasetVerdict(
  verdicts: readonly ColumnVerdict[],
  { driftShare, warnShare }: Pick<DriftOptions, 'driftShare' | 'warnShare'>,
  multivariateDrift = false,
): Pick<DriftReport, 'verdict' | 'driftedShare' | 'columnsTested' | 'columnsDrifted' | 'columnsWarned' | 'columnsInsufficient' | 'driftShare' | 'warnShare'> {
  const count = (verdict: ColumnVerdict) => verdicts.filter((v) => v === verdict).length;
  const columnsDrifted = count('drift');
  const columnsWarned = count('warn');
  const columnsInsufficient = count('insufficient');
  const columnsTested = verdicts.length - columnsInsufficient;
  const driftedShare = columnsTested === 0 ? 0 : columnsDrifted / columnsTested;
  const reaches = (share: number) => columnsDrifted > 0 && driftedShare >= share;
  const verdict: DriftVerdict = reaches(driftShare) ? 'fail' : reaches(warnShare) || columnsWarned > 0 || multivariateDrift ? 'warn' : 'ok';
  return { verdict, driftedShare, columnsTested, columnsDrifted, columnsWarned, columnsInsufficient, driftShare, warnShare };
}
