import { z } from 'zod';
import type { ColumnSpec } from '../data/column-spec';
import type { Codes, Frame } from '../data/columns/frame';
import { groupKeys } from '../model/features';
import { compareColumn } from './column-drift';
import type { DriftMethod } from './drift-methods';
import type { DriftOptions } from './drift-options';
import { ColumnVerdict, type ColumnDrift } from './drift-report';
import { rankColumns } from './rank-columns';

/** One segment (a value of the `groupBy` columns) compared with its own reference rows. */
export const SegmentEntry = z.object({
  segment: z.string(),
  rows: z.object({ reference: z.number().int().min(0), current: z.number().int().min(0) }),
  /**
   * `drift` when a column drifted beyond chance over all the segments' tests; `warn` when one
   * drifted only by its own test (one in twenty such tests does by chance); otherwise the verdict
   * of the segment's most drifted column, `insufficient` when a side has no rows of it.
   */
  verdict: ColumnVerdict,
  /** That column and its test, null when nothing could be compared. */
  column: z.string().nullable(),
  statistic: z.number().nullable(),
  pValue: z.number().nullable(),
  threshold: z.number().nullable(),
  /** Every column of the segment that drifted beyond chance. */
  drifted: z.array(z.string()),
});
export type SegmentEntry = z.infer<typeof SegmentEntry>;

/** Drift per segment, most drifted first: "AAPL drifted, the other 4 did not". */
export const SegmentDrift = z.object({
  by: z.array(z.string()),
  drifted: z.number().int().min(0),
  /** Hypothesis tests over all segments and columns: a p-value drifts below its threshold over this many (Bonferroni). */
  tests: z.number().int().min(0),
  segments: z.array(SegmentEntry),
});
export type SegmentDrift = z.infer<typeof SegmentDrift>;

export interface SegmentSetup {
  options: DriftOptions;
  recordedMethods?: Record<string, DriftMethod>;
  seed: number;
}

/**
 * Compares each segment's current rows with the same segment's reference rows, column by column
 * (the groupBy columns and the time left out: they say which segment, not how it moved), and
 * ranks the segments: drifted first, the largest margin first, as columns are ranked.
 */
export function segmentDrift(reference: Frame, current: Frame, by: string[], columns: Record<string, ColumnSpec>, setup: SegmentSetup): SegmentDrift {
  const compared = Object.entries(columns).filter(([name, spec]) => !by.includes(name) && spec.type !== 'timestamp');
  const referenceRows = rowsBySegment(reference, by);
  const currentRows = rowsBySegment(current, by);
  const names = [...new Set([...referenceRows.keys(), ...currentRows.keys()])].sort();
  const results = names.map((segment) => {
    const sides = { reference: referenceRows.get(segment) ?? [], current: currentRows.get(segment) ?? [] };
    return compareSegment(segment, gatherRows(reference, sides.reference), gatherRows(current, sides.current), compared, setup);
  });
  // Many segments make many tests: at 0.05 each, one segment in a few "drifts" on identical data.
  const tests = results.reduce((sum, { tested }) => sum + tested.filter((c) => c.pValue !== null).length, 0);
  const entries = results.map(({ entry, tested }) => corrected(entry, tested, tests));
  // Ranked as columns are; a segment with nothing compared is `insufficient`, last whatever its threshold.
  const segments = rankColumns(entries.map((entry) => ({ ...entry, threshold: entry.threshold ?? 1 }))).map((ranked) => entries.find((e) => e.segment === ranked.segment) as SegmentEntry);
  return { by, drifted: segments.filter((s) => s.verdict === 'drift').length, tests, segments };
}

/** Keeps as drifted the columns whose p-value beats the threshold over all `tests` (distances keep their calibrated verdict). */
function corrected(entry: SegmentEntry, tested: ColumnDrift[], tests: number): SegmentEntry {
  const beyondChance = tested.filter((c) => c.verdict === 'drift' && (c.pValue === null || c.pValue < c.threshold / Math.max(1, tests)));
  const verdict = beyondChance.length > 0 ? 'drift' : entry.verdict === 'drift' ? 'warn' : entry.verdict;
  return { ...entry, verdict, drifted: beyondChance.map((c) => c.column) };
}

/** One line for a report: "2 of 5 segments (symbol) drifted: AAPL, GOOG". */
export function describeSegmentDrift({ by, drifted, segments }: SegmentDrift): string {
  const which = segments.filter((s) => s.verdict === 'drift').map((s) => s.segment);
  return `${drifted} of ${segments.length} segments (${by.join(', ')}) drifted${which.length > 0 ? `: ${which.join(', ')}` : ''}`;
}

/** The segment's columns compared, ranked, and its entry before correction. */
function compareSegment(segment: string, reference: Frame, current: Frame, columns: [string, ColumnSpec][], setup: SegmentSetup): { entry: SegmentEntry; tested: ColumnDrift[] } {
  const rows = { reference: reference.rowCount, current: current.rowCount };
  const none = { entry: { segment, rows, verdict: 'insufficient', column: null, statistic: null, pValue: null, threshold: null, drifted: [] } as SegmentEntry, tested: [] };
  if (rows.reference === 0 || rows.current === 0) return none;
  const results = columns.map(([name, spec]) =>
    compareColumn(name, spec, reference, current, { options: setup.options.columns[name] ?? {}, rules: setup.options, recorded: setup.recordedMethods?.[name], seed: setup.seed }),
  );
  const tested = rankColumns(results.filter((r): r is ColumnDrift => 'verdict' in r));
  const top = tested[0];
  if (top === undefined) return none;
  return {
    entry: { segment, rows, verdict: top.verdict, column: top.column, statistic: top.statistic, pValue: top.pValue, threshold: top.threshold, drifted: [] },
    tested,
  };
}

function rowsBySegment(frame: Frame, by: string[]): Map<string, number[]> {
  const rows = new Map<string, number[]>();
  groupKeys(frame, by).forEach((key, row) => {
    const list = rows.get(key);
    if (list) list.push(row);
    else rows.set(key, [row]);
  });
  return rows;
}

/** The frame's rows at `rows`, each column gathered when first read. */
function gatherRows(frame: Frame, rows: number[]): Frame {
  const numbers = new Map<string, Float64Array>();
  const codes = new Map<string, Codes>();
  return {
    rowCount: rows.length,
    numbers(column) {
      if (!numbers.has(column)) {
        const all = frame.numbers(column);
        numbers.set(column, Float64Array.from(rows, (row) => all[row] as number));
      }
      return numbers.get(column) as Float64Array;
    },
    codes(column) {
      if (!codes.has(column)) {
        const all = frame.codes(column);
        codes.set(column, { ...all, codes: Int32Array.from(rows, (row) => all.codes[row] as number) });
      }
      return codes.get(column) as Codes;
    },
  };
}
