import { describe, expect, it } from 'vitest';
import { frameOf, orderPipelineData } from '../../lib/arrival/pipeline-data';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import { frameOfRows, frameOfTable, type Frame } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { buildExamples, buildFeatureColumns, buildFeatures, learnCategories, targetSeries, type FeaturePlan } from '../../lib/model/features';
import type { FeatureSpec } from '../../lib/spec/pipeline-spec';
import { tableOfRows } from '../support/column-table';
import { loadSeattleWeather } from '../support/vega-data';

/**
 * Seattle's weather made awkward for features: rows out of time order, nulls in the target, a
 * feature and a category, a boolean category, and a few rows without a time (they sort last).
 */
async function awkwardWeather() {
  const { columns, rows } = await loadSeattleWeather();
  const specs: ColumnSpecs = {
    ...columns,
    date: { type: 'timestamp', nullable: true },
    temp_max: { type: 'numeric', nullable: true },
    wind: { type: 'numeric', nullable: true },
    weather: { type: 'categorical', nullable: true },
    wet: { type: 'boolean', nullable: true },
  };
  const awkward: Row[] = rows.map((row, i) => ({
    ...row,
    date: i % 97 === 5 ? null : (row.date ?? null),
    temp_max: i % 101 === 3 ? null : (row.temp_max ?? null),
    wind: i % 23 === 0 ? null : (row.wind ?? null),
    weather: i % 19 === 0 ? null : (row.weather ?? null),
    wet: i % 29 === 0 ? null : (row.precipitation as number) > 0,
  }));
  // Each block of 10 days reversed: the features must put them back in time order (ties and all).
  const shuffled = awkward.map((_, i) => awkward[Math.floor(i / 10) * 10 + (9 - (i % 10))] ?? (awkward[i] as Row));
  return { columns: specs, rows: shuffled };
}

const features: FeatureSpec = {
  columns: ['precipitation', 'wind'],
  categorical: ['weather', 'wet'],
  targetLags: [1, 7],
  targetRollingMeans: [3, 5],
  interactions: [
    ['wind', 'weather=rain'],
    ['target_lag_1', 'precipitation'],
  ],
};

function everything(frame: Frame, timeColumn: string | undefined) {
  const categories = learnCategories(frame, features);
  const plan: FeaturePlan = { target: 'temp_max', timeColumn, horizon: 2, features, categories };
  return { categories, examples: buildExamples(frame, plan), features: buildFeatures(frame, plan), target: targetSeries(frame, plan) };
}

describe('features on columns', () => {
  it('are the same, bit for bit, from a loaded table, a window of a bigger one and pipeline data as from the row objects', async () => {
    const { columns, rows } = await awkwardWeather();
    for (const timeColumn of ['date', undefined]) {
      const fromRows = everything(frameOfRows(rows, columns), timeColumn);
      expect(fromRows.examples.y.length).toBeGreaterThan(1000);
      expect(fromRows.categories.wet).toEqual(['false', 'true']);
      expect(everything(frameOfTable(tableOfRows(rows, columns)), timeColumn)).toStrictEqual(fromRows);

      // The same rows as a window (positions) of a table holding other rows too.
      const padding = rows.slice(0, 50).map((row) => ({ ...row, weather: 'hail', temp_max: -1 }));
      const bigger = tableOfRows([...padding, ...rows], columns);
      const positions = Int32Array.from(rows, (_, i) => padding.length + i);
      expect(everything(frameOfTable(bigger, positions), timeColumn)).toStrictEqual(fromRows);
    }
  });

  it('laid out by feature are the rows\' features, bit for bit: the same rows, values and times (in time order, by group)', async () => {
    const { columns, rows } = await awkwardWeather();
    const frame = frameOfTable(tableOfRows(rows, columns));
    for (const [timeColumn, groupBy] of [['date', undefined], [undefined, undefined], ['date', ['wet']]] as const) {
      const plan: FeaturePlan = { target: 'temp_max', timeColumn, horizon: 2, groupBy: groupBy && [...groupBy], features, categories: learnCategories(frame, features) };
      const byRow = buildFeatures(frame, plan);
      const byColumn = buildFeatureColumns(frame, plan);
      expect(byRow.x.length).toBeGreaterThan(1000);
      expect(byColumn.featureNames).toEqual(byRow.featureNames);
      expect(Array.from(byColumn.row)).toEqual(byRow.row);
      expect(byRow.at.map((_, i) => byColumn.atOf(i))).toEqual(byRow.at);
      byColumn.columns.forEach((column, j) => expect(column, byRow.featureNames[j]).toStrictEqual(Float64Array.from(byRow.x, (x) => x[j] as number)));
    }
  });

  it('read the pipeline\'s data as its training thread does: two batches in time order, as from the rows in that order', async () => {
    const { columns, rows } = await awkwardWeather();
    const half = Math.floor(rows.length / 2);
    const data = orderPipelineData(
      [
        { snapshotId: 1, table: tableOfRows(rows.slice(half), columns) },
        { snapshotId: 2, table: tableOfRows(rows.slice(0, half), columns) },
      ],
      'date',
    );
    const inPipelineOrder = [...rows.slice(half), ...rows.slice(0, half)].map((row, i) => ({ row, i }));
    const timeOf = ({ row }: { row: Row }) => (row.date === null ? Number.NEGATIVE_INFINITY : Date.parse(row.date as string));
    inPipelineOrder.sort((a, b) => timeOf(a) - timeOf(b) || a.i - b.i);
    expect(everything(frameOf(data), 'date')).toStrictEqual(everything(frameOfRows(inPipelineOrder.map(({ row }) => row), columns), 'date'));
  });
});
