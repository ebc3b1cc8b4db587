import { z } from 'zod';
import { DataWindow } from '../arrival/pipeline-data';
import { AccuracyDecay } from './accuracy-decay';
import { Annotation } from './annotation';
import { ColumnDrift, ColumnVerdict, DriftReport, DriftVerdict, SkippedColumn } from './drift-report';
import { describeSegmentDrift, SegmentDrift } from './segments';
import { PerformanceEstimate } from '../serving/estimated-performance';

/** The period the current data covers (its time column's span, null without one) and when it was checked. */
export const DriftWindow = z.object({ from: z.string().nullable(), to: z.string().nullable(), checkedAt: z.string() });
export type DriftWindow = z.infer<typeof DriftWindow>;

/** Exactly which rows each side holds: the champion's training window, and the rows new since it (and the previous check). */
export const DriftSides = z.object({ reference: DataWindow, current: DataWindow });
export type DriftSides = z.infer<typeof DriftSides>;

/**
 * One stored drift check: the per-column data report, the target column's verdict, the champion's
 * prediction drift and accuracy decay, the annotations that overlap the window, and the verdict
 * with every reason for it. Stored as jsonb in drift_reports.report and read back with this schema.
 */
export const DriftCheck = z.object({
  verdict: DriftVerdict,
  reasons: z.array(z.string()),
  data: DriftReport,
  target: z.object({ column: z.string(), verdict: z.union([ColumnVerdict, z.literal('skipped')]) }),
  prediction: z.union([ColumnDrift, SkippedColumn]),
  accuracy: z.union([AccuracyDecay, z.object({ reason: z.string() })]),
  window: DriftWindow,
  /** Absent only in reports stored before sides were recorded. */
  sides: DriftSides.optional(),
  annotations: z.array(Annotation),
  /** Per segment of the pipeline's groupBy columns, most drifted first; absent without groupBy. */
  segments: SegmentDrift.optional(),
  /** A serving check's sides: the inputs the model was served (logged predictions), against its training window. */
  served: z
    .object({
      reference: DataWindow,
      /** When the first and last compared predictions were logged; `since` is the previous serving check's end (null: the first check). */
      since: z.string().nullable(),
      from: z.string(),
      to: z.string(),
      predictions: z.number().int().nonnegative(),
      /**
       * The input rows compared (absent in reports stored before batch inputs were kept per chunk):
       * those logged with their predictions (online) and those of the batch chunks scored in the window.
       */
      inputs: z.object({ logged: z.number().int().nonnegative(), scored: z.number().int().nonnegative(), chunks: z.number().int().nonnegative() }).optional(),
      /** The versions that made the compared predictions. */
      versions: z.array(z.number().int().positive()),
      championVersion: z.number().int().positive(),
      /** Performance estimated from the champion's served outputs, before (and beside) their actuals. */
      estimate: PerformanceEstimate.optional(),
    })
    .optional(),
});
export type DriftCheck = z.infer<typeof DriftCheck>;

const SEVERITY: Record<DriftVerdict, number> = { ok: 0, warn: 1, fail: 2 };

/**
 * The check's verdict is the worst of its signals: the dataset verdict; a drifted target or
 * prediction distribution warns (a shift the model may absorb); accuracy decay fails (the champion
 * is measurably worse on labelled data, so it must be retrained).
 */
export function assembleDriftCheck(parts: Omit<DriftCheck, 'verdict' | 'reasons'>): DriftCheck {
  const { data, target, prediction, accuracy } = parts;
  const signals: [DriftVerdict, string][] = [];
  if (data.verdict !== 'ok') {
    signals.push([data.verdict, `${data.columnsDrifted} of ${data.columnsTested} columns drifted (share ${data.driftedShare.toFixed(2)}; fail from ${data.driftShare})${data.columnsWarned > 0 ? `, ${data.columnsWarned} in their warn band` : ''}`]);
  }
  if (data.multivariate !== undefined && 'verdict' in data.multivariate && data.multivariate.verdict === 'drift') {
    const { score, threshold, columns } = data.multivariate;
    signals.push(['warn', `the ${columns.length} numeric columns move together differently (PCA reconstruction error ${round(score)}, drift from ${round(threshold)})`]);
  }
  // Informational: an `ok` that rests on too little data says so.
  if (data.columnsInsufficient > 0) {
    signals.push(['ok', `${data.columnsInsufficient} column${data.columnsInsufficient === 1 ? '' : 's'} not tested: fewer than ${data.minSamples ?? 'the minimum'} values`]);
  }
  // A drifted segment warns even when the pooled data hides it.
  if (parts.segments !== undefined && parts.segments.drifted > 0) signals.push(['warn', describeSegmentDrift(parts.segments)]);
  if (target.verdict === 'drift') signals.push(['warn', `the target ${target.column} drifted`]);
  if ('verdict' in prediction && (prediction.verdict === 'drift' || prediction.verdict === 'warn')) {
    signals.push(['warn', `the champion's predictions ${prediction.verdict === 'drift' ? 'drifted' : 'are in their warn band'} (${prediction.method})`]);
  }
  if ('decayed' in accuracy && accuracy.insufficient) {
    signals.push(['ok', `accuracy not judged: ${accuracy.examples} fresh labelled examples, fewer than ${accuracy.minExamples}`]);
  }
  if ('decayed' in accuracy && accuracy.decayed) {
    const interval = accuracy.ratio ? `, ${Math.round(accuracy.ratio.level * 100)} % interval ${signedPercent(accuracy.ratio.low - 1)} to ${signedPercent(accuracy.ratio.high - 1)}` : '';
    signals.push(['fail', `accuracy decay: ${accuracy.metric} ${round(accuracy.current)} against ${round(accuracy.promoted)} at promotion (${signedPercent(accuracy.increase)}${interval}, limit ${Math.round(accuracy.maxIncrease * 100)} %) on the ${accuracy.examples} most recent labelled examples`]);
  }
  const verdict = signals.reduce<DriftVerdict>((worst, [v]) => (SEVERITY[v] > SEVERITY[worst] ? v : worst), 'ok');
  return { verdict, reasons: signals.map(([, reason]) => reason), ...parts };
}

function signedPercent(share: number): string {
  return `${share >= 0 ? '+' : '−'}${Math.round(Math.abs(share) * 100)} %`;
}

function round(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : value.toPrecision(3);
}
