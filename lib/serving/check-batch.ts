import type { Row } from '../data/typed-row';
import { DriftlineError } from '../errors';
import { transformSourceColumns, type FeaturePlan } from '../model/features';
import type { ColumnSpec } from '../spec/pipeline-spec';

/** The columns a model reads: its feature columns, those its transforms read, the target (for lags), the time column and the groupBy columns (whose series a row is in). */
export function columnsReadBy(plan: FeaturePlan): string[] {
  const { features } = plan;
  return [...new Set([...features.columns, ...features.categorical, ...transformSourceColumns(features), plan.target, ...(plan.timeColumn ? [plan.timeColumn] : []), ...(plan.groupBy ?? [])])];
}

/**
 * Checks a batch of rows for prediction against the declared column types, so bad input is
 * refused with a message naming the row and the column instead of turning into NaN predictions.
 */
export function checkBatch(rows: unknown, columns: Record<string, ColumnSpec>, plan: FeaturePlan): Row[] {
  if (!Array.isArray(rows)) throw new DriftlineError('InvalidInput', 'batch: expected an array of rows');
  if (rows.length === 0) throw new DriftlineError('InvalidInput', 'batch: no rows to predict for');
  const read = columnsReadBy(plan);
  rows.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) throw new DriftlineError('InvalidInput', `batch row ${i}: expected an object`);
    for (const column of read) {
      const problem = cellProblem((row as Record<string, unknown>)[column], columns[column]);
      if (problem) throw new DriftlineError('InvalidInput', `batch row ${i}, column "${column}": ${problem}`);
    }
  });
  return rows as Row[];
}

function cellProblem(value: unknown, spec: ColumnSpec | undefined): string | undefined {
  if (!spec) return 'is not a declared column';
  if (value === null || value === undefined) return spec.nullable ? undefined : 'is missing but not nullable';
  switch (spec.type) {
    case 'numeric':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `expected a finite number, got ${show(value)}`;
    case 'integer':
      return Number.isSafeInteger(value) ? undefined : `expected an integer, got ${show(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${show(value)}`;
    case 'categorical':
      return typeof value === 'string' ? undefined : `expected a category (text), got ${show(value)}`;
    case 'timestamp':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? undefined : `expected an ISO timestamp, got ${show(value)}`;
  }
}

function show(value: unknown): string {
  if (typeof value === 'number') return String(value);
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
