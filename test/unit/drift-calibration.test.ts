import { beforeAll, describe, expect, it } from 'vitest';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import type { Row } from '../../lib/data/typed-row';
import { DriftOptions } from '../../lib/drift/drift-options';
import type { ColumnDrift, DriftReport } from '../../lib/drift/drift-report';
import { comparePredictions } from '../../lib/drift/prediction-drift';
import { standardDeviation } from '../../lib/stats/sorted-sample';
import { asRows, failRate, normals } from '../support/drift-batches';
import { loadSeattleWeather } from '../support/vega-data';
import { compareRows } from '../support/drift-frames';

const numeric: ColumnSpecs = { x: { type: 'numeric', nullable: true } };

function onlyColumn(report: DriftReport): ColumnDrift {
  expect(report.columns).toHaveLength(1);
  return report.columns[0] as ColumnDrift;
}

describe('calm batches and real shifts on Seattle temperatures (20-row batches)', () => {
  let temperatures: number[] = [];
  let oneSd = 0;
  beforeAll(async () => {
    const { rows } = await loadSeattleWeather();
    temperatures = rows.map((row) => row.temp_max as number);
    oneSd = standardDeviation(Float64Array.from(temperatures));
  });

  // Binned distances lose power on 20 values (a 1-SD shift moves a few values between ~11 bins).
  it.each([
    { name: 'the default (Wasserstein on 1,461 reference rows)', columns: {}, detects: 0.8 },
    { name: 'Jensen–Shannon over the Sturges bins', columns: { x: { method: 'jensenshannon' } }, detects: 0.6 },
    { name: 'PSI over the Sturges bins', columns: { x: { method: 'psi' } }, detects: 0.5 },
    { name: 'Kolmogorov–Smirnov (a p-value: sized already, not calibrated)', columns: { x: { method: 'ks' } }, detects: 0.8 },
  ])('$name: at most ~5 % of calm batches fail, and a 1-SD shift fails in most', ({ name, columns, detects }) => {
    const options = DriftOptions.parse({ columns });
    const calm = failRate(temperatures, 0, options);
    const shifted = failRate(temperatures, oneSd, options);
    console.log(`${name}: ${calm * 100} % of 200 calm batches fail; ${shifted * 100} % of 1-SD shifts detected`);
    expect(calm).toBeLessThanOrEqual(0.06);
    expect(shifted).toBeGreaterThanOrEqual(detects);
  });

  it('fails almost every calm batch with the fixed 0.1 threshold: the behaviour calibration replaces', () => {
    expect(failRate(temperatures, 0, DriftOptions.parse({ calibration: false }))).toBeGreaterThanOrEqual(0.9);
  });
});

describe('what a distance means at the current sample size', () => {
  const reference = asRows(normals(20_000, 1));

  it('raises the threshold of a small sample to what noise reaches, and says so', () => {
    const column = onlyColumn(compareRows(reference, asRows(normals(21, 2)), numeric));
    const calibration = column.calibration;
    expect(column.method).toBe('wasserstein');
    expect(calibration).toMatchObject({ sampleSize: 21, replicates: 200 });
    if (calibration === undefined) throw new Error('expected a calibration');
    expect(calibration.typical).toBeLessThan(calibration.warnFrom);
    expect(calibration.warnFrom).toBeLessThan(calibration.driftFrom);
    // Noise alone at 21 values: a normed Wasserstein distance of about 0.2 is ordinary.
    expect(calibration.typical).toBeGreaterThan(0.1);
    expect(column.threshold).toBe(calibration.driftFrom);
    expect(column.warnThreshold).toBeNull();
    expect(column.verdict).toBe('stable');
    expect(calibration.meaning).toMatch(/^0\.\d+ is typical noise at 21 values; drift from 0\.\d+ \(noise alone reaches it in 1 % of samples\)$/);
  });

  it('keeps the conventional threshold for a large sample, where noise is small, and says that too', () => {
    const column = onlyColumn(compareRows(reference, asRows(normals(8000, 3)), numeric));
    expect(column.threshold).toBe(0.1);
    expect(column.calibration?.driftFrom).toBeLessThan(0.1);
    expect(column.calibration?.meaning).toContain("drift from 0.1, the method's usual threshold");
  });

  it('shrinks the noise as √(1/n + 1/N) for Wasserstein, also past the largest replicate draw', () => {
    const typical = (n: number) => onlyColumn(compareRows(reference, asRows(normals(n, 4)), numeric)).calibration?.typical as number;
    const expectedRatio = (a: number, b: number) => Math.sqrt((1 / a + 1 / reference.length) / (1 / b + 1 / reference.length));
    // 40 → 4,000 values: about a tenth of the noise (within bootstrap error).
    expect(Math.abs(typical(40) / typical(4000) / expectedRatio(40, 4000) - 1)).toBeLessThan(0.15);
    // 2,000 values are drawn for 5,000 and for 20,000, then scaled; a current as large as its reference adds its own √(1/N).
    expect(Math.abs(typical(20_000) / typical(5000) / expectedRatio(20_000, 5000) - 1)).toBeLessThan(0.05);
  });

  it('keeps a warn band for PSI, above the conventional 0.1 and below the drift threshold', () => {
    const column = onlyColumn(compareRows(reference, asRows(normals(30, 5)), numeric, DriftOptions.parse({ columns: { x: { method: 'psi' } } })));
    expect(column.warnThreshold).toBeGreaterThanOrEqual(0.1);
    expect(column.warnThreshold).toBeLessThan(column.threshold);
    expect(column.warnThreshold).toBe(Math.max(0.1, column.calibration?.warnFrom as number));
  });

  it('leaves p-values alone: they already account for the sample size', () => {
    const column = onlyColumn(compareRows(reference, asRows(normals(21, 2)), numeric, DriftOptions.parse({ columns: { x: { method: 'ks' } } })));
    expect(column).toMatchObject({ threshold: 0.05, warnThreshold: null });
    expect(column.calibration).toBeUndefined();
  });

  it('is deterministic for a seed, and calibration: false restores the fixed thresholds', () => {
    const current = asRows(normals(21, 6));
    expect(compareRows(reference, current, numeric, undefined, { seed: 9 })).toEqual(compareRows(reference, current, numeric, undefined, { seed: 9 }));
    const fixed = compareRows(reference, current, numeric, DriftOptions.parse({ calibration: false }));
    expect(onlyColumn(fixed)).toMatchObject({ threshold: 0.1, verdict: 'drift' });
    expect(onlyColumn(fixed).calibration).toBeUndefined();
    expect(fixed.multivariate).toBeUndefined();
  });

  it('calibrates prediction drift with the same rules', () => {
    const prediction = comparePredictions(normals(20_000, 7), normals(21, 8), {});
    expect(prediction).toMatchObject({ method: 'wasserstein', verdict: 'stable', calibration: { sampleSize: 21 } });
  });
});

describe('a minimum sample', () => {
  const reference = asRows(normals(2000, 11));
  // Far outside the reference: with enough values this drifts whatever the method.
  const far = (count: number) => asRows(normals(count, 12, 50));

  it('makes a column insufficient below minSamples, however far it moved, and never counts it as tested', () => {
    const report = compareRows(reference, far(9), numeric);
    expect(onlyColumn(report)).toMatchObject({ verdict: 'insufficient', compared: { reference: 2000, current: 9 } });
    expect(onlyColumn(report).calibration).toBeUndefined();
    expect(report).toMatchObject({ verdict: 'ok', columnsTested: 0, columnsInsufficient: 1, columnsDrifted: 0, driftedShare: 0, minSamples: 10 });
    expect(onlyColumn(compareRows(reference, far(10), numeric)).verdict).toBe('drift');
  });

  it('counts non-null values, and follows a declared minSamples', () => {
    const withNulls: Row[] = [...far(12), ...Array.from({ length: 20 }, () => ({ x: null }))];
    expect(onlyColumn(compareRows(reference, withNulls, numeric)).verdict).toBe('drift');
    expect(onlyColumn(compareRows(reference, withNulls, numeric, DriftOptions.parse({ minSamples: 13 }))).verdict).toBe('insufficient');
  });

  it('applies to p-value tests and prediction drift too', () => {
    const ks = DriftOptions.parse({ columns: { x: { method: 'ks' } } });
    expect(onlyColumn(compareRows(reference, far(5), numeric, ks))).toMatchObject({ method: 'ks', verdict: 'insufficient' });
    expect(comparePredictions(normals(100, 13), normals(5, 14, 50), {})).toMatchObject({ verdict: 'insufficient' });
  });

  it('counts the other columns without the insufficient ones', () => {
    const columns: ColumnSpecs = { x: { type: 'numeric', nullable: true }, y: { type: 'numeric', nullable: true } };
    const ref = normals(2000, 15).map((x, i) => ({ x, y: i % 7 }));
    const current = normals(40, 16, 50).map((x, i) => ({ x, y: i < 5 ? i % 7 : null }));
    const report = compareRows(ref, current, columns);
    expect(report.columns.map((c) => [c.column, c.verdict])).toEqual([
      ['x', 'drift'],
      ['y', 'insufficient'],
    ]);
    expect(report).toMatchObject({ verdict: 'fail', columnsTested: 1, columnsDrifted: 1, columnsInsufficient: 1, driftedShare: 1 });
  });
});
