import { describe, expect, it } from 'vitest';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { DriftOptions } from '../../lib/drift/drift-options';
import { describeSegmentDrift, segmentDrift } from '../../lib/drift/segments';

const columns: ColumnSpecs = {
  shop: { type: 'categorical', nullable: false },
  day: { type: 'timestamp', nullable: false },
  sales: { type: 'numeric', nullable: false },
};
const SHOPS = ['north', 'south', 'east', 'west', 'centre'];

/** A seeded uniform generator (Park–Miller), so each side's noise is the same on every run. */
function uniforms(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 48271) % 2147483647) / 2147483647;
}

/** 200 noisy sales per shop; `moved` shops sell `by` more. */
function sales(seed: number, moved: string[], by: number): Row[] {
  const next = uniforms(seed);
  return SHOPS.flatMap((shop) => Array.from({ length: 200 }, (_, i) => ({ shop, day: new Date(Date.UTC(2020, 0, 1 + i)).toISOString(), sales: 100 + 10 * next() + (moved.includes(shop) ? by : 0) })));
}

describe('drift per segment', () => {
  it('ranks the one shop that moved first and says the others did not', () => {
    const report = segmentDrift(frameOfRows(sales(1, [], 0), columns), frameOfRows(sales(2, ['east'], 5), columns), ['shop'], columns, { options: DriftOptions.parse({}), seed: 12 });
    expect(report.segments.map((s) => s.segment)[0]).toBe('east');
    expect(report.segments.map((s) => [s.segment, s.verdict === 'drift'])).toEqual(expect.arrayContaining(SHOPS.map((shop) => [shop, shop === 'east'])));
    expect(report.segments[0]).toMatchObject({ column: 'sales', drifted: ['sales'], rows: { reference: 200, current: 200 } });
    expect(describeSegmentDrift(report)).toBe('1 of 5 segments (shop) drifted: east');
  });

  it('corrects for the number of segments: on calm data, a segment passing its own test only warns', () => {
    const many = (seed: number) => {
      const next = uniforms(seed);
      return Array.from({ length: 20_000 }, (_, i) => ({ shop: `shop-${i % 100}`, day: new Date(Date.UTC(2020, 0, 1)).toISOString(), sales: 100 + 10 * next() }));
    };
    const report = segmentDrift(frameOfRows(many(3), columns), frameOfRows(many(4), columns), ['shop'], columns, { options: DriftOptions.parse({}), seed: 12 });
    expect(report.tests).toBe(100);
    expect(report.drifted).toBe(0);
    // Some segments pass their own 5 % test by chance, as they should on 100 tests.
    const warned = report.segments.filter((s) => s.verdict === 'warn');
    expect(warned.length).toBeGreaterThan(0);
    expect(warned.every((s) => (s.pValue as number) < 0.05 && s.drifted.length === 0)).toBe(true);
  });

  it('reports a segment missing on one side as insufficient, ranked last', () => {
    const current = sales(2, [], 0).filter((row) => row.shop !== 'west');
    const report = segmentDrift(frameOfRows(sales(1, [], 0), columns), frameOfRows(current, columns), ['shop'], columns, { options: DriftOptions.parse({}), seed: 12 });
    expect(report.segments.at(-1)).toMatchObject({ segment: 'west', verdict: 'insufficient', rows: { reference: 200, current: 0 }, column: null });
  });
});
