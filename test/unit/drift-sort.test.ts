import { describe, expect, it } from 'vitest';
import { sortNumbers } from '../../lib/stats/radix-sort';
import { mulberry32 } from '../../lib/stats/mulberry32';

/** Seeded values over many magnitudes and both signs, with repeats and the values a sort can get wrong. */
function awkwardValues(count: number, seed: number): Float64Array {
  const random = mulberry32(seed);
  const values = Float64Array.from({ length: count }, () => (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20));
  const special = [-0, 0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE, 1, -1, 1, 100.25];
  special.forEach((value, i) => (values[(i * 7919) % count] = value));
  return values;
}

function expectSortedLikeBuiltIn(values: Float64Array): void {
  const expected = values.slice().sort();
  expect(Array.from(sortNumbers(values), (v) => (Object.is(v, -0) ? '-0' : v))).toEqual(Array.from(expected, (v) => (Object.is(v, -0) ? '-0' : v)));
}

describe("the drift report's sort", () => {
  it('orders numbers exactly as Float64Array.prototype.sort does (−0 before +0), small and large', () => {
    for (const [count, seed] of [[100, 1], [5000, 2], [100_003, 3]] as const) expectSortedLikeBuiltIn(awkwardValues(count, seed));
  });

  it('sorts a view in place without touching the rest of its buffer, and values that share digits', () => {
    const buffer = awkwardValues(20_000, 4);
    const before = buffer.slice(0, 3);
    const view = buffer.subarray(3, 19_000);
    const expected = view.slice().sort();
    sortNumbers(view);
    expect(view).toEqual(expected);
    expect(buffer.subarray(0, 3)).toEqual(before);
    expectSortedLikeBuiltIn(Float64Array.from({ length: 10_000 }, (_, i) => 100 + (i % 3)));
    expectSortedLikeBuiltIn(new Float64Array(10_000).fill(-2.5));
  });
});
