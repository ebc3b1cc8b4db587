import { cellParser, type RawCell } from './cell-parser';
import { INVALID, type Value } from './cell-types';
import type { ColumnSpecs } from './column-spec';

/**
 * Checks a record's cells against every declared column. Fills `values` (for the profile) and
 * `texts` (canonical text, for the digest and COPY), both reused between rows so a million rows
 * allocate no arrays, and returns undefined, or the first reason the row breaks the schema.
 */
export type RowValidator = (cells: readonly RawCell[], values: Value[], texts: string[]) => string | undefined;

export function rowValidator(columns: ColumnSpecs): RowValidator {
  const parsers = Object.entries(columns).map(([name, spec]) => cellParser(name, spec));
  return (cells, values, texts) => {
    for (let i = 0; i < parsers.length; i += 1) {
      const parser = parsers[i] as (typeof parsers)[number];
      const value = parser.parse(cells[i], texts, i);
      if (value === INVALID) return parser.explain(cells[i]);
      values[i] = value;
    }
    return undefined;
  };
}
