import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../lib/drift/drift-report';
import { loadSeattleWeather, loadVega } from '../support/vega-data';
import { compareRows } from '../support/drift-frames';

interface Expected {
  method: string;
  statistic: number | 'Infinity';
  pValue: number | null;
}
type Comparison = Record<string, Expected>;

// Evidently's default test per column, computed with SciPy from the same CSV files,
// see test/fixtures/make-drift-reference.py.
const expected = (
  JSON.parse(readFileSync(new URL('../fixtures/drift-reference.json', import.meta.url), 'utf8')) as {
    realData: Record<'recession' | 'weather' | 'weatherLargeReference', Comparison>;
  }
).realData;

function expectAsScipy(report: DriftReport, comparison: Comparison): void {
  expect(report.columns.map((c) => c.column).sort()).toEqual(Object.keys(comparison).sort());
  for (const column of report.columns) {
    const reference = comparison[column.column] as Expected;
    expect(column.method, column.column).toBe(reference.method);
    if (reference.statistic === 'Infinity') expect(column.statistic, column.column).toBeNull();
    else expect(column.statistic, column.column).toBeCloseTo(reference.statistic, 12);
    if (reference.pValue === null) expect(column.pValue).toBeNull();
    else expect(Math.abs((column.pValue as number) - reference.pValue), column.column).toBeLessThanOrEqual(1e-9 * reference.pValue + 1e-15);
  }
}

const summary = (report: DriftReport) => ({
  verdict: report.verdict,
  drifted: report.columns.filter((c) => c.verdict === 'drift').map((c) => c.column),
});

describe('drift on the bundled real data', () => {
  it('detects the 2008 recession: US employment in 2008–2009 drifts against 2006–2007', async () => {
    const { columns, inYears } = await loadVega('us-employment.csv', 'month', () => 'numeric');
    const report = compareRows(inYears('2006', '2007'), inYears('2008', '2009'), columns);

    expectAsScipy(report, expected.recession);
    expect(report.rows).toEqual({ reference: 24, current: 24 });
    expect(report.skipped).toEqual([{ column: 'month', type: 'timestamp', reason: 'timestamp columns are not compared' }]);
    expect(report.verdict).toBe('fail');
    // 21 of 23 series moved: all but service-providing jobs (p = 0.068) and leisure and hospitality.
    expect(report.columnsDrifted).toBe(21);
    expect(report.driftedShare).toBeCloseTo(21 / 23, 12);
    expect(summary(report).drifted).toEqual(expect.arrayContaining(['nonfarm', 'construction', 'manufacturing', 'nonfarm_change']));
  });

  it('raises no alarm on a stable control: Seattle weather in 2015 against 2014', async () => {
    const { columns, inYears } = await loadSeattleWeather();
    const report = compareRows(inYears('2014'), inYears('2015'), columns);

    expectAsScipy(report, expected.weather);
    // Only the weather label moves: 2015 labels days "drizzle", a label 2014 never used, so the
    // chi-square statistic is infinite. One drifted column of five warns; it does not fail.
    expect(summary(report)).toEqual({ verdict: 'warn', drifted: ['weather'] });
    expect(report.driftedShare).toBeCloseTo(1 / 5, 12);
    const weather = report.columns.find((c) => c.column === 'weather');
    expect(weather?.histogram).toMatchObject({ kind: 'categories', values: ['drizzle', 'fog', 'rain', 'snow', 'sun'] });
    expect(weather?.histogram.reference[0]).toBe(0);
  });

  it('switches to distances on a reference above 1,000 rows, as Evidently does: 2012–2014 against 2015', async () => {
    const { columns, inYears } = await loadSeattleWeather();
    const report = compareRows(inYears('2012', '2013', '2014'), inYears('2015'), columns);

    expectAsScipy(report, expected.weatherLargeReference);
    const temperature = report.columns.find((c) => c.column === 'temp_max');
    expect(temperature?.histogram.kind).toBe('bins');
  });
});
