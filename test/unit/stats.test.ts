import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chiSquareSf, chiSquareTest } from '../../lib/stats/chi-square';
import { logGamma, regularizedGammaQ } from '../../lib/stats/gamma';
import { sturgesHistogram } from '../../lib/stats/histogram';
import { jensenShannonDistance } from '../../lib/stats/jensen-shannon';
import { kolmogorovSf } from '../../lib/stats/kolmogorov';
import { ksExactPValue } from '../../lib/stats/ks-exact';
import { ksTwoSample } from '../../lib/stats/ks-two-sample';
import { normalSf } from '../../lib/stats/normal';
import { populationStabilityIndex } from '../../lib/stats/population-stability';
import { roundHalfEven } from '../../lib/stats/round-half-even';
import { smirnovSf } from '../../lib/stats/smirnov';
import { countDistinct, standardDeviation } from '../../lib/stats/sorted-sample';
import { sum } from '../../lib/stats/sum';
import { twoProportionZTest } from '../../lib/stats/two-proportion-z';
import { wassersteinDistance } from '../../lib/stats/wasserstein';

type SampleSpec =
  | { kind: 'bell'; seed: number; n: number; loc: number; scale: number }
  | { kind: 'levels'; seed: number; n: number; levels: number; offset: number };
interface Pair {
  a: SampleSpec;
  b: SampleSpec;
}
type Point = { value: number } & Record<string, number>;
interface Reference {
  special: { logGamma: Point[]; gammaQ: Point[]; normalSf: Point[]; chiSquareSf: Point[] };
  kolmogorovSf: Point[];
  smirnovSf: Point[];
  ksExact: Point[];
  ksTwoSample: (Pair & { statistic: number; pValue: number })[];
  wasserstein: (Pair & { value: number; referenceStd: number })[];
  counts: {
    reference: number[];
    current: number[];
    jensenShannon: number;
    psi: number;
    chiSquare?: { statistic: number | 'Infinity'; pValue: number };
  }[];
  zTest: { successesA: number; trialsA: number; successesB: number; trialsB: number; statistic: number; pValue: number }[];
  histogram: (Pair & { edges: number[]; reference: number[]; current: number[] })[];
}

// Computed by SciPy 1.10 (numpy where Evidently uses it), see test/fixtures/make-drift-reference.py.
const reference = JSON.parse(readFileSync(new URL('../fixtures/drift-reference.json', import.meta.url), 'utf8')) as Reference;

/** |actual − expected| ≤ absolute + relative·|expected|. */
function expectNear(actual: number, expected: number, relative: number, absolute = 0): void {
  const tolerance = absolute + relative * Math.abs(expected);
  if (!(Math.abs(actual - expected) <= tolerance)) {
    expect.fail(`expected ${actual} to be within ${tolerance} of ${expected}`);
  }
}

/** The MINSTD generator the fixture script uses: exact in doubles, so both languages agree bit for bit. */
function uniforms(seed: number, count: number): number[] {
  const out: number[] = [];
  let x = seed;
  for (let i = 0; i < count; i++) {
    x = (48271 * x) % 2147483647;
    out.push(x / 2147483647);
  }
  return out;
}

function sorted(spec: SampleSpec): Float64Array {
  if (spec.kind === 'levels') return Float64Array.from(uniforms(spec.seed, spec.n), (u) => Math.floor(u * spec.levels) + spec.offset).sort();
  const u = uniforms(spec.seed, 4 * spec.n);
  const at = (i: number) => u[i] as number;
  return Float64Array.from({ length: spec.n }, (_, i) => spec.loc + spec.scale * (at(4 * i) + at(4 * i + 1) + at(4 * i + 2) + at(4 * i + 3) - 2)).sort();
}

const label = (p: Point) =>
  Object.entries(p)
    .filter(([k]) => k !== 'value')
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

describe('special functions against SciPy', () => {
  it.each(reference.special.logGamma)('gammaln($x)', ({ x, value }) => expectNear(logGamma(x as number), value, 1e-14, 1e-14));

  it.each(reference.special.gammaQ.map((p) => [label(p), p] as const))('gammaincc %s', (_, { a, x, value }) => {
    expectNear(regularizedGammaQ(a as number, x as number), value, 1e-10, 1e-300);
  });

  it.each(reference.special.normalSf)('norm.sf($z)', ({ z, value }) => expectNear(normalSf(z as number), value, 1e-12));

  it.each(reference.special.chiSquareSf.map((p) => [label(p), p] as const))('chi2.sf %s', (_, { x, df, value }) => {
    expectNear(chiSquareSf(x as number, df as number), value, 1e-10, 1e-300);
  });
});

describe('Kolmogorov distributions against SciPy', () => {
  it.each(reference.kolmogorovSf.map((p) => [label(p), p] as const))('kstwo.sf %s', (_, { n, x, value }) => {
    expectNear(kolmogorovSf(n as number, x as number), value, 1e-9, 1e-14);
  });

  it.each(reference.smirnovSf.map((p) => [label(p), p] as const))('smirnov %s', (_, { n, x, value }) => {
    expectNear(smirnovSf(n as number, x as number), value, 1e-9, 1e-14);
  });

  it.each(reference.ksExact.map((p) => [label(p), p] as const))('exact two-sample p-value %s', (_, { m, n, h, value }) => {
    expectNear(ksExactPValue(m as number, n as number, h as number) as number, value, 1e-9, 1e-14);
  });
});

describe('two-sample tests and distances against SciPy', () => {
  it.each(reference.ksTwoSample.map((c) => [`${c.a.n} vs ${c.b.n}`, c] as const))('ks_2samp %s', (_, c) => {
    const result = ksTwoSample(sorted(c.a), sorted(c.b));
    expectNear(result.statistic, c.statistic, 1e-12);
    expectNear(result.pValue, c.pValue, 1e-9, 1e-14);
  });

  it('chooses the exact p-value up to 10,000 values a side and the asymptotic one above, as method="auto" does', () => {
    const method = (n: number, m: number) => {
      const pair = reference.ksTwoSample.find((c) => c.a.n === n && c.b.n === m) as Pair;
      return ksTwoSample(sorted(pair.a), sorted(pair.b)).method;
    };
    expect(method(10001, 10001)).toBe('asymp');
    expect(method(1000, 3000)).toBe('exact');
  });

  it.each(reference.wasserstein.map((c) => [`${c.a.n} vs ${c.b.n}`, c] as const))('wasserstein_distance %s', (_, c) => {
    const a = sorted(c.a);
    expectNear(wassersteinDistance(a, sorted(c.b)), c.value, 1e-12);
    expectNear(standardDeviation(a), c.referenceStd, 1e-12);
  });

  it.each(reference.counts.map((c) => [c.reference.slice(0, 5).join(','), c] as const))('counts %s', (_, c) => {
    expectNear(jensenShannonDistance(c.reference, c.current), c.jensenShannon, 1e-12, 1e-15);
    expectNear(populationStabilityIndex(c.reference, c.current), c.psi, 1e-12, 1e-15);
    if (c.chiSquare === undefined) return;
    const expected = c.reference.map((r) => (r * sum(c.current)) / sum(c.reference));
    const result = chiSquareTest(c.current, expected);
    if (c.chiSquare.statistic === 'Infinity') expect(result.statistic).toBe(Infinity);
    else expectNear(result.statistic, c.chiSquare.statistic, 1e-12);
    expectNear(result.pValue, c.chiSquare.pValue, 1e-10, 1e-300);
  });

  it.each(reference.zTest.map((c) => [`${c.successesA}/${c.trialsA} vs ${c.successesB}/${c.trialsB}`, c] as const))(
    'two-proportion z-test %s',
    (_, c) => {
      const result = twoProportionZTest(c.successesA, c.trialsA, c.successesB, c.trialsB);
      expectNear(result.statistic, c.statistic, 1e-12);
      expectNear(result.pValue, c.pValue, 1e-10);
    },
  );

  it.each(reference.histogram.map((c) => [`${c.a.n} vs ${c.b.n}`, c] as const))('numpy sturges histogram %s', (_, c) => {
    const histogram = sturgesHistogram(sorted(c.a), sorted(c.b));
    expect(histogram.edges.length).toBe(c.edges.length);
    histogram.edges.forEach((edge, i) => expectNear(edge, c.edges[i] as number, 1e-15, 1e-15));
    expect(histogram.reference).toEqual(c.reference);
    expect(histogram.current).toEqual(c.current);
  });
});

describe('small helpers', () => {
  it('rounds halves to even as numpy does, which sets the effective size of an asymptotic KS test', () => {
    expect([0.5, 1.5, 2.5, 2.4, 2.6, 5000.5, 5001.5].map(roundHalfEven)).toEqual([0, 2, 2, 2, 3, 5000, 5002]);
  });

  it('counts distinct values across two sorted samples once each', () => {
    expect(countDistinct(Float64Array.of(1, 1, 2, 5), Float64Array.of(0, 2, 2, 7))).toBe(5);
    expect(countDistinct(Float64Array.of(3, 3, 3))).toBe(1);
  });

  it('gives a χ² p-value of 1 for a single category, where SciPy answers NaN', () => {
    expect(chiSquareTest([7], [7])).toEqual({ statistic: 0, pValue: 1, degreesOfFreedom: 0 });
  });

  it('scores two samples that hold only the same single category as identical in the z-test', () => {
    expect(twoProportionZTest(0, 50, 0, 60)).toEqual({ statistic: 0, pValue: 1 });
  });
});
