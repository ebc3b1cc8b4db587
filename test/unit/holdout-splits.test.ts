import { describe, expect, it } from 'vitest';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { splitFrom } from '../../lib/evaluation/holdout';
import { planTraining } from '../../lib/model/model-artifact';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';

const COLUMNS: ColumnSpecs = {
  sold: { type: 'timestamp', nullable: false },
  size: { type: 'numeric', nullable: false },
  split: { type: 'categorical', nullable: true },
  rooms: { type: 'integer', nullable: false },
  price: { type: 'numeric', nullable: false },
};

/** Forty houses, sold on shuffled days of 2020; every fourth marked "test", one unmarked (null). */
function houses(): Row[] {
  return Array.from({ length: 40 }, (_, i) => ({
    sold: new Date(Date.UTC(2020, 0, 1 + ((i * 17) % 40))).toISOString(),
    size: i % 9,
    split: i === 5 ? null : i % 4 === 0 ? 'test' : 'train',
    rooms: 1 + (i % 3),
    price: 100 + 10 * (i % 9) + (i % 2),
  }));
}

function spec(holdout: Record<string, unknown>, changes: Record<string, unknown> = {}) {
  return {
    name: 'houses',
    source: { kind: 'file', path: 'houses.csv' },
    columns: COLUMNS,
    kind: 'cross-sectional',
    timeColumn: 'sold',
    target: 'price',
    features: { columns: ['size'] },
    model: { name: 'houses', trainer: 'ridge' },
    evaluation: { holdout },
    ...changes,
  };
}

function refusedAt(holdout: Record<string, unknown>, changes: Record<string, unknown> = {}): string[] {
  const result = PipelineSpec.safeParse(spec(holdout, changes));
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('holdout by a declared column', () => {
  it('holds out exactly the rows the column marks, and the evaluation finds them again by the stored key', () => {
    const rows = houses();
    const frame = frameOfRows(rows, COLUMNS);
    const planned = planTraining(frame, PipelineSpec.parse(spec({ column: 'split', value: 'test' })));
    // Examples are in time order: row t of the examples is the t-th sale. Map back through the times.
    const marked = (at: string) => rows.find((row) => row.sold === at)?.split;
    expect(planned.test.at.map(marked)).toEqual(planned.test.at.map(() => 'test'));
    expect(planned.test.y).toHaveLength(10);
    // The null row and the "train" rows are trained on.
    expect(planned.train.y).toHaveLength(30);
    expect(planned.train.at.map(marked).filter((s) => s === 'test')).toEqual([]);
    expect(planned.holdoutKey).toBe('~column ["split","test"]');
    const again = splitFrom({ featureNames: planned.train.featureNames, ...joined(planned) }, planned.holdoutKey as string, { frame, plan: planned.plan });
    expect(again.test.at).toEqual(planned.test.at);
    expect(again.train.at).toEqual(planned.train.at);
  });

  it('refuses a split that marks no row, naming the holdout', () => {
    const frame = frameOfRows(houses(), COLUMNS);
    expect(() => planTraining(frame, PipelineSpec.parse(spec({ column: 'split', value: 'validation' })))).toThrow(/holdout of the rows where split is validation: 40 to train, 0 held out/);
  });

  it('refuses a bad holdout at load, naming the field', () => {
    expect(refusedAt({ column: 'missing', value: 'test' })).toEqual(['evaluation.holdout.column: column "missing" is not declared in columns']);
    expect(refusedAt({ column: 'rooms', value: '2' })).toEqual(['evaluation.holdout.column: rows are marked by a categorical or boolean column; "rooms" is integer']);
    expect(refusedAt({ column: 'split' })).toEqual(['evaluation.holdout.value: a holdout by column gives both column and value']);
    // A value the column cannot hold would hold out nothing: refused at load, not after the data is read.
    const listed = { columns: { ...COLUMNS, split: { type: 'categorical', nullable: true, values: ['train', 'test'] } } };
    expect(refusedAt({ column: 'split', value: 'tset' }, listed)).toEqual(['evaluation.holdout.value: "tset" is not a value of the categorical column "split" ("train", "test")']);
    expect(refusedAt({ column: 'split', value: 'test' }, listed)).toEqual([]);
    const flagged = { columns: { ...COLUMNS, held: { type: 'boolean', nullable: false } } };
    expect(refusedAt({ column: 'held', value: 'yes' }, flagged)).toEqual(['evaluation.holdout.value: "yes" is not a value of the boolean column "held" ("true", "false")']);
    expect(refusedAt({ column: 'held', value: 'true' }, flagged)).toEqual([]);
    expect(refusedAt({ fraction: 0.2, column: 'split', value: 'test' })[0]).toMatch(/^evaluation.holdout: give either fraction/);
    expect(refusedAt({ from: '2020-01-20', seed: 3 })).toEqual(['evaluation.holdout.seed: a seed draws a random share: it goes with fraction']);
    expect(refusedAt({ column: 'split', value: 'test' }, { kind: 'time-series' })).toEqual([
      'evaluation.holdout.column: a time-series holdout is the newest examples (fraction or from): a holdout by column is for kind "cross-sectional"',
    ]);
    expect(refusedAt({ from: '2020-01-20' }, { timeColumn: undefined })).toEqual(['evaluation.holdout.from: a holdout by date needs a timeColumn']);
  });
});

describe('holdout by date on cross-sectional data', () => {
  it('holds out the rows from the date on, trains on the older ones, and is found again by its first time', () => {
    const rows = houses();
    const frame = frameOfRows(rows, COLUMNS);
    const planned = planTraining(frame, PipelineSpec.parse(spec({ from: '2020-01-31' })));
    const from = Date.parse('2020-01-31T00:00:00Z');
    const later = rows.filter((row) => Date.parse(row.sold as string) >= from);
    expect(planned.test.y).toHaveLength(later.length);
    expect(planned.test.at.every((at) => Date.parse(at) >= from)).toBe(true);
    expect(planned.train.at.every((at) => Date.parse(at) < from)).toBe(true);
    // Each example is its own row's price (cross-sectional: no horizon).
    expect(planned.test.y).toEqual(planned.test.at.map((at) => rows.find((row) => row.sold === at)?.price));
    const again = splitFrom({ featureNames: planned.train.featureNames, ...joined(planned) }, planned.test.at[0] as string);
    expect(again.test.at).toEqual(planned.test.at);
  });
});

/** Training and holdout examples back together, in time order (as `buildExamples` makes them). */
function joined({ train, test }: ReturnType<typeof planTraining>) {
  const order = [...train.at.map((at, i) => ['train', i, at] as const), ...test.at.map((at, i) => ['test', i, at] as const)].sort((a, b) => a[2].localeCompare(b[2]));
  const from = (part: string) => (part === 'train' ? train : test);
  return {
    x: order.map(([part, i]) => from(part).x[i] as number[]),
    y: order.map(([part, i]) => from(part).y[i] as number),
    at: order.map(([, , at]) => at),
    row: order.map(([part, i]) => from(part).row[i] as number),
  };
}
