import type { ColumnSpecs } from '../column-spec';
import type { Row } from '../typed-row';
import { columnBuilder } from './column-builders';
import type { ColumnTable } from './column-table';

/**
 * Row objects (ISO 8601 instants, null or a missing key for null) as a table of the `columns`,
 * built by the column loader's own builders: for the edges that hold rows (logged prediction
 * inputs, a test's fixture) and meet loaded or stored tables.
 */
export function tableOfRows(rows: readonly Row[], columns: ColumnSpecs): ColumnTable {
  const specs = Object.entries(columns).map(([name, { type }]) => ({ name, type }));
  const builders = specs.map((spec) => columnBuilder(spec, rows.length));
  for (const row of rows) {
    specs.forEach(({ name, type }, i) => {
      const cell = row[name] ?? null;
      builders[i]?.pushValue(type === 'timestamp' && cell !== null ? Date.parse(cell as string) : cell);
    });
  }
  return { rowCount: rows.length, specs, columns: builders.map((builder) => builder.finish(rows.length)) };
}
