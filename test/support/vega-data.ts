import { readFileSync, writeFileSync } from 'node:fs';
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
  const path = vegaFile(file);
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

/** A vega-datasets file's path inside the installed package. */
export const vegaFile = (file: string) => resolveSourcePath({ kind: 'package-file', package: 'vega-datasets', path: `data/${file}`, format: 'csv', delimiter: ',' }, '.');

/** Palmer penguins (penguins.json): one row per bird, its species, island, measurements and sex. */
export const PENGUIN_COLUMNS: ColumnSpecs = {
  Species: { type: 'categorical', nullable: false },
  Island: { type: 'categorical', nullable: false },
  'Beak Length (mm)': { type: 'numeric', nullable: true },
  'Beak Depth (mm)': { type: 'numeric', nullable: true },
  'Flipper Length (mm)': { type: 'numeric', nullable: true },
  'Body Mass (g)': { type: 'numeric', nullable: true },
  Sex: { type: 'categorical', nullable: true },
};
export type Bird = Record<string, string | number | null>;

/** The penguins as the package lists them (species by species). */
export function loadPenguins(): Bird[] {
  return JSON.parse(readFileSync(vegaFile('penguins.json'), 'utf8')) as Bird[];
}

/** Rows written as a CSV file of the given columns, a missing value as an empty cell. */
export function writeCsv(file: string, columns: string[], rows: Record<string, string | number | null | undefined>[]): void {
  const cell = (value: string | number | null | undefined) => (value === null || value === undefined ? '' : String(value));
  writeFileSync(file, [columns.join(','), ...rows.map((row) => columns.map((n) => cell(row[n])).join(','))].join('\n'));
}

/** The five stocks (stocks.csv): symbol, date and price of each month. */
export const STOCK_COLUMNS: ColumnSpecs = {
  symbol: { type: 'categorical', nullable: false },
  date: { type: 'timestamp', nullable: false },
  price: { type: 'numeric', nullable: false },
};
export type Stock = { symbol: string; date: string; price: number };

/** The stocks with their "Jan 1 2000" dates as ISO instants (the form Driftline reads). */
export function loadStocks(): Stock[] {
  const [, ...lines] = readFileSync(vegaFile('stocks.csv'), 'utf8').trim().split('\n');
  return lines
    .map((line) => line.split(','))
    .map(([symbol, date, price]) => ({ symbol: symbol as string, date: new Date(`${date} UTC`).toISOString(), price: Number(price) }));
}

/** Stocks written as the pipeline's CSV file, dates as ISO days. */
export function writeStocks(file: string, rows: Stock[]): void {
  writeCsv(file, ['symbol', 'date', 'price'], rows.map((row) => ({ ...row, date: row.date.slice(0, 10) })));
}
