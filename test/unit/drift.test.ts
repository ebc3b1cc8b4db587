import { describe, expect, it } from 'vitest';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import type { Row } from '../../lib/data/typed-row';
import { DRIFT_METHODS } from '../../lib/drift/drift-methods';
import { DriftOptions } from '../../lib/drift/drift-options';
import { DriftReport, REPORTED_CATEGORIES } from '../../lib/drift/drift-report';
import { defaultMethod } from '../../lib/drift/select-method';
import { columnVerdict, datasetVerdict } from '../../lib/drift/verdicts';
import { compareRows } from '../support/drift-frames';

const numeric = { type: 'numeric', nullable: true } as const;
const categorical = { type: 'categorical', nullable: true } as const;
const rowsOf = (column: string, values: Row[string][]): Row[] => values.map((value) => ({ [column]: value }));
const repeat = <T>(value: T, times: number): T[] => new Array<T>(times).fill(value);
const range = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => i + offset);

function onlyColumn(report: DriftReport) {
  expect(report.columns).toHaveLength(1);
  return report.columns[0] as DriftReport['columns'][number];
}

describe('choosing the test for a column (Evidently defaults)', () => {
  it.each([
    ['numeric', 1000, 6, 'ks'],
    ['integer', 24, 24, 'ks'],
    ['numeric', 1000, 5, 'chisquare'],
    ['numeric', 1000, 3, 'chisquare'],
    ['numeric', 1000, 2, 'z'],
    ['categorical', 1000, 3, 'chisquare'],
    ['categorical', 1000, 2, 'z'],
    ['boolean', 500, 2, 'z'],
    ['numeric', 1001, 6, 'wasserstein'],
    ['numeric', 1001, 5, 'jensenshannon'],
    ['categorical', 1001, 2, 'jensenshannon'],
    ['boolean', 5000, 2, 'jensenshannon'],
  ] as const)('%s column, %i reference values, %i distinct → %s', (type, referenceSize, distinct, method) => {
    expect(defaultMethod(type, referenceSize, distinct)).toBe(method);
  });

  it('counts the reference size without nulls and decides on the reference alone, so the method stays fixed', () => {
    // 1,000 values and 500 nulls: still a small reference. 3 values in the reference: chi-square,
    // even when the current data brings 3 more (Evidently would count six together and switch to
    // KS; Driftline keeps one method per reference so that scores stay comparable).
    const reference = rowsOf('x', [...range(1000).map((i) => i % 3), ...repeat(null, 500)]);
    const current = rowsOf('x', range(100).map((i) => 3 + (i % 3)));
    expect(onlyColumn(compareRows(reference, current, { x: numeric }))).toMatchObject({ method: 'chisquare', verdict: 'drift' });
    expect(onlyColumn(compareRows(reference, reference, { x: numeric })).method).toBe('chisquare');
    expect(onlyColumn(compareRows(rowsOf('x', range(1000).map((i) => i % 6)), current, { x: numeric })).method).toBe('ks');
  });
});

describe('column verdicts', () => {
  it('drifts strictly below a p-value threshold and at or above a distance threshold', () => {
    expect(columnVerdict(DRIFT_METHODS.ks, 0.0499, 0.05, null)).toBe('drift');
    expect(columnVerdict(DRIFT_METHODS.ks, 0.05, 0.05, null)).toBe('stable');
    expect(columnVerdict(DRIFT_METHODS.wasserstein, 0.1, 0.1, null)).toBe('drift');
    expect(columnVerdict(DRIFT_METHODS.wasserstein, 0.0999, 0.1, null)).toBe('stable');
  });

  it('warns in the band before the threshold: PSI 0.1 to 0.2 by default, a p-value band when asked', () => {
    const psi = DRIFT_METHODS.psi;
    expect([0.05, 0.1, 0.19, 0.2].map((score) => columnVerdict(psi, score, psi.threshold, psi.warnThreshold ?? null))).toEqual([
      'stable',
      'warn',
      'warn',
      'drift',
    ]);
    expect(columnVerdict(DRIFT_METHODS.chisquare, 0.07, 0.05, 0.1)).toBe('warn');
  });
});

describe('dataset verdict bands', () => {
  const bands = DriftOptions.parse({});
  const verdicts = (drifted: number, stable: number, warned = 0) => [
    ...repeat('drift' as const, drifted),
    ...repeat('stable' as const, stable),
    ...repeat('warn' as const, warned),
  ];

  it('defaults to failing at half the columns drifted and warning on any drifted column', () => {
    expect(bands).toEqual({ driftShare: 0.5, warnShare: 0, columns: {}, minSamples: 10, calibration: { alpha: 0.01, warnAlpha: 0.05 } });
    expect(datasetVerdict(verdicts(0, 5), bands).verdict).toBe('ok');
    expect(datasetVerdict(verdicts(1, 4), bands)).toMatchObject({ verdict: 'warn', driftedShare: 0.2, columnsDrifted: 1, columnsTested: 5 });
    expect(datasetVerdict(verdicts(2, 3), bands).verdict).toBe('warn');
    expect(datasetVerdict(verdicts(2, 2), bands)).toMatchObject({ verdict: 'fail', driftedShare: 0.5 });
  });

  it('lets a wide dataset ignore one noisy column with warnShare', () => {
    const wide = { driftShare: 0.5, warnShare: 0.1 };
    expect(datasetVerdict(verdicts(1, 19), wide).verdict).toBe('ok');
    expect(datasetVerdict(verdicts(2, 18), wide).verdict).toBe('warn');
  });

  it('warns when a column is in its warn band even though none drifted, and is ok with nothing to test', () => {
    expect(datasetVerdict(verdicts(0, 3, 1), bands)).toMatchObject({ verdict: 'warn', columnsWarned: 1 });
    expect(datasetVerdict([], bands)).toMatchObject({ verdict: 'ok', driftedShare: 0, columnsTested: 0 });
  });
});

describe('drift options', () => {
  const issues = (input: unknown) => DriftOptions.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

  it('accepts a method with or without thresholds', () => {
    expect(issues({ columns: { a: { method: 'psi' }, b: { method: 'ks', threshold: 0.01, warnThreshold: 0.05 } } })).toBeUndefined();
  });

  it('refuses thresholds without a method, on the wrong side, or p-values of 1 and above', () => {
    expect(issues({ columns: { a: { threshold: 0.1 } } })).toEqual(['columns.a.method: name the method whose threshold this is']);
    expect(issues({ columns: { a: { method: 'psi', warnThreshold: 0.3 } } })).toEqual([
      'columns.a.warnThreshold: must lie below the drift threshold 0.2 for psi',
    ]);
    expect(issues({ columns: { a: { method: 'ks', warnThreshold: 0.01 } } })).toEqual([
      'columns.a.warnThreshold: must lie above the drift threshold 0.05 for ks',
    ]);
    expect(issues({ columns: { a: { method: 'z', threshold: 1 } } })).toEqual(['columns.a.threshold: a p-value threshold lies below 1']);
    expect(issues({ driftShare: 0.3, warnShare: 0.4 })).toEqual(['warnShare: must not exceed driftShare']);
  });

  it('must name declared, comparable columns and methods their type allows', () => {
    const rows = rowsOf('x', ['a', 'b']);
    const columns: ColumnSpecs = { x: categorical, t: { type: 'timestamp', nullable: false } };
    const compare = (columnOptions: object) => () => compareRows(rows, rows, columns, DriftOptions.parse({ columns: columnOptions }));
    expect(compare({ y: { method: 'psi' } })).toThrow('drift options: column "y" is not a declared column');
    expect(compare({ t: { method: 'psi' } })).toThrow('drift options: column "t" is a timestamp column, which is not compared');
    expect(compare({ x: { method: 'ks' } })).toThrow('drift options: column "x" is categorical, but ks needs a numeric column');
  });
});

describe('comparing datasets', () => {
  it('finds identical data stable with a p-value of 1', () => {
    const rows = rowsOf('x', range(50));
    const column = onlyColumn(compareRows(rows, rows, { x: numeric }));
    expect(column).toMatchObject({ method: 'ks', statistic: 0, pValue: 1, verdict: 'stable' });
  });

  it('finds fully separated samples drifted with the exact KS p-value 2 / C(20, 10)', () => {
    const report = compareRows(rowsOf('x', range(10)), rowsOf('x', range(10, 100)), { x: numeric });
    const column = onlyColumn(report);
    expect(column.statistic).toBe(1);
    expect(column.pValue).toBeCloseTo(2 / 184756, 15);
    expect(report.verdict).toBe('fail');
  });

  it('tests categories against the reference proportions scaled to the current size, as Evidently does', () => {
    // Reference 1:2:1 over 40 rows; current 20 rows at the same proportions: no difference at all.
    const reference = rowsOf('c', [...repeat('a', 10), ...repeat('b', 20), ...repeat('c', 10)]);
    const current = rowsOf('c', [...repeat('a', 5), ...repeat('b', 10), ...repeat('c', 5)]);
    expect(onlyColumn(compareRows(reference, current, { c: categorical }))).toMatchObject({ method: 'chisquare', statistic: 0, pValue: 1 });
  });

  it('reports an infinite chi-square (a category the reference never had) as null, and it drifts', () => {
    const reference = rowsOf('c', [...repeat('a', 10), ...repeat('b', 10), ...repeat('c', 10)]);
    const current = rowsOf('c', [...repeat('a', 10), ...repeat('b', 10), ...repeat('d', 1)]);
    expect(onlyColumn(compareRows(reference, current, { c: categorical }))).toMatchObject({ statistic: null, pValue: 0, verdict: 'drift' });
  });

  it('normalizes the Wasserstein distance of a large reference by its standard deviation', () => {
    // 0…1999 shifted by 100: every value moves 100, and σ² of n consecutive integers is (n² − 1)/12.
    const report = compareRows(rowsOf('x', range(2000)), rowsOf('x', range(2000, 100)), { x: numeric });
    const column = onlyColumn(report);
    expect(column.method).toBe('wasserstein');
    expect(column.statistic).toBeCloseTo(100 / Math.sqrt((2000 ** 2 - 1) / 12), 12);
    expect(column.verdict).toBe('drift');
    expect(column.histogram.kind).toBe('bins');
  });

  it('gives disjoint categories the largest Jensen–Shannon distance, 1, on a large reference', () => {
    const column = onlyColumn(compareRows(rowsOf('c', repeat('a', 1500)), rowsOf('c', repeat('b', 10)), { c: categorical }));
    expect(column).toMatchObject({ method: 'jensenshannon', statistic: 1, pValue: null, verdict: 'drift' });
  });

  it('computes PSI on request and warns between 0.1 and 0.2', () => {
    // Shares 0.6/0.4 against 0.4/0.6: PSI = 0.2·ln 1.5 + (−0.2)·ln(2/3) = 0.4·ln 1.5 ≈ 0.162.
    const reference = rowsOf('c', [...repeat('a', 60), ...repeat('b', 40)]);
    const current = rowsOf('c', [...repeat('a', 40), ...repeat('b', 60)]);
    const report = compareRows(reference, current, { c: categorical }, DriftOptions.parse({ columns: { c: { method: 'psi' } } }));
    const column = onlyColumn(report);
    expect(column.statistic).toBeCloseTo(0.4 * Math.log(1.5), 12);
    expect(column).toMatchObject({ method: 'psi', threshold: 0.2, warnThreshold: 0.1, verdict: 'warn' });
    expect(report.verdict).toBe('warn');
  });

  it('uses the z-test of proportions for two values and honours a per-column threshold', () => {
    // 30 % against 50 % of 100 rows each: pooled 0.4, z = −0.2/√(0.24·0.02) = −2.8868, p ≈ 0.0039.
    const reference = rowsOf('b', [...repeat(true, 30), ...repeat(false, 70)]);
    const current = rowsOf('b', [...repeat(true, 50), ...repeat(false, 50)]);
    const columns: ColumnSpecs = { b: { type: 'boolean', nullable: false } };
    const byDefault = onlyColumn(compareRows(reference, current, columns));
    expect(byDefault.method).toBe('z');
    expect(byDefault.statistic).toBeCloseTo(-0.2 / Math.sqrt(0.24 * 0.02), 12);
    expect(byDefault.verdict).toBe('drift');
    const strict = compareRows(reference, current, columns, DriftOptions.parse({ columns: { b: { method: 'z', threshold: 0.001 } } }));
    expect(onlyColumn(strict)).toMatchObject({ threshold: 0.001, verdict: 'stable' });
  });

  it('leaves nulls, NaN and infinities out of the test and reports their share', () => {
    const reference = rowsOf('x', [...range(8), null, NaN]);
    const current = rowsOf('x', [...range(8), Infinity]);
    expect(onlyColumn(compareRows(reference, current, { x: numeric }))).toMatchObject({
      compared: { reference: 8, current: 8 },
      nullShare: { reference: 0.2, current: 1 / 9 },
      pValue: 1,
    });
  });

  it('skips timestamp columns and columns with no values on one side, saying why', () => {
    const reference: Row[] = range(5).map((i) => ({ t: `2020-01-0${i + 1}T00:00:00.000Z`, x: i, c: 'a' }));
    const current: Row[] = range(5).map((i) => ({ t: `2021-01-0${i + 1}T00:00:00.000Z`, x: null, c: 'a' }));
    const report = compareRows(reference, current, { t: { type: 'timestamp', nullable: false }, x: numeric, c: categorical });
    expect(report.skipped).toEqual([
      { column: 't', type: 'timestamp', reason: 'timestamp columns are not compared' },
      { column: 'x', type: 'numeric', reason: 'no non-null values in the current data' },
    ]);
    expect(report.columns.map((c) => c.column)).toEqual(['c']);
  });

  it('refuses an empty side and a value that breaks the declared type', () => {
    expect(() => compareRows([], rowsOf('x', [1]), { x: numeric })).toThrow('drift needs rows on both sides (reference 0, current 1)');
    expect(() => compareRows(rowsOf('x', ['7']), rowsOf('x', [1]), { x: numeric })).toThrow('column "x" is declared numeric but holds "7"');
  });

  it('lists the most frequent categories and sums the rest, so an ID-like column stays small', () => {
    // Category i occurs i + 1 times on each side: the 30 most frequent are 10…39.
    const values = range(40).flatMap((i) => repeat(`k${i}`, i + 1));
    const histogram = onlyColumn(compareRows(rowsOf('c', values), rowsOf('c', values), { c: categorical })).histogram;
    if (histogram.kind !== 'categories') throw new Error('expected categories');
    expect(histogram.values).toHaveLength(REPORTED_CATEGORIES);
    expect(histogram.values).not.toContain('k9');
    expect(histogram.other).toEqual({ categories: 10, reference: 55, current: 55 });
  });

  it('produces a report that survives JSON and parses back with its schema', () => {
    const reference: Row[] = range(30).map((i) => ({ x: i % 7, y: i * 1.5, c: ['a', 'b', 'c'][i % 3] ?? null, b: i % 2 === 0 }));
    const current: Row[] = range(25).map((i) => ({ x: (i % 5) + 2, y: i * 2 + 3, c: ['a', 'b', 'd'][i % 3] ?? null, b: i % 3 === 0 }));
    const columns: ColumnSpecs = { x: { type: 'integer', nullable: false }, y: numeric, c: categorical, b: { type: 'boolean', nullable: false } };
    const report = compareRows(reference, current, columns);
    expect(DriftReport.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.columns.map((c) => c.method)).toEqual(['ks', 'ks', 'chisquare', 'z']);
  });
});
