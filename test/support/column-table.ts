import type { ColumnSpecs } from '../../lib/data/column-spec';
import { columnBuilder } from '../../lib/data/columns/column-builders';
import type { ColumnTable } from '../../lib/data/columns/column-table';
import type { Row } from '../../lib/data/typed-row';

/** The rows as the column loader holds them: built by its own builders from the values a query returns (instants as epoch ms). */
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
