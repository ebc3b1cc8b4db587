import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { chooseDriftMethods } from '../../lib/drift/choose-methods';
import type { NumericSummary } from '../../lib/drift/data-shift';
import { DriftOptions } from '../../lib/drift/drift-options';
import { type ColumnDrift, DriftReport } from '../../lib/drift/drift-report';
import { multivariateDrift } from '../../lib/drift/multivariate';
import { mulberry32 } from '../../lib/stats/mulberry32';
import { fitPrincipalComponents, reconstructionErrors } from '../../lib/stats/pca';
import { loadSeattleWeather } from '../support/vega-data';
import { compareRows } from '../support/drift-frames';

// pandas and scikit-learn on the same CSV, see test/fixtures/make-drift-shift-reference.py.
const expected = JSON.parse(readFileSync(new URL('../fixtures/drift-shift-reference.json', import.meta.url), 'utf8')) as {
  shift2014vs2015: {
    numeric: Record<string, { reference: NumericSummary; current: NumericSummary }>;
    weather: { reference: Record<string, number>; current: Record<string, number>; newCategories: Record<string, number> };
  };
  tempMax2015EverySeventhMissing: NumericSummary;
  pca20122014vs2015: { components: number; explained: number; meanError: number; firstErrors: number[] };
};

const multivariateOfRows = (reference: Row[], current: Row[], columns: ColumnSpecs, minSamples: number, seed: number) =>
  multivariateDrift(frameOfRows(reference, columns), frameOfRows(current, columns), columns, minSamples, seed);

const NUMERIC_WEATHER = ['precipitation', 'temp_max', 'temp_min', 'wind'];

function column(report: DriftReport, name: string): ColumnDrift {
  const found = report.columns.find((c) => c.column === name);
  if (found === undefined) throw new Error(`no column ${name} in the report`);
  return found;
}

function expectSummary(actual: unknown, reference: NumericSummary): void {
  const summary = actual as Record<string, number>;
  expect(Object.keys(summary).sort()).toEqual(Object.keys(reference).sort());
  for (const [key, value] of Object.entries(reference)) expect(summary[key], key).toBeCloseTo(value, 12);
}

describe('the method, fixed with the reference', () => {
  const columns: ColumnSpecs = {
    at: { type: 'timestamp', nullable: false },
    x: { type: 'numeric', nullable: false },
    c: { type: 'categorical', nullable: false },
    empty: { type: 'numeric', nullable: true },
  };
  const reference: Row[] = Array.from({ length: 1500 }, (_, i) => ({ at: '2020-01-01T00:00:00.000Z', x: i, c: `k${i % 4}`, empty: null }));
  const small: Row[] = reference.slice(0, 200);

  it('chooses Evidently’s default on the reference, with the spec’s choice winning; no method for time or empty columns', () => {
    expect(chooseDriftMethods(frameOfRows(reference, columns), columns, DriftOptions.parse({}))).toEqual({ x: 'wasserstein', c: 'jensenshannon' });
    expect(chooseDriftMethods(frameOfRows(small, columns), columns, DriftOptions.parse({ columns: { c: { method: 'psi' } } }))).toEqual({ x: 'ks', c: 'psi' });
  });

  it('keeps the recorded method when the data would choose another, without a change to report', () => {
    const report = compareRows(small, small, columns, DriftOptions.parse({}), { recordedMethods: { x: 'wasserstein', c: 'jensenshannon' } });
    expect(column(report, 'x')).toMatchObject({ method: 'wasserstein' });
    expect(column(report, 'x').methodChange).toBeUndefined();
    expect(column(compareRows(small, small, columns), 'x').method).toBe('ks');
  });

  it('lets a spec override win and says what changed and why', () => {
    const options = DriftOptions.parse({ columns: { x: { method: 'psi' } } });
    const report = compareRows(reference, reference, columns, options, { recordedMethods: { x: 'wasserstein', c: 'jensenshannon' } });
    expect(column(report, 'x')).toMatchObject({ method: 'psi', methodChange: { from: 'wasserstein', to: 'psi', why: "the pipeline spec sets this column's method" } });
    expect(column(report, 'c').methodChange).toBeUndefined();
  });

  it('falls back to the default when the recorded method no longer fits the column’s type', () => {
    const report = compareRows(reference, reference, columns, DriftOptions.parse({}), { recordedMethods: { c: 'wasserstein' } });
    expect(column(report, 'c')).toMatchObject({
      method: 'jensenshannon',
      methodChange: { from: 'wasserstein', to: 'jensenshannon', why: 'wasserstein needs a numeric column and the column is now categorical' },
    });
  });
});

describe('the shift in data units', () => {
  it('matches pandas for every numeric column and the weather label, 2014 against 2015', async () => {
    const { columns, inYears } = await loadSeattleWeather();
    const report = compareRows(inYears('2014'), inYears('2015'), columns);
    for (const name of NUMERIC_WEATHER) {
      const shift = column(report, name).shift;
      if (shift?.kind !== 'numeric') throw new Error(`${name}: expected a numeric shift`);
      const reference = expected.shift2014vs2015.numeric[name] as { reference: NumericSummary; current: NumericSummary };
      expectSummary(shift.reference, reference.reference);
      expectSummary(shift.current, reference.current);
    }
    const weather = column(report, 'weather').shift;
    if (weather?.kind !== 'categorical') throw new Error('weather: expected a categorical shift');
    const { reference: referenceShares, current: currentShares, newCategories } = expected.shift2014vs2015.weather;
    expect(weather.top).toHaveLength(5);
    for (const { value, reference, current } of weather.top) {
      expect(reference, `${value} in 2014`).toBeCloseTo(referenceShares[String(value)] ?? 0, 12);
      expect(current, `${value} in 2015`).toBeCloseTo(currentShares[String(value)] ?? 0, 12);
    }
    expect(weather.newCategories).toEqual(Object.entries(newCategories).map(([value, count]) => ({ value, count })));
    expect(weather.moreNewCategories).toBe(0);
    expect(weather.missingShare).toEqual({ reference: 0, current: 0 });
  });

  it('summarizes the values that are there and counts the missing ones', async () => {
    const { columns, inYears } = await loadSeattleWeather();
    const current = inYears('2015').map((row, i) => (i % 7 === 0 ? { ...row, temp_max: null } : row));
    const shift = column(compareRows(inYears('2014'), current, columns), 'temp_max').shift;
    if (shift?.kind !== 'numeric') throw new Error('expected a numeric shift');
    expectSummary(shift.current, expected.tempMax2015EverySeventhMissing);
  });

  it('lists at most 10 new categories, the most frequent first, and counts the rest', () => {
    const columns: ColumnSpecs = { c: { type: 'categorical', nullable: true } };
    const reference: Row[] = Array.from({ length: 50 }, (_, i) => ({ c: i % 2 === 0 ? 'old' : null }));
    const current: Row[] = Array.from({ length: 14 }, (_, k) => Array.from({ length: k + 1 }, () => ({ c: `new${k}` }))).flat();
    const shift = column(compareRows(reference, current, columns), 'c').shift;
    if (shift?.kind !== 'categorical') throw new Error('expected a categorical shift');
    expect(shift.newCategories.map((c) => c.value)).toEqual(['new13', 'new12', 'new11', 'new10', 'new9', 'new8', 'new7', 'new6', 'new5', 'new4']);
    expect(shift.newCategories[0]).toEqual({ value: 'new13', count: 14 });
    expect(shift.moreNewCategories).toBe(4);
    expect(shift.top[0]).toEqual({ value: 'old', reference: 1, current: 0 });
    expect(shift.missingShare).toEqual({ reference: 0.5, current: 0 });
  });
});

describe('the multivariate signal', () => {
  it('fits the same principal components as scikit-learn', async () => {
    const { inYears } = await loadSeattleWeather();
    const matrix = (rows: Row[]) => rows.map((row) => Float64Array.from(NUMERIC_WEATHER, (name) => row[name] as number));
    const pca = fitPrincipalComponents(matrix(inYears('2012', '2013', '2014')), 0.9);
    const reference = expected.pca20122014vs2015;
    expect(pca.components).toHaveLength(reference.components);
    expect(pca.explained).toBeCloseTo(reference.explained, 10);
    const errors = reconstructionErrors(pca, matrix(inYears('2015')));
    expect(errors.reduce((sum, e) => sum + e, 0) / errors.length).toBeCloseTo(reference.meanError, 9);
    errors.slice(0, 5).forEach((error, i) => expect(error).toBeCloseTo(reference.firstErrors[i] as number, 9));
  });

  /** x and y standard normal with correlation `rho`, and an independent z. */
  function correlated(count: number, rho: number, seed: number): Row[] {
    const random = mulberry32(seed);
    const normal = () => Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random());
    return Array.from({ length: count }, () => {
      const x = normal();
      return { x, y: rho * x + Math.sqrt(1 - rho * rho) * normal(), z: normal() };
    });
  }
  const columns: ColumnSpecs = { x: { type: 'numeric', nullable: false }, y: { type: 'numeric', nullable: false }, z: { type: 'numeric', nullable: false } };

  it('catches a flipped correlation that no column shows on its own', () => {
    const report = compareRows(correlated(4000, 0.9, 1), correlated(200, -0.9, 2), columns);
    expect(report.columns.map((c) => c.verdict)).toEqual(['stable', 'stable', 'stable']);
    expect(report.multivariate).toMatchObject({ method: 'pca-reconstruction', columns: ['x', 'y', 'z'], components: 2, verdict: 'drift', rows: { current: 200 } });
    const signal = report.multivariate as { score: number; threshold: number; typical: number };
    expect(signal.score).toBeGreaterThan(2 * signal.threshold);
    expect(signal.typical).toBeLessThan(signal.threshold);
    expect(report.verdict).toBe('warn');
  });

  it('stays quiet on calm batches of 20 rows (at most ~5 % drift)', () => {
    const reference = correlated(4000, 0.9, 3);
    const drifted = Array.from({ length: 100 }, (_, batch) => multivariateOfRows(reference, correlated(20, 0.9, 100 + batch), columns, 10, batch)).filter(
      (signal) => 'verdict' in signal && signal.verdict === 'drift',
    );
    expect(drifted.length).toBeLessThanOrEqual(5);
  });

  it('says why it is skipped: too few numeric columns, reference rows or current rows', () => {
    const rows = correlated(100, 0.5, 4);
    expect(multivariateOfRows(rows, rows, { x: columns.x as ColumnSpecs[string], c: { type: 'categorical', nullable: false } }, 10, 1)).toEqual({
      method: 'pca-reconstruction',
      skipped: 'needs 2 numeric columns that vary in the reference (found 1)',
    });
    expect(multivariateOfRows(rows.slice(0, 30), rows, columns, 10, 1)).toEqual({ method: 'pca-reconstruction', skipped: 'needs 40 reference rows for 3 numeric columns (found 30)' });
    expect(multivariateOfRows(rows, rows.slice(0, 9), columns, 10, 1)).toEqual({ method: 'pca-reconstruction', skipped: 'needs 10 current rows (found 9)' });
  });

  it('travels in a report that survives JSON and parses back with its schema', () => {
    const report = compareRows(correlated(1500, 0.9, 5), correlated(300, 0.9, 6), columns);
    expect(report.multivariate).toMatchObject({ verdict: 'stable' });
    expect(DriftReport.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
  });
});
