import { describe, expect, it } from 'vitest';
import { CategoricalAccumulator } from '../../lib/data/profile/categorical-accumulator';
import { NumericAccumulator } from '../../lib/data/profile/numeric-accumulator';
import { Reservoir } from '../../lib/data/profile/reservoir';
import { TopValues } from '../../lib/data/profile/top-values';

describe('numeric column profiles', () => {
  it('match NumPy on 1…100 with nulls: mean, sample std, type-7 quantiles, histogram', () => {
    const acc = new NumericAccumulator('numeric');
    for (let i = 1; i <= 100; i += 1) acc.add(i);
    acc.add(null);
    const profile = acc.finish();
    // numpy: np.mean(x), np.std(x, ddof=1), np.quantile(x, qs)
    expect(profile).toMatchObject({ count: 100, nulls: 1, min: 1, max: 100, mean: 50.5, sampled: false });
    expect(profile.std).toBeCloseTo(29.011491975882016, 12);
    expect(profile.quantiles).toEqual([
      { q: 0.01, value: 1.99 },
      { q: 0.05, value: 5.95 },
      { q: 0.25, value: 25.75 },
      { q: 0.5, value: 50.5 },
      { q: 0.75, value: 75.25 },
      { q: 0.95, value: 95.05 },
      { q: 0.99, value: 99.01 },
    ].map(({ q, value }) => ({ q, value: expect.closeTo(value, 10) })));
    expect(profile.histogram).toHaveLength(20);
    expect(profile.histogram.every((bin) => bin.count === 5)).toBe(true);
    expect(profile.histogram.at(-1)?.upper).toBe(100);
  });

  it('stays exact in its moments and close in its quantiles past the sample size, in constant memory', () => {
    const acc = new NumericAccumulator('numeric');
    const n = 200_000;
    for (let i = 0; i < n; i += 1) acc.add(i % 1000);
    const profile = acc.finish();
    expect(profile.sampled).toBe(true);
    expect(profile.mean).toBeCloseTo(499.5, 9);
    expect(profile.histogram.reduce((sum, bin) => sum + bin.count, 0)).toBe(n);
    const median = profile.quantiles.find((q) => q.q === 0.5)?.value as number;
    expect(Math.abs(median - 499.5)).toBeLessThan(25);
  });

  it('has no statistics for a column of nulls', () => {
    const acc = new NumericAccumulator('integer');
    acc.add(null);
    expect(acc.finish()).toMatchObject({ count: 0, nulls: 1, min: null, mean: null, std: null, quantiles: [], histogram: [] });
  });
});

describe('categorical column profiles', () => {
  it('count values exactly while few, most frequent first, ties by value', () => {
    const acc = new CategoricalAccumulator('categorical');
    for (const v of ['b', 'a', 'b', null, 'c', 'a', 'b']) acc.add(v);
    expect(acc.finish()).toEqual({
      kind: 'categorical', type: 'categorical', count: 6, nulls: 1, distinct: 3, topExact: true,
      top: [{ value: 'b', count: 3 }, { value: 'a', count: 2 }, { value: 'c', count: 1 }],
    });
  });

  it('keep the heavy hitters of a high-cardinality stream in bounded memory', () => {
    const top = new TopValues(10);
    for (let i = 0; i < 10_000; i += 1) top.add(i % 3 === 0 ? 'frequent' : `rare-${i}`);
    expect(top.isExact).toBe(false);
    expect(top.distinct).toBeNull();
    expect(top.top(1)[0]?.value).toBe('frequent');
  });
});

describe('the reservoir', () => {
  it('is deterministic and roughly uniform', () => {
    const fill = () => {
      const r = new Reservoir(1_000);
      for (let i = 0; i < 100_000; i += 1) r.add(i);
      return r.sorted();
    };
    const sample = fill();
    expect(sample).toEqual(fill());
    const belowHalf = sample.filter((v) => v < 50_000).length;
    expect(belowHalf).toBeGreaterThan(430);
    expect(belowHalf).toBeLessThan(570);
  });
});
