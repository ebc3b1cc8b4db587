import { describe, expect, it } from 'vitest';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import { frameOfRows, frameOfTable } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { chooseDriftMethods } from '../../lib/drift/choose-methods';
import { compareDatasets } from '../../lib/drift/compare-datasets';
import { DriftOptions } from '../../lib/drift/drift-options';
import { tableOfRows } from '../support/column-table';
import { loadSeattleWeather } from '../support/vega-data';

/** Seattle's weather with a boolean column and nulls added, so every comparable type and null path is read. */
async function weatherWithNulls() {
  const { columns, rows } = await loadSeattleWeather();
  const withNulls: Row[] = rows.map((row, i) => ({ ...row, temp_max: i % 7 === 0 ? null : row.temp_max ?? null, weather: i % 11 === 0 ? null : row.weather ?? null, wet: i % 13 === 0 ? null : (row.precipitation as number) > 0 }));
  const specs: ColumnSpecs = { ...columns, temp_max: { type: 'numeric', nullable: true }, weather: { type: 'categorical', nullable: true }, wet: { type: 'boolean', nullable: true } };
  return { columns: specs, rows: withNulls };
}

describe('drift on columns', () => {
  it('gives the same report, bit for bit, from a loaded table (whole or a window of it) as from the same rows', async () => {
    const { columns, rows } = await weatherWithNulls();
    const positions = (years: string[]) => Int32Array.from(rows.flatMap((row, i) => (years.includes((row.date as string).slice(0, 4)) ? [i] : [])));
    // The current side is read newest first: a window's categories then appear in another order than the table's dictionary.
    const reference = positions(['2012', '2013', '2014']);
    const current = positions(['2015']).reverse();
    const table = tableOfRows(rows, columns);
    const pick = (at: Int32Array) => Array.from(at, (i) => rows[i] as Row);
    const options = DriftOptions.parse({ columns: { precipitation: { method: 'psi' } } });
    const fromTable = compareDatasets(frameOfTable(table, reference), frameOfTable(table, current), columns, options, { seed: 3 });
    const fromRows = compareDatasets(frameOfRows(pick(reference), columns), frameOfRows(pick(current), columns), columns, options, { seed: 3 });
    expect(fromTable).toEqual(fromRows);
    expect(fromTable.columns.map((c) => c.column)).toEqual(['precipitation', 'temp_max', 'temp_min', 'wind', 'weather', 'wet']);
    expect(fromTable.multivariate).toMatchObject({ method: 'pca-reconstruction' });

    const referenceTable = tableOfRows(pick(reference), columns);
    expect(chooseDriftMethods(frameOfTable(referenceTable), columns, options)).toEqual(chooseDriftMethods(frameOfRows(pick(reference), columns), columns, options));
    expect(compareDatasets(frameOfTable(referenceTable), frameOfTable(table, current), columns)).toEqual(
      compareDatasets(frameOfRows(pick(reference), columns), frameOfRows(pick(current), columns), columns),
    );
  });

  it('reports booleans as booleans and categories as their values', async () => {
    const { columns, rows } = await weatherWithNulls();
    const table = tableOfRows(rows, columns);
    const report = compareDatasets(frameOfTable(table, Int32Array.from({ length: 700 }, (_, i) => i)), frameOfTable(table, Int32Array.from({ length: 700 }, (_, i) => 760 + i)), columns);
    const shiftOf = (name: string) => report.columns.find((c) => c.column === name)?.shift;
    expect(shiftOf('wet')).toMatchObject({ kind: 'categorical', top: expect.arrayContaining([expect.objectContaining({ value: true }), expect.objectContaining({ value: false })]) });
    const weather = shiftOf('weather');
    if (weather?.kind !== 'categorical') throw new Error('expected a categorical shift');
    expect(weather.top.map((t) => t.value).every((value) => typeof value === 'string' && table.columns.some((c) => c.type === 'categorical' && c.dictionary.includes(value)))).toBe(true);
  });
});
