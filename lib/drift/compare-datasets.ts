import type { ColumnSpec, ColumnType } from '../data/column-spec';
import type { Row } from '../data/typed-row';
import { DriftlineError } from '../errors';
import { compareColumn } from './column-drift';
import { isNumeric } from './column-values';
import { DRIFT_METHODS, type DriftMethod } from './drift-methods';
import { DriftOptions } from './drift-options';
import type { ColumnDrift, DriftReport, SkippedColumn } from './drift-report';
import { datasetVerdict } from './verdicts';

/**
 * Compares a current dataset with a reference, column by column, and decides whether the dataset
 * drifted. Pure and synchronous, so it can run in a worker thread; O(n log n) per numeric column
 * (one sort, then linear merges) and O(n) per categorical one.
 */
export function compareDatasets(
  reference: readonly Row[],
  current: readonly Row[],
  columns: Record<string, ColumnSpec>,
  options: DriftOptions = DriftOptions.parse({}),
): DriftReport {
  if (reference.length === 0 || current.length === 0) {
    throw new DriftlineError('InvalidInput', `drift needs rows on both sides (reference ${reference.length}, current ${current.length})`);
  }
  checkColumnOptions(columns, options);
  const compared: ColumnDrift[] = [];
  const skipped: SkippedColumn[] = [];
  for (const [name, spec] of Object.entries(columns)) {
    const result = compareColumn(name, spec, reference, current, options.columns[name] ?? {});
    if ('reason' in result) skipped.push(result);
    else compared.push(result);
  }
  return {
    ...datasetVerdict(compared.map((c) => c.verdict), options),
    rows: { reference: reference.length, current: current.length },
    columns: compared,
    skipped,
  };
}

/** Per-column options must name a declared, comparable column and a method its type allows. */
function checkColumnOptions(columns: Record<string, ColumnSpec>, options: DriftOptions): void {
  for (const [name, { method }] of Object.entries(options.columns)) {
    const problem = optionProblem(columns[name]?.type, method);
    if (problem !== undefined) throw new DriftlineError('InvalidInput', `drift options: column "${name}" ${problem}`);
  }
}

function optionProblem(type: ColumnType | undefined, method: DriftMethod | undefined): string | undefined {
  if (type === undefined) return 'is not a declared column';
  if (type === 'timestamp') return 'is a timestamp column, which is not compared';
  if (method !== undefined && DRIFT_METHODS[method].numericOnly && !isNumeric(type)) return `is ${type}, but ${method} needs a numeric column`;
  return undefined;
}
