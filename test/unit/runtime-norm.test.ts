import { describe, expect, it } from 'vitest';
import { computeNorm, normForRun, NormPolicy, percentile, type NormSample } from '../../lib/norms/runtime-norm';

const policy = (overrides: Partial<NormPolicy> = {}) => NormPolicy.parse(overrides);
const runs = (durations: number[]): NormSample[] => durations.map((durationMs) => ({ durationMs }));

describe('runtime norm policy', () => {
  it('computes percentiles like NumPy (linear interpolation)', () => {
    // numpy.percentile([1, 2, 3, 4, 10], 95) == 8.8; 50 → 3.
    expect(percentile([10, 1, 4, 2, 3], 0.95)).toBeCloseTo(8.8, 10);
    expect(percentile([10, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([7], 0.95)).toBe(7);
  });

  it('enforces nothing until enough runs exist and no maximum is set', () => {
    const norm = computeNorm(runs([1000, 2000]), policy({ minRuns: 5 }));
    expect(norm).toMatchObject({ basis: 'none', runs: 2 });
    expect(norm.normMs).toBeUndefined();
  });

  it('applies the explicit maximum before a norm can be learned', () => {
    expect(computeNorm([], policy({ maxSeconds: 30 }))).toMatchObject({ normMs: 30_000, basis: 'explicit-max' });
  });

  it('learns p95 × factor from successful durations', () => {
    const durations = [20_000, 22_000, 21_000, 25_000, 40_000];
    // p95 = 25000 + 0.8 × 15000 = 37000; × 1.5 = 55500.
    expect(computeNorm(runs(durations), policy({ floorSeconds: 1 }))).toMatchObject({ normMs: 55_500, basis: 'learned', runs: 5 });
  });

  it('never goes below the floor, nor above the explicit maximum', () => {
    const fast = [50, 60, 55, 52, 58];
    expect(computeNorm(runs(fast), policy({ floorSeconds: 10 })).normMs).toBe(10_000);
    const slow = [100_000, 110_000, 120_000, 130_000, 140_000];
    expect(computeNorm(runs(slow), policy({ floorSeconds: 1, maxSeconds: 60 })).normMs).toBe(60_000);
  });

  it('learns the quiet equivalent of each run at the largest size learned from', () => {
    // 1 s on 1,000 rows counts as 2 s at 2,000 rows; 4 s under 2 compute jobs per core counts as 2 s.
    const samples: NormSample[] = [
      { durationMs: 1_000, rows: 1_000 },
      { durationMs: 2_000, rows: 2_000 },
      { durationMs: 4_000, rows: 2_000, contention: 2 },
    ];
    const norm = computeNorm(samples, policy({ minRuns: 3, floorSeconds: 0, factor: 1.5 }));
    expect(norm).toMatchObject({ basis: 'learned', perRows: 2_000, normMs: 3_000 });
  });

  it('holds each run to the norm for its own rows and load, never below the floor nor above the maximum', () => {
    const norm = computeNorm([{ durationMs: 1_000, rows: 1_000 }], policy({ minRuns: 1, floorSeconds: 0, factor: 2 }));
    expect(normForRun(norm, 1_000, 1)?.normMs).toBe(2_000);
    expect(normForRun(norm, 500, 1)?.normMs).toBe(2_000);
    expect(normForRun(norm, 10_000, 1)?.normMs).toBe(20_000);
    expect(normForRun(norm, 1_000, 10)?.normMs).toBe(20_000);
    expect(normForRun(norm, 10_000, 10)?.explanation).toMatch(/× 10\.00 for 10000 rows × 10\.00 for 10\.00 compute jobs per core → 200\.0 s/);
    const capped = computeNorm([{ durationMs: 1_000, rows: 1_000 }], policy({ minRuns: 1, floorSeconds: 5, maxSeconds: 30 }));
    expect(normForRun(capped, 1_000, 1)?.normMs).toBe(5_000);
    expect(normForRun(capped, 1_000_000, 1)?.normMs).toBe(30_000);
    expect(normForRun(computeNorm([], policy({ maxSeconds: 3 })), 1_000_000, 20)?.normMs).toBe(3_000);
    expect(normForRun(computeNorm([], policy()), 10, 1)).toBeUndefined();
  });

  it('refuses nonsense policies with the field named', () => {
    const result = NormPolicy.safeParse({ factor: 0.5, percentile: 2 });
    expect(result.error?.issues.map((i) => i.path[0]).sort()).toEqual(['factor', 'percentile']);
  });
});
