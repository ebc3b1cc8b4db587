import type { ColumnSpecs, ColumnType } from '../data/column-spec';
import type { Frame } from '../data/columns/frame';
import { columnValues, type ColumnValues, isNumeric, sizeOf } from './column-values';
import { DRIFT_METHODS, type DriftMethod } from './drift-methods';
import type { DriftOptions } from './drift-options';
import { referenceMethod } from './select-method';

/**
 * The method of every comparable column against this reference: the spec's choice, else the
 * default for the reference's values. Recorded with a model version when it is registered, so that
 * every later check of its training data uses the same method and scores stay comparable over time.
 * Columns with no non-null reference value have none.
 */
export function chooseDriftMethods(reference: Frame, columns: ColumnSpecs, options: Pick<DriftOptions, 'columns'>): Record<string, DriftMethod> {
  const methods: Record<string, DriftMethod> = {};
  for (const [name, { type }] of Object.entries(columns)) {
    if (type === 'timestamp') continue;
    const chosen = options.columns[name]?.method;
    if (chosen !== undefined) {
      methods[name] = chosen;
      continue;
    }
    const values = columnValues(reference, name, type);
    if (sizeOf(values) > 0) methods[name] = referenceMethod(type, values);
  }
  return methods;
}

export interface ChosenMethod {
  method: DriftMethod;
  /** Set when the method differs from the recorded one. */
  change?: { from: DriftMethod; to: DriftMethod; why: string };
}

/**
 * The method a column is compared with: the spec's choice wins, then the one recorded with the
 * reference (when it still fits the column's type), then the default. Any departure from the
 * recorded method is stated, because it breaks the comparability of scores over time.
 */
export function chooseMethod(type: Exclude<ColumnType, 'timestamp'>, reference: ColumnValues, chosen?: DriftMethod, recorded?: DriftMethod): ChosenMethod {
  if (chosen !== undefined) {
    if (recorded === undefined || recorded === chosen) return { method: chosen };
    return { method: chosen, change: { from: recorded, to: chosen, why: "the pipeline spec sets this column's method" } };
  }
  if (recorded === undefined) return { method: referenceMethod(type, reference) };
  if (!DRIFT_METHODS[recorded].numericOnly || isNumeric(type)) return { method: recorded };
  const method = referenceMethod(type, reference);
  return { method, change: { from: recorded, to: method, why: `${recorded} needs a numeric column and the column is now ${type}` } };
}
