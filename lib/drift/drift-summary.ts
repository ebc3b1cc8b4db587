import type { AccuracyDecay } from './accuracy-decay';
import type { Annotation } from './annotation';
import type { DriftCheck, DriftSides } from './drift-check';
import type { DriftMethod } from './drift-methods';
import type { ColumnVerdict, DriftVerdict } from './drift-report';
import { rankColumns } from './rank-columns';

/** At most this many drifted columns travel in a summary; the stored report has them all. */
const LISTED_COLUMNS = 20;

/**
 * What checkDrift returns through workflow history and the `status` query: ids, verdicts, the
 * drifted columns' names and scores. Never histograms: those stay in drift_reports.
 */
export interface DriftSummary {
  /**
   * `no_reference` when the model has no champion yet, `no_new_data` when no row arrived after the
   * champion's training data and the previous check: in both cases nothing was compared.
   */
  verdict: DriftVerdict | 'no_reference' | 'no_new_data';
  reportId?: number;
  reasons: string[];
  /** Null for a serving check, whose current side is logged predictions. */
  currentSnapshotId: number | null;
  referenceSnapshotIds: number[];
  /** Which rows each side held; absent when nothing was compared. */
  sides?: DriftSides;
  championVersion?: number;
  columnsTested: number;
  columnsDrifted: number;
  /** The most drifted columns first; the score is the p-value, or the distance for distance methods. */
  drifted: { column: string; method: DriftMethod; score: number | null }[];
  target?: ColumnVerdict | 'skipped';
  prediction?: ColumnVerdict | 'skipped';
  accuracy?: Pick<AccuracyDecay, 'metric' | 'promoted' | 'current' | 'increase' | 'decayed'>;
  annotations: Pick<Annotation, 'id' | 'label' | 'effect'>[];
}

export function summarizeDriftCheck(
  check: DriftCheck,
  ids: { reportId: number; currentSnapshotId: number | null; referenceSnapshotIds: number[]; championVersion: number },
): DriftSummary {
  const drifted = rankColumns(check.data.columns.filter((c) => c.verdict === 'drift'));
  const { prediction, accuracy } = check;
  return {
    verdict: check.verdict,
    ...ids,
    reasons: check.reasons,
    ...(check.sides && { sides: check.sides }),
    columnsTested: check.data.columnsTested,
    columnsDrifted: check.data.columnsDrifted,
    drifted: drifted.slice(0, LISTED_COLUMNS).map((c) => ({ column: c.column, method: c.method, score: c.pValue ?? c.statistic })),
    target: check.target.verdict,
    prediction: 'verdict' in prediction ? prediction.verdict : 'skipped',
    ...('decayed' in accuracy && {
      accuracy: { metric: accuracy.metric, promoted: accuracy.promoted, current: accuracy.current, increase: accuracy.increase, decayed: accuracy.decayed },
    }),
    annotations: check.annotations.map(({ id, label, effect }) => ({ id, label, effect })),
  };
}
