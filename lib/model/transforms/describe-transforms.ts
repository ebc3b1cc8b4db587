import type { FeatureSpec } from '../../spec/pipeline-spec';
import type { FittedTransforms, ZscoreFit } from './derived-columns';
import { derivedName, type DerivedColumn } from './transforms-spec';

/** One line per declared transform, with what it learned from the training rows (once fitted): what `spec check` and lineage show. */
export function describeTransforms(features: FeatureSpec, fitted: FittedTransforms | undefined, timeColumn: string | undefined): string[] {
  return [
    ...(features.derived ?? []).map((derived) => `${derivedName(derived)}: ${describeDerived(derived, fitted?.[derivedName(derived)])}`),
    ...Object.entries(features.lags ?? {}).map(([column, lags]) => `lags of ${column}: ${lags.join(', ')}`),
    ...(features.rolling ?? []).map(({ column, window, stat }) => `rolling ${stat} of ${column} over ${window} rows`),
    ...(features.dateParts ? [`date parts of ${timeColumn}: ${features.dateParts.parts.join(', ')}${features.dateParts.cyclic ? ' (cyclic: sin/cos)' : ''}`] : []),
  ];
}

function describeDerived(derived: DerivedColumn, fit: ZscoreFit | undefined): string {
  switch (derived.op) {
    case 'ratio':
      return `${derived.columns[0]} / ${derived.columns[1]}`;
    case 'difference':
      return `${derived.columns[0]} − ${derived.columns[1]}`;
    case 'diff':
    case 'pctChange':
      return `${derived.op} of ${derived.column} over ${derived.periods} row${derived.periods === 1 ? '' : 's'}`;
    case 'clip':
      return `clip of ${derived.column} to [${derived.min ?? '−∞'}, ${derived.max ?? '∞'}]`;
    case 'zscore':
      return `zscore of ${derived.column} (${fit ? `mean ${fit.mean.toPrecision(6)}, std ${fit.std.toPrecision(6)}` : 'mean and std'}, fitted on the training rows)`;
    default:
      return `${derived.op} of ${derived.column}`;
  }
}
