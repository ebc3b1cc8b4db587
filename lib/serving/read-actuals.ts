import type { Value } from '../data/cell-types';
import { ColumnSpec, type ColumnSpecs } from '../data/column-spec';
import { readRecords } from '../data/records/read-records';
import { rowValidator } from '../data/row-validator';
import type { OpenedSource } from '../data/sources/open-source';
import type { ActualRow } from '../db/predictions';

/** A line of an actuals file that was not recorded, and why. */
export interface RefusedActual {
  line: number;
  reason: string;
}

/** The key column an actuals file joins on, unless told otherwise. */
export const ROW_KEY_COLUMN = 'row_key';

/**
 * The columns of an actuals file: the row key (text) and the pipeline's target, with the target's
 * own rules (type, range, allowed values) and never missing: an outcome without a value says nothing.
 */
export function actualsColumns(target: string, targetSpec: ColumnSpec, rowKey = ROW_KEY_COLUMN): ColumnSpecs {
  return {
    [rowKey]: ColumnSpec.parse({ type: 'categorical' }),
    [target]: { ...targetSpec, nullable: false },
  };
}

/**
 * Reads an actuals file with the record readers and column rules of ingest, in batches of
 * outcomes (a regressor's value, a classifier's class as text); refused lines are collected with
 * their reasons, never recorded.
 */
export async function* readActuals(
  opened: OpenedSource,
  columns: ColumnSpecs,
  classification: boolean,
  refused: RefusedActual[],
): AsyncIterable<ActualRow[]> {
  const validate = rowValidator(columns);
  const width = Object.keys(columns).length;
  const values = new Array<Value>(width).fill(null);
  const texts = new Array<string>(width).fill('');
  for await (const batch of readRecords(opened, columns)) {
    const rows: ActualRow[] = [];
    for (const record of batch) {
      const reason = record.problem ?? validate(record.cells, values, texts);
      if (reason !== undefined) {
        refused.push({ line: record.line, reason });
        continue;
      }
      const [key, outcome] = values;
      rows.push(classification ? { rowKey: String(key), class: String(outcome) } : { rowKey: String(key), value: outcome as number });
    }
    if (rows.length > 0) yield rows;
  }
}
