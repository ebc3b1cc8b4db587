import type { ColumnSpecs } from '../../lib/data/column-spec';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { type ComparisonContext, compareDatasets } from '../../lib/drift/compare-datasets';
import type { DriftOptions } from '../../lib/drift/drift-options';
import type { DriftReport } from '../../lib/drift/drift-report';

/** compareDatasets on row objects, each side seen through frameOfRows: how tests write small datasets. */
export function compareRows(reference: readonly Row[], current: readonly Row[], columns: ColumnSpecs, options?: DriftOptions, context?: ComparisonContext): DriftReport {
  return compareDatasets(frameOfRows(reference, columns), frameOfRows(current, columns), columns, options, context);
}
