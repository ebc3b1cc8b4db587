import type { ColumnSpec, ColumnType } from '../data/column-spec';
import type { Frame } from '../data/columns/frame';
import { DriftlineError } from '../errors';
import { compareColumn } from './column-drift';
import { isNumeric } from './column-values';
import { DRIFT_METHODS, type DriftMethod } from './drift-methods';
import { DriftOptions } from './drift-options';
import type { ColumnDrift, DriftReport, SkippedColumn } from './drift-report';
import { multivariateDrift } from './multivariate';
import { datasetVerdict } from './verdicts';

/** The seed of a check when its caller gives none: a report is reproducible either way. */
export const DEFAULT_DRIFT_SEED = 12;

/** What a comparison knows besides the data and the options. */
export interface ComparisonContext {
  /** The methods recorded with the reference (chooseDriftMethods); a column without one gets the default. */
  recordedMethods?: Record<string, DriftMethod>;
  /** Seeds the calibration bootstraps and the multivariate samples. */
  seed?: number;
}

/**
 * Compares a current dataset with a reference, column by column and for the numeric columns
 * together, and decides whether the dataset drifted. Pure and synchronous, so it can run in a
 * worker thread; O(n log n) per numeric column (one sort, then linear merges), O(n) per categorical
 * one, and a bounded cost for calibration and the multivariate signal (seeded samples).
 */
export function compareDatasets(
  reference: Frame,
  current: Frame,
  columns: Record<string, ColumnSpec>,
  options: DriftOptions = DriftOptions.parse({}),
  { recordedMethods = {}, seed = DEFAULT_DRIFT_SEED }: ComparisonContext = {},
): DriftReport {
  if (reference.rowCount === 0 || current.rowCount === 0) {
    throw new DriftlineError('InvalidInput', `drift needs rows on both sides (reference ${reference.rowCount}, current ${current.rowCount})`);
  }
  checkColumnOptions(columns, options);
  const compared: ColumnDrift[] = [];
  const skipped: SkippedColumn[] = [];
  for (const [name, spec] of Object.entries(columns)) {
    const setup = { options: options.columns[name] ?? {}, rules: options, recorded: recordedMethods[name], seed };
    const result = compareColumn(name, spec, reference, current, setup);
    if ('reason' in result) skipped.push(result);
    else compared.push(result);
  }
  const multivariate = options.calibration === false ? undefined : multivariateDrift(reference, current, columns, options.minSamples, seed);
  return {
    ...datasetVerdict(
      compared.map((c) => c.verdict),
      options,
      multivariate !== undefined && 'verdict' in multivariate && multivariate.verdict === 'drift',
    ),
    minSamples: options.minSamples,
    rows: { reference: reference.rowCount, current: current.rowCount },
    columns: compared,
    skipped,
    ...(multivariate && { multivariate }),
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
