import { type Frame, rowsOfFrame } from '../data/columns/frame';
import type { Row } from '../data/typed-row';
import { featureOrder, lookbackOf, type FeaturePlan } from '../model/features';
import type { ColumnSpec } from '../spec/pipeline-spec';
import { columnsReadBy } from '../serving/check-batch';

/** One generated batch of bad input; the model must refuse it clearly or predict finite values. */
export interface GarbageCase {
  name: string;
  rows: unknown[];
}

/**
 * Garbage generated from the schema and a window of real rows (the newest, with enough history
 * for the model's lags): NaN, ±Infinity, nulls, far out of range, wrong types, an empty batch,
 * unseen categories, a single row, duplicated rows, and columns in another order.
 */
export function garbageCases(frame: Frame, columns: Record<string, ColumnSpec>, plan: FeaturePlan): GarbageCase[] {
  const window = newestRows(frame, columns, plan, lookbackOf(plan) + 3);
  const numeric = columnsReadBy(plan).filter((c) => columns[c]?.type === 'numeric' || columns[c]?.type === 'integer');
  const categorical = plan.features.categorical;
  const lastWith = (change: (row: Record<string, unknown>) => void): unknown[] =>
    window.map((row, i) => {
      if (i < window.length - 1) return row;
      const copy: Record<string, unknown> = { ...row };
      change(copy);
      return copy;
    });
  const setNumeric = (value: unknown) => lastWith((row) => numeric.forEach((c) => (row[c] = value)));
  const cases: GarbageCase[] = [
    { name: 'NaN in numeric columns', rows: setNumeric(Number.NaN) },
    { name: '+Infinity in numeric columns', rows: setNumeric(Number.POSITIVE_INFINITY) },
    { name: '-Infinity in numeric columns', rows: setNumeric(Number.NEGATIVE_INFINITY) },
    { name: 'nulls in numeric columns', rows: setNumeric(null) },
    { name: 'values far outside the training range', rows: lastWith((row) => numeric.forEach((c) => (row[c] = farOutside(window, c)))) },
    { name: 'wrong types (text in numeric columns)', rows: setNumeric('not a number') },
    { name: 'empty batch', rows: [] },
    { name: 'a single row', rows: window.slice(-1) },
    { name: 'duplicated rows', rows: window.flatMap((row) => [row, { ...row }]) },
    { name: 'columns in another order', rows: window.map((row) => Object.fromEntries(Object.entries(row).reverse())) },
  ];
  if (categorical.length > 0) {
    cases.push({ name: 'unseen categories', rows: lastWith((row) => categorical.forEach((c) => (row[c] = '__never_seen_in_training__'))) });
  }
  return cases;
}

/**
 * The newest `count` rows in time order (of the last group, with `groupBy`: lags need rows of one
 * group), as row objects: a prediction request is the edge where rows remain.
 */
function newestRows(frame: Frame, columns: Record<string, ColumnSpec>, plan: FeaturePlan, count: number): Row[] {
  const ordered = featureOrder(frame, plan);
  return rowsOfFrame(frame, columns, ordered.subarray(Math.max(0, ordered.length - count)));
}

/** A thousand times the observed range beyond the maximum: absurd, yet representable. */
function farOutside(rows: Row[], column: string): number {
  const values = rows.map((r) => r[column]).filter((v): v is number => typeof v === 'number');
  const max = Math.max(...values, 0);
  const min = Math.min(...values, 0);
  return Math.round(max + 1000 * Math.max(1, max - min));
}
