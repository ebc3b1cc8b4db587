import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import { contentDigest, SnapshotHasher } from '../../lib/data/digest';
import { atLogicalDate, rowPredicate } from '../../lib/data/row-filter';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';

const COLUMNS: ColumnSpecs = {
  symbol: { type: 'categorical', nullable: false },
  date: { type: 'timestamp', nullable: false },
  price: { type: 'numeric', nullable: true },
  up: { type: 'boolean', nullable: false },
};

function refusedAt(where: unknown, columns: ColumnSpecs = COLUMNS): string[] {
  const result = PipelineSpec.safeParse({
    name: 'stocks',
    source: { kind: 'file', path: 'stocks.csv', where },
    columns,
    timeColumn: 'date',
    target: 'price',
    features: { targetLags: [1] },
    model: { name: 'stocks', trainer: 'ridge' },
  });
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('row filters (source.where)', () => {
  it('accepts ranges typed by their column and values of a categorical column', () => {
    expect(refusedAt([{ column: 'date', from: '2010-01-01', to: '2015-12-31' }, { column: 'symbol', in: ['AAPL', 'MSFT'] }, { column: 'price', from: 10 }])).toEqual([]);
  });

  it('refuses a filter on an undeclared column, a bound of the wrong type and a list on a range column, naming the field', () => {
    expect(refusedAt([{ column: 'volume', from: 1 }])).toEqual(['source.where.0.column: column "volume" is not declared in columns']);
    expect(refusedAt([{ column: 'date', from: 2010 }])).toEqual(['source.where.0.from: an ISO date such as 2015-12-31, or "logicalDate"']);
    expect(refusedAt([{ column: 'price', to: 'high' }])).toEqual(['source.where.0.to: a number for the numeric column "price"']);
    expect(refusedAt([{ column: 'price', in: ['1'] }])).toEqual(['source.where.0.in: in lists values of a categorical or boolean column; "price" is numeric: give from/to']);
    expect(refusedAt([{ column: 'up', in: ['yes'] }])).toEqual(['source.where.0.in: "yes" is not a value of the boolean column "up" ("true", "false")']);
    expect(refusedAt([{ column: 'up', from: 1 }])).toEqual(['source.where.0.from: a boolean column has no range: give in']);
    expect(refusedAt([{ column: 'symbol' }])).toEqual(['source.where.0: give from and/or to (a range), or in (a list of values)']);
    expect(refusedAt([{ column: 'date', from: '2016-01-01', to: '2015-12-31' }])).toEqual(['source.where.0.from: from 2016-01-01 is after to 2015-12-31: no row would be kept']);
    expect(refusedAt([{ column: 'price', from: 20, to: 10 }])).toEqual(['source.where.0.from: from 20 is after to 10: no row would be kept']);
    // A value the column's declared values do not hold would keep none of its rows: a typo, refused.
    const listed = { ...COLUMNS, symbol: { type: 'categorical' as const, nullable: false, values: ['AAPL', 'MSFT'] } };
    expect(refusedAt([{ column: 'symbol', in: ['AAPL', 'MSTF'] }], listed)).toEqual(['source.where.0.in: "MSTF" is not a value of the categorical column "symbol" ("AAPL", "MSFT")']);
    expect(refusedAt([{ column: 'symbol', in: ['MSFT'] }], listed)).toEqual([]);
    // A date as `to` covers its day: from that day's noon to the day is a range.
    expect(refusedAt([{ column: 'date', from: '2015-12-31T12:00:00Z', to: '2015-12-31' }])).toEqual([]);
    expect(refusedAt([{ column: 'symbol', in: ['A'], like: 'A%' }])[0]).toMatch(/^source\.where\.0: Unrecognized key/);
  });

  it('keeps a row only when every filter holds; a date as `to` covers its whole day; null meets none', () => {
    const keep = rowPredicate([{ column: 'date', from: '2010-01-01', to: '2015-12-31' }, { column: 'symbol', in: ['AAPL', 'MSFT'] }], COLUMNS);
    const at = (text: string) => Date.parse(text);
    expect(keep?.(['AAPL', at('2010-01-01T00:00:00Z'), 1, true])).toBe(true);
    expect(keep?.(['MSFT', at('2015-12-31T23:59:59.999Z'), 1, true])).toBe(true);
    expect(keep?.(['MSFT', at('2016-01-01T00:00:00Z'), 1, true])).toBe(false);
    expect(keep?.(['MSFT', at('2009-12-31T23:59:59Z'), 1, true])).toBe(false);
    expect(keep?.(['IBM', at('2012-06-01T00:00:00Z'), 1, true])).toBe(false);
    const priced = rowPredicate([{ column: 'price', from: 10, to: 20 }], COLUMNS);
    expect([10, 20, 9.99, 20.01, null].map((price) => priced?.(['A', 0, price, true]))).toEqual([true, true, false, false, false]);
    expect(rowPredicate(undefined, COLUMNS)).toBeUndefined();
    // A boolean column, as the message for a range on one says: filtered by "in".
    expect(refusedAt([{ column: 'up', in: ['true'] }])).toEqual([]);
    const up = rowPredicate([{ column: 'up', in: ['true'] }], COLUMNS);
    expect([true, false, null].map((value) => up?.(['A', 0, 1, value]))).toEqual([true, false, false]);
  });

  it('makes the filter part of the snapshot digest, leaving unfiltered digests as they were', () => {
    const digestOf = (where?: unknown) => {
      const hasher = new SnapshotHasher('schema', where);
      hasher.addRows(Buffer.from('1\tAAPL\n'));
      return hasher.digest();
    };
    // Without a filter the digest keeps the form it had before filters: stored snapshots are found again.
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(digestOf()).toBe(contentDigest({ version: 1, schema: 'schema', rows: sha('1\tAAPL\n'), quarantine: sha('') }));
    expect(digestOf([{ column: 'symbol', in: ['AAPL'] }])).not.toBe(digestOf());
    expect(digestOf([{ column: 'symbol', in: ['AAPL'] }])).not.toBe(digestOf([{ column: 'symbol', in: ['AAPL', 'MSFT'] }]));
  });

  it('reads a "logicalDate" bound as the run\'s logical date, and as no bound for a run started by hand', () => {
    expect(refusedAt([{ column: 'date', to: 'logicalDate' }])).toEqual([]);
    expect(refusedAt([{ column: 'price', to: 'logicalDate' }])).toEqual(['source.where.0.to: a number for the numeric column "price"']);
    const where = [{ column: 'date', from: '2010-01-01', to: 'logicalDate' }, { column: 'symbol', in: ['AAPL'] }];
    expect(atLogicalDate(where, '2012-06-01T01:00:00.000Z')).toEqual([{ column: 'date', from: '2010-01-01', to: '2012-06-01T01:00:00.000Z' }, { column: 'symbol', in: ['AAPL'] }]);
    expect(atLogicalDate(where, undefined)).toEqual([{ column: 'date', from: '2010-01-01' }, { column: 'symbol', in: ['AAPL'] }]);
    expect(atLogicalDate(undefined, '2012-06-01T01:00:00.000Z')).toBeUndefined();
    const keep = rowPredicate(atLogicalDate([{ column: 'date', to: 'logicalDate' }], '2012-06-01T01:00:00.000Z'), COLUMNS);
    expect(keep?.(['A', Date.parse('2012-06-01T01:00:00Z'), 1, true])).toBe(true);
    expect(keep?.(['A', Date.parse('2012-06-01T01:00:01Z'), 1, true])).toBe(false);
  });
});
