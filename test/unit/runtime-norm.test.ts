import { describe, expect, it } from 'vitest';
import { computeNorm, NormPolicy, percentile } from '../../lib/norms/runtime-norm';

const policy = (overrides: Partial<NormPolicy> = {}) => NormPolicy.parse(overrides);

describe('runtime norm policy', () => {
  it('computes percentiles like NumPy (linear interpolation)', () => {
    // numpy.percentile([1, 2, 3, 4, 10], 95) == 8.8; 50 → 3.
    expect(percentile([10, 1, 4, 2, 3], 0.95)).toBeCloseTo(8.8, 10);
    expect(percentile([10, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([7], 0.95)).toBe(7);
  });

  it('enforces nothing until enough runs exist and no maximum is set', () => {
    const norm = computeNorm([1000, 2000], policy({ minRuns: 5 }));
    expect(norm).toMatchObject({ basis: 'none', runs: 2 });
    expect(norm.normMs).toBeUndefined();
  });

  it('applies the explicit maximum before a norm can be learned', () => {
    expect(computeNorm([], policy({ maxSeconds: 30 }))).toMatchObject({ normMs: 30_000, basis: 'explicit-max' });
  });

  it('learns p95 × factor from successful durations', () => {
    const durations = [20_000, 22_000, 21_000, 25_000, 40_000];
    // p95 = 25000 + 0.8 × 15000 = 37000; × 1.5 = 55500.
    expect(computeNorm(durations, policy({ floorSeconds: 1 }))).toMatchObject({ normMs: 55_500, basis: 'learned', runs: 5 });
  });

  it('never goes below the floor, nor above the explicit maximum', () => {
    const fast = [50, 60, 55, 52, 58];
    expect(computeNorm(fast, policy({ floorSeconds: 10 })).normMs).toBe(10_000);
    const slow = [100_000, 110_000, 120_000, 130_000, 140_000];
    expect(computeNorm(slow, policy({ floorSeconds: 1, maxSeconds: 60 })).normMs).toBe(60_000);
  });

  it('refuses nonsense policies with the field named', () => {
    const result = NormPolicy.safeParse({ factor: 0.5, percentile: 2 });
    expect(result.error?.issues.map((i) => i.path[0]).sort()).toEqual(['factor', 'percentile']);
  });
});
