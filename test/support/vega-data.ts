import { readFileSync } from 'node:fs';
import type { ColumnSpecs, ColumnType } from '../../lib/data/column-spec';
import type { Value } from '../../lib/data/cell-types';
import { readRecords } from '../../lib/data/records/read-records';
import { rowValidator } from '../../lib/data/row-validator';
import { fileChunks } from '../../lib/data/sources/file-chunks';
import { resolveSourcePath } from '../../lib/data/sources/resolve-source';
import type { Cell, Row } from '../../lib/data/typed-row';

/**
 * A vega-datasets CSV as typed rows, read by the ingest's own reader and cell rules: the time
 * column a timestamp (an ISO string, as in snapshot rows), the others as `typeOf` says.
 */
export async function loadVega(file: string, timeColumn: string, typeOf: (column: string) => ColumnType) {
  const path = resolveSourcePath({ kind: 'package-file', package: 'vega-datasets', path: `data/${file}`, format: 'csv', delimiter: ',' }, '.');
  const text = readFileSync(path, 'utf8');
  const names = text.slice(0, text.indexOf('\n')).split(',');
  const columns: ColumnSpecs = Object.fromEntries(names.map((name) => [name, { type: name === timeColumn ? 'timestamp' : typeOf(name), nullable: false }]));
  const validate = rowValidator(columns);
  const values = new Array<Value>(names.length).fill(null);
  const texts = new Array<string>(names.length).fill('');
  const rows: Row[] = [];
  for await (const batch of readRecords({ origin: path, format: 'csv', delimiter: ',', chunks: fileChunks(path) }, columns)) {
    for (const record of batch) {
      const problem = record.problem ?? validate(record.cells, values, texts);
      if (problem !== undefined) throw new Error(`${file}: ${JSON.stringify(problem)}`);
      rows.push(Object.fromEntries(names.map((name, i) => [name, name === timeColumn ? new Date(values[i] as number).toISOString() : (values[i] as Cell)])));
    }
  }
  const inYears = (...years: string[]) => rows.filter((row) => years.includes((row[timeColumn] as string).slice(0, 4)));
  return { columns, rows, inYears };
}

/** Seattle's daily weather 2012–2015 (1,461 days): four numeric columns and the weather label. */
export function loadSeattleWeather() {
  return loadVega('seattle-weather.csv', 'date', (column) => (column === 'weather' ? 'categorical' : 'numeric'));
}
