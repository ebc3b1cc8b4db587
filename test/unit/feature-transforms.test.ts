import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import type { Row } from '../../lib/data/typed-row';
import { buildExamples, buildFeatureColumns, buildFeatures, lookbackOf, type FeaturePlan } from '../../lib/model/features';
import { planTraining } from '../../lib/model/model-artifact';
import { describeTransforms } from '../../lib/model/transforms/describe-transforms';
import { columnsReadBy } from '../../lib/serving/check-batch';
import { prepareBatch } from '../../lib/serving/prepare-batch';
import { FeatureSpec, PipelineSpec } from '../../lib/spec/pipeline-spec';

/** Two shops' daily sales and prices, their rows interleaved; sales encode the shop and the day (shop · 1000 + day). */
const columns: ColumnSpecs = {
  day: { type: 'timestamp', nullable: false },
  shop: { type: 'categorical', nullable: false },
  sales: { type: 'numeric', nullable: false },
  price: { type: 'numeric', nullable: false },
  note: { type: 'categorical', nullable: true },
};
function shops(days = 10): Row[] {
  const rows: Row[] = [];
  for (let d = 0; d < days; d += 1) {
    for (const [s, shop] of ['north', 'south'].entries()) {
      rows.push({ day: new Date(Date.UTC(2021, 0, d + 1)).toISOString(), shop, sales: (s + 1) * 1000 + d, price: 2 + ((d * 3 + s) % 5), note: null });
    }
  }
  return rows;
}

function plan(features: z.input<typeof FeatureSpec>, more: Partial<FeaturePlan> = {}): FeaturePlan {
  return { target: 'sales', timeColumn: 'day', horizon: 1, features: FeatureSpec.parse(features), categories: {}, ...more };
}

/** Each built row's features by name, with the row's shop and day. */
function featuresByName(rows: Row[], p: FeaturePlan) {
  const built = buildFeatures(frameOfRows(rows, columns), p);
  const inOrder = [...rows].sort((a, b) => String(a.shop).localeCompare(String(b.shop)) || String(a.day).localeCompare(String(b.day)));
  return built.x.map((x, i) => ({
    source: (p.groupBy ? inOrder : rows)[built.row[i] as number] as Row,
    value: Object.fromEntries(built.featureNames.map((name, j) => [name, x[j] as number])),
  }));
}

describe('derived columns', () => {
  it('compute log, log1p, ratio, difference and clip row by row, named by op and column unless named', () => {
    const rows = shops().filter((row) => row.shop === 'north');
    const p = plan({
      derived: [
        { op: 'log', column: 'sales', name: 'log_sales' },
        { op: 'log1p', column: 'price' },
        { op: 'ratio', columns: ['sales', 'price'] },
        { op: 'difference', columns: ['sales', 'price'] },
        { op: 'clip', column: 'price', min: 3, max: 5 },
      ],
    });
    const built = featuresByName(rows, p);
    expect(Object.keys(built[0]?.value ?? {})).toEqual(['log_sales', 'log1p_price', 'sales_per_price', 'sales_minus_price', 'clip_price']);
    expect(built).toHaveLength(rows.length);
    for (const { source, value } of built) {
      const sales = source.sales as number;
      const price = source.price as number;
      expect(value).toEqual({
        log_sales: Math.log(sales),
        log1p_price: Math.log1p(price),
        sales_per_price: sales / price,
        sales_minus_price: sales - price,
        clip_price: price < 3 ? 3 : price > 5 ? 5 : price,
      });
    }
  });

  it('take diff and pctChange within each group in time order: a group\'s first rows have none and are left out', () => {
    const p = plan({ derived: [{ op: 'diff', column: 'price' }, { op: 'pctChange', column: 'price', periods: 2 }] }, { groupBy: ['shop'] });
    expect(lookbackOf(p)).toBe(2);
    const built = featuresByName(shops(), p);
    expect(built).toHaveLength(2 * (10 - 2));
    for (const { source, value } of built) {
      const own = shops().filter((row) => row.shop === source.shop);
      const t = own.findIndex((row) => row.day === source.day);
      const price = (k: number) => own[t - k]?.price as number;
      expect(value).toEqual({ diff_price: price(0) - price(1), pct_change2_price: (price(0) - price(2)) / price(2) });
    }
  });

  it('chain: a later derived column reads an earlier one, and lags of a diff look back over both', () => {
    const p = plan({ derived: [{ op: 'diff', column: 'sales', name: 'd' }, { op: 'clip', column: 'd', max: 0.5 }], lags: { d: [2] } }, { groupBy: ['shop'] });
    expect(lookbackOf(p)).toBe(3);
    const built = featuresByName(shops(), p);
    expect(built).toHaveLength(2 * (10 - 3));
    for (const { value } of built) expect(value).toEqual({ d: 1, clip_d: 0.5, d_lag_2: 1 });
  });

  it('refuse a log of zero or a negative value as a data error naming the derived column, not a silent NaN', () => {
    const rows = shops().map((row, i) => (i === 4 ? { ...row, price: 0 } : row));
    expect(() => buildFeatures(frameOfRows(rows, columns), plan({ derived: [{ op: 'log', column: 'price' }] }))).toThrow(/features\.derived\.0 \("log_price"\): log needs values above 0; 1 row\(s\) hold one \(the first: 0\)/);
    const negative = shops().map((row) => ({ ...row, price: -1 }));
    expect(() => buildFeatures(frameOfRows(negative, columns), plan({ derived: [{ op: 'log1p', column: 'price' }] }))).toThrow(expect.objectContaining({ name: 'DataValidationFailed' }));
  });
});

describe('lags and rolling statistics of a column', () => {
  it('read the row\'s own group only: no lag or window crosses a shop (asserted on the built examples)', () => {
    const p = plan({ lags: { price: [1, 3] }, rolling: [{ column: 'sales', window: 3, stat: 'mean' }, { column: 'sales', window: 3, stat: 'min' }] }, { groupBy: ['shop'] });
    const examples = buildExamples(frameOfRows(shops(), columns), p);
    expect(examples.featureNames).toEqual(['price_lag_1', 'price_lag_3', 'sales_rolling_mean_3', 'sales_rolling_min_3']);
    // 10 days a shop, 3 too early for the lag of 3, the last without a label.
    expect(examples.y).toHaveLength(2 * (10 - 3 - 1));
    examples.x.forEach((x, i) => {
      const label = examples.y[i] as number;
      const shop = label >= 2000 ? 'south' : 'north';
      const own = shops().filter((row) => row.shop === shop);
      const t = own.findIndex((row) => row.day === examples.at[i]);
      expect(x).toEqual([own[t - 1]?.price, own[t - 3]?.price, ((own[t]?.sales as number) * 3 - 3) / 3, own[t - 2]?.sales]);
      // Sales encode the shop: every value the window read is of the label's own shop.
      expect(Math.floor((x[3] as number) / 1000)).toBe(Math.floor(label / 1000));
    });
  });

  it('come in column-name order whatever the order of the keys (a plan read back from jsonb has them reordered)', () => {
    const written = plan({ lags: { sales: [1], price: [2] } });
    const readBack = plan({ lags: { price: [2], sales: [1] } });
    const frame = frameOfRows(shops(), columns);
    expect(buildFeatures(frame, written)).toStrictEqual(buildFeatures(frame, readBack));
    expect(buildFeatures(frame, written).featureNames).toEqual(['price_lag_2', 'sales_lag_1']);
  });

  it('compute a rolling std (n − 1, as pandas) and max over the window, current row included', () => {
    const rows = shops().filter((row) => row.shop === 'south');
    const p = plan({ rolling: [{ column: 'price', window: 4, stat: 'std' }, { column: 'price', window: 4, stat: 'max' }] });
    const built = featuresByName(rows, p);
    expect(built).toHaveLength(rows.length - 3);
    for (const { source, value } of built) {
      const t = rows.indexOf(source);
      const window = rows.slice(t - 3, t + 1).map((row) => row.price as number);
      const mean = window.reduce((a, b) => a + b, 0) / 4;
      const std = Math.sqrt(window.reduce((sum, x) => sum + (x - mean) ** 2, 0) / 3);
      expect(value.price_rolling_std_4).toBeCloseTo(std, 12);
      expect(value.price_rolling_max_4).toBe(Math.max(...window));
    }
  });

  it('are built the same row by row and column by column (the drift check\'s layout)', () => {
    const p = plan({ derived: [{ op: 'pctChange', column: 'price' }], lags: { pct_change_price: [1] }, rolling: [{ column: 'price', window: 2, stat: 'std' }], dateParts: { parts: ['dayOfWeek'], cyclic: true } }, { groupBy: ['shop'] });
    const frame = frameOfRows(shops(), columns);
    const byRow = buildFeatures(frame, p);
    const byColumn = buildFeatureColumns(frame, p);
    expect(byColumn.featureNames).toEqual(byRow.featureNames);
    expect(Array.from(byColumn.row)).toEqual(byRow.row);
    byColumn.columns.forEach((column, j) => expect(column).toStrictEqual(Float64Array.from(byRow.x, (x) => x[j] as number)));
  });
});

describe('date parts', () => {
  it('take year, month, day of week, day of year and hour of the time column in UTC, and sin/cos pairs when cyclic', () => {
    const rows: Row[] = ['2021-03-01T05:00:00.000Z', '2024-12-31T23:00:00.000Z'].map((day) => ({ day, shop: 'north', sales: 1, price: 1, note: null }));
    const plain = featuresByName(rows, plan({ dateParts: { parts: ['year', 'month', 'dayOfWeek', 'dayOfYear', 'hour'] } })).map(({ value }) => value);
    // 1 March 2021 was a Monday, the 60th day of the year; 31 December 2024 a Tuesday, the 366th of a leap year.
    expect(plain).toEqual([
      { day_year: 2021, day_month: 3, day_dayOfWeek: 1, day_dayOfYear: 60, day_hour: 5 },
      { day_year: 2024, day_month: 12, day_dayOfWeek: 2, day_dayOfYear: 366, day_hour: 23 },
    ]);
    const cyclic = featuresByName(rows, plan({ dateParts: { parts: ['year', 'month', 'hour'], cyclic: true } })).map(({ value }) => value);
    const angle = (value: number, period: number) => (2 * Math.PI * value) / period;
    expect(cyclic[0]).toEqual({
      day_year: 2021,
      day_month_sin: Math.sin(angle(2, 12)),
      day_month_cos: Math.cos(angle(2, 12)),
      day_hour_sin: Math.sin(angle(5, 24)),
      day_hour_cos: Math.cos(angle(5, 24)),
    });
    expect(cyclic[1]?.day_month_sin).toBe(Math.sin(angle(11, 12)));
  });
});

describe('a z-score', () => {
  const spec = () =>
    PipelineSpec.parse({
      name: 'shops',
      source: { kind: 'file', path: 'shops.csv', format: 'csv' },
      columns,
      timeColumn: 'day',
      target: 'sales',
      groupBy: ['shop'],
      features: { derived: [{ op: 'zscore', column: 'price' }], lags: { zscore_price: [1] } },
      model: { name: 'shops', trainer: 'ridge' },
      evaluation: { holdout: { fraction: 0.25 }, minHoldout: 1 },
    });

  it('is fitted on the training rows only, stored in the plan, and reused as it is at prediction time', () => {
    const rows = shops(40);
    const frame = frameOfRows(rows, columns);
    const planned = planTraining(frame, spec());
    const ordered = [...rows].sort((a, b) => String(a.shop).localeCompare(String(b.shop)) || String(a.day).localeCompare(String(b.day)));
    const training = planned.train.row.map((t) => ordered[t]?.price as number);
    const mean = training.reduce((a, b) => a + b, 0) / training.length;
    const std = Math.sqrt(training.reduce((sum, x) => sum + (x - mean) ** 2, 0) / training.length);
    const all = rows.map((row) => row.price as number);
    expect(planned.plan.fitted?.zscore_price?.mean).toBeCloseTo(mean, 12);
    expect(planned.plan.fitted?.zscore_price?.std).toBeCloseTo(std, 12);
    expect(mean).not.toBeCloseTo(all.reduce((a, b) => a + b, 0) / all.length, 6);
    // The holdout's features use the training fit.
    const at = (t: number) => ordered[t] as Row;
    planned.test.x.forEach((x, i) => expect(x[0]).toBeCloseTo(((at(planned.test.row[i] as number).price as number) - mean) / std, 12));

    // A prediction request of two days of one shop: the stored fit, not one of the request's rows.
    const request = [
      { day: '2022-01-01T00:00:00.000Z', shop: 'north', sales: 5, price: 100, note: null },
      { day: '2022-01-02T00:00:00.000Z', shop: 'north', sales: 6, price: 10, note: null },
    ];
    const artifactPlan = JSON.parse(JSON.stringify(planned.plan)) as FeaturePlan;
    const [features] = prepareBatch({ plan: artifactPlan, trainer: { kind: 'built-in', name: 'ridge' }, model: {} }, columns, request);
    expect(features).toEqual([(10 - artifactPlan.fitted!.zscore_price!.mean) / artifactPlan.fitted!.zscore_price!.std, (100 - artifactPlan.fitted!.zscore_price!.mean) / artifactPlan.fitted!.zscore_price!.std]);
  });

  it('of a column constant on the training rows is a data error naming the derived column', () => {
    const rows = shops(40).map((row) => ({ ...row, price: 3 }));
    expect(() => planTraining(frameOfRows(rows, columns), spec())).toThrow(/features\.derived\.0 \("zscore_price"\): the column is constant/);
  });
});

describe('lineage of the transforms', () => {
  it('describes each with what it fitted', () => {
    const features = FeatureSpec.parse({
      derived: [{ op: 'zscore', column: 'price' }, { op: 'ratio', columns: ['sales', 'price'] }, { op: 'clip', column: 'price', max: 4 }, { op: 'pctChange', column: 'price', periods: 7 }],
      lags: { price: [1, 7] },
      rolling: [{ column: 'price', window: 3, stat: 'std' }],
      dateParts: { parts: ['month'], cyclic: true },
    });
    expect(describeTransforms(features, { zscore_price: { mean: 3.25, std: 1.5 } }, 'day')).toEqual([
      'zscore_price: zscore of price (mean 3.25000, std 1.50000, fitted on the training rows)',
      'sales_per_price: sales / price',
      'clip_price: clip of price to [−∞, 4]',
      'pct_change7_price: pctChange of price over 7 rows',
      'lags of price: 1, 7',
      'rolling std of price over 3 rows',
      'date parts of day: month (cyclic: sin/cos)',
    ]);
  });
});

describe('a prediction request', () => {
  it('must carry the columns the transforms read', () => {
    const p = plan({ derived: [{ op: 'ratio', columns: ['sales', 'price'], name: 'unit_count' }], lags: { price: [1] } });
    expect(columnsReadBy(p)).toEqual(expect.arrayContaining(['sales', 'price', 'day']));
  });
});

describe('feature transforms at spec load', () => {
  const base = {
    name: 'shops',
    source: { kind: 'file', path: 'shops.csv', format: 'csv' },
    columns,
    timeColumn: 'day',
    target: 'sales',
    model: { name: 'shops', trainer: 'ridge' },
  };
  const refused = (changes: Record<string, unknown>) => {
    const result = PipelineSpec.safeParse({ ...base, ...changes });
    return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  };

  it('accepts every op, lags, rolling statistics and date parts over declared and derived columns', () => {
    expect(
      refused({
        features: {
          derived: [
            { op: 'log1p', column: 'sales', name: 'log_sales' },
            { op: 'diff', column: 'log_sales' },
            { op: 'pctChange', column: 'price', periods: 7 },
            { op: 'ratio', columns: ['sales', 'price'] },
            { op: 'difference', columns: ['sales', 'price'] },
            { op: 'clip', column: 'price', min: 0 },
            { op: 'zscore', column: 'price' },
            { op: 'log', column: 'price' },
          ],
          lags: { price: [1, 7], diff_log_sales: [1] },
          rolling: [{ column: 'price', window: 7, stat: 'std' }],
          dateParts: { parts: ['month', 'dayOfWeek'], cyclic: true },
          interactions: [['log_sales', 'day_month_sin']],
        },
      }),
    ).toEqual([]);
  });

  it('refuses a transform of a categorical column, an unknown column and an unknown op, naming the field', () => {
    expect(refused({ features: { derived: [{ op: 'log', column: 'note' }] } })).toEqual(['features.derived.0.column: log needs a numeric or integer column; "note" is categorical']);
    expect(refused({ features: { derived: [{ op: 'ratio', columns: ['sales', 'cost'] }] } })).toEqual(['features.derived.0.columns.1: column "cost" is not declared in columns (nor derived earlier)']);
    expect(refused({ features: { rolling: [{ column: 'shop', window: 3, stat: 'mean' }] } })).toEqual(['features.rolling.0.column: a rolling statistic needs a numeric or integer column; "shop" is categorical']);
    expect(refused({ features: { lags: { cost: [1] } } })).toEqual(['features.lags.cost: column "cost" is not declared in columns (nor derived earlier)']);
    expect(refused({ features: { derived: [{ op: 'sqrt', column: 'sales' }] } })[0]).toMatch(/^features\.derived\.0\.op: /);
    expect(refused({ features: { derived: [{ op: 'log', column: 'sales', base: 10 }] } })[0]).toMatch(/^features\.derived\.0: .*"base"/);
    // A derived column reads only those declared before it.
    expect(refused({ features: { derived: [{ op: 'log', column: 'later' }, { op: 'clip', column: 'sales', min: 1, name: 'later' }] } })).toEqual(['features.derived.0.column: column "later" is not declared in columns (nor derived earlier)']);
  });

  it('refuses lags, rolling statistics and changes on a cross-sectional pipeline, and a transform of its target', () => {
    const cross = { kind: 'cross-sectional', timeColumn: undefined };
    expect(refused({ ...cross, features: { lags: { price: [1] } } })).toEqual(['features.lags: lags needs rows in time order: a cross-sectional pipeline has none (kind "time-series")']);
    expect(refused({ ...cross, features: { rolling: [{ column: 'price', window: 2, stat: 'max' }] } })).toEqual([expect.stringMatching(/^features\.rolling: rolling statistics needs rows in time order/)]);
    expect(refused({ ...cross, features: { derived: [{ op: 'diff', column: 'price' }] } })).toEqual([expect.stringMatching(/^features\.derived\.0\.op: diff needs rows in time order/)]);
    expect(refused({ ...cross, features: { derived: [{ op: 'log1p', column: 'sales' }] } })).toEqual([expect.stringMatching(/^features\.derived\.0\.column: "sales" is the target/)]);
    expect(refused({ ...cross, features: { derived: [{ op: 'log1p', column: 'price' }] } })).toEqual([]);
  });

  it('refuses date parts without a time column, a clip without bounds or upside down, and a name already taken', () => {
    expect(refused({ timeColumn: undefined, features: { dateParts: { parts: ['month'] } } })).toEqual(['features.dateParts: date parts need a timeColumn']);
    expect(refused({ features: { dateParts: { parts: ['week'] } } })[0]).toMatch(/^features\.dateParts\.parts\.0: /);
    expect(refused({ features: { derived: [{ op: 'clip', column: 'price' }] } })).toEqual(['features.derived.0: clip needs min, max or both']);
    expect(refused({ features: { derived: [{ op: 'clip', column: 'price', min: 5, max: 1 }] } })).toEqual(['features.derived.0.min: min 5 is above max 1']);
    expect(refused({ features: { derived: [{ op: 'log', column: 'price', name: 'sales' }] } })).toEqual(['features.derived.0.name: "sales" is already a declared column: give it another name']);
    expect(refused({ features: { derived: [{ op: 'log', column: 'price' }, { op: 'log', column: 'price' }] } })).toEqual(['features.derived.1.name: "log_price" is already a derived column: give it another name']);
  });
});
