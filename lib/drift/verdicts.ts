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
 * `fail` when the drifted share reaches driftShare; `warn` when some column drifted and the share
 * reaches warnShare, or when a column is in its warn band; `ok` otherwise.
 */
export function datasetVerdict(
  verdicts: readonly ColumnVerdict[],
  { driftShare, warnShare }: Pick<DriftOptions, 'driftShare' | 'warnShare'>,
): Pick<DriftReport, 'verdict' | 'driftedShare' | 'columnsTested' | 'columnsDrifted' | 'columnsWarned' | 'driftShare' | 'warnShare'> {
  const columnsDrifted = verdicts.filter((v) => v === 'drift').length;
  const columnsWarned = verdicts.filter((v) => v === 'warn').length;
  const driftedShare = verdicts.length === 0 ? 0 : columnsDrifted / verdicts.length;
  const reaches = (share: number) => columnsDrifted > 0 && driftedShare >= share;
  const verdict: DriftVerdict = reaches(driftShare) ? 'fail' : reaches(warnShare) || columnsWarned > 0 ? 'warn' : 'ok';
  return { verdict, driftedShare, columnsTested: verdicts.length, columnsDrifted, columnsWarned, driftShare, warnShare };
}
