import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import type { Row } from '../../lib/data/typed-row';
import { isTimeSeries, naiveForecasts } from '../../lib/evaluation/baselines';
import { splitFrom } from '../../lib/evaluation/holdout';
import { buildExamples, groupSeries, targetSeries, type FeaturePlan } from '../../lib/model/features';
import { planTraining, resultOf } from '../../lib/model/model-artifact';
import { BUILT_IN_PIPELINES_DIR } from '../../lib/spec/load-spec';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';

const base = JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, 'us-employment.json'), 'utf8')) as Record<string, unknown>;

/** The paths of the issues a spec is refused with. */
function refusedAt(changes: Record<string, unknown>): string[] {
  const result = PipelineSpec.safeParse({ ...base, ...changes });
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
}

/** Three shops' daily sales, the shops' rows interleaved (and one shop with a single day). */
function shops(): { columns: ColumnSpecs; rows: Row[] } {
  const columns: ColumnSpecs = {
    day: { type: 'timestamp', nullable: false },
    shop: { type: 'categorical', nullable: false },
    sales: { type: 'numeric', nullable: false },
  };
  const rows: Row[] = [];
  for (let d = 0; d < 10; d += 1) {
    for (const [s, shop] of ['north', 'south'].entries()) rows.push({ day: new Date(Date.UTC(2020, 0, d + 1)).toISOString(), shop, sales: 100 * (s + 1) + d });
  }
  rows.push({ day: '2020-01-05T00:00:00.000Z', shop: 'tiny', sales: 7 });
  return { columns, rows };
}

const groupedPlan: FeaturePlan = {
  target: 'sales',
  timeColumn: 'day',
  horizon: 1,
  groupBy: ['shop'],
  features: { columns: [], categorical: ['shop'], targetLags: [1, 2], targetRollingMeans: [], interactions: [] },
  categories: { shop: ['north', 'south', 'tiny'] },
};

describe('pipeline kinds and groups at load', () => {
  it('refuses target lags, rolling means, a horizon and a season on a cross-sectional pipeline, naming each field', () => {
    const cross = { kind: 'cross-sectional', timeColumn: undefined, keyColumns: [], checks: {}, evaluation: { season: 12 } };
    expect(refusedAt({ ...cross, horizon: 2 })).toEqual(expect.arrayContaining(['horizon', 'features.targetLags', 'features.targetRollingMeans', 'evaluation.season']));
    expect(refusedAt({ ...cross, evaluation: {}, features: { columns: ['private'] } })).toEqual([]);
  });

  it('refuses groupBy on an undeclared or non-categorical column, and a seed on a time-series holdout', () => {
    expect(refusedAt({ groupBy: ['segment'] })).toEqual(['groupBy.0']);
    expect(refusedAt({ groupBy: ['private'] })).toEqual(['groupBy.0']);
    expect(refusedAt({ evaluation: { holdout: { fraction: 0.2, seed: 3 } } })).toEqual(['evaluation.holdout.seed']);
  });
});

describe('grouped examples', () => {
  it('takes lags and labels from the row\'s own group only, in time order across groups', () => {
    const { columns, rows } = shops();
    const examples = buildExamples(frameOfRows(rows, columns), groupedPlan);
    expect(examples.y).toHaveLength(2 * (10 - 2 - 1));
    examples.x.forEach((x, i) => {
      const shop = (['north', 'south', 'tiny'] as const)[x.slice(0, 3).indexOf(1)] as string;
      const own = rows.filter((row) => row.shop === shop);
      const t = own.findIndex((row) => row.day === examples.at[i]);
      expect([x[3], x[4], examples.y[i]]).toEqual([own[t - 1]?.sales, own[t - 2]?.sales, own[t + 1]?.sales]);
    });
    expect(examples.at).toEqual([...examples.at].sort());
  });

  it('keeps naive forecasts within a group', () => {
    const { columns, rows } = shops();
    const frame = frameOfRows(rows, columns);
    const examples = buildExamples(frame, groupedPlan);
    const target = targetSeries(frame, groupedPlan);
    const group = groupSeries(frame, groupedPlan);
    const [lastValue] = naiveForecasts({ target, rows: examples.row, horizon: 1, trainingLabels: examples.y, timeSeries: true, group });
    // The last known value of the row's own shop is the lag-1 feature's value, one step later.
    expect(lastValue?.predictions).toEqual(examples.row.map((t) => target[t]));
    expect(examples.row.every((t) => group?.[t] === group?.[t + 1])).toBe(true);
  });

  it('reports a group with too little history instead of dropping it silently', () => {
    const { columns, rows } = shops();
    const spec = PipelineSpec.parse({
      ...base,
      columns,
      timeColumn: 'day',
      keyColumns: [],
      checks: {},
      target: 'sales',
      groupBy: ['shop'],
      features: { categorical: ['shop'], targetLags: [1, 2] },
      evaluation: { holdout: { fraction: 0.3 }, primaryMetric: 'rmse' },
    });
    expect(planTraining(frameOfRows(rows, columns), spec).shortGroups).toEqual([{ group: 'tiny', rows: 1 }]);
  });

  it('scores the holdout within each group', () => {
    const { columns, rows } = shops();
    const spec = PipelineSpec.parse({
      ...base,
      columns,
      timeColumn: 'day',
      keyColumns: [],
      checks: {},
      target: 'sales',
      groupBy: ['shop'],
      features: { targetLags: [1] },
      evaluation: { holdout: { fraction: 0.3 }, primaryMetric: 'rmse' },
    });
    const planned = planTraining(frameOfRows(rows, columns), spec);
    // Off by one sale for the north shop only.
    const predictions = planned.test.y.map((y, i) => (planned.testGroups?.[i] === 'north' ? y + 1 : y));
    const { groupMetrics } = resultOf({ plan: planned.plan, trainer: { kind: 'built-in', name: 'ridge' }, model: null }, planned, predictions);
    expect(groupMetrics?.map(({ group, examples, metrics }) => [group, examples, metrics.rmse])).toEqual([
      ['north', planned.testGroups?.filter((g) => g === 'north').length, 1],
      ['south', planned.testGroups?.filter((g) => g === 'south').length, 0],
    ]);
  });
});

describe('cross-sectional examples', () => {
  const columns: ColumnSpecs = { size: { type: 'numeric', nullable: false }, price: { type: 'numeric', nullable: false } };
  const rows: Row[] = Array.from({ length: 200 }, (_, i) => ({ size: i, price: 3 * i + (i % 7) }));
  const spec = PipelineSpec.parse({
    ...base,
    kind: 'cross-sectional',
    columns,
    timeColumn: undefined,
    keyColumns: [],
    checks: {},
    target: 'price',
    features: { columns: ['size'] },
    evaluation: { holdout: { fraction: 0.25, seed: 11 }, primaryMetric: 'rmse' },
  });

  it('labels each row with its own target and holds out a seeded random share the evaluation finds again', () => {
    const frame = frameOfRows(rows, columns);
    const planned = planTraining(frame, spec);
    const all = [...planned.train.row, ...planned.test.row];
    all.forEach((row) => expect(rows[row]?.price).toBe([...planned.train.y, ...planned.test.y][all.indexOf(row)]));
    expect(all.sort((a, b) => a - b)).toEqual(rows.map((_, i) => i));
    // Random, not the newest rows: the holdout spreads over the whole table.
    expect(Math.min(...planned.test.row)).toBeLessThan(50);
    expect(Math.max(...planned.test.row)).toBeGreaterThan(150);
    expect(planned.test.row.length / rows.length).toBeGreaterThan(0.15);
    expect(planned.test.row.length / rows.length).toBeLessThan(0.35);
    const again = splitFrom(buildExamples(frame, planned.plan), planned.holdoutKey as string);
    expect(again.test.row).toEqual(planned.test.row);
    expect(again.train.row).toEqual(planned.train.row);
  });

  it('has only the mean baseline', () => {
    const { plan, train, test } = planTraining(frameOfRows(rows, columns), spec);
    expect(isTimeSeries(plan)).toBe(false);
    const forecasts = naiveForecasts({ target: [], rows: test.row, horizon: 0, trainingLabels: train.y, timeSeries: isTimeSeries(plan) });
    expect(forecasts.map((f) => f.name)).toEqual(['mean']);
  });
});
