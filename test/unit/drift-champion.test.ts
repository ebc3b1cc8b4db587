import { describe, expect, it } from 'vitest';
import { championAccuracy, championPredictions } from '../../activities/drift/champion-signals';
import type { Champion } from '../../activities/drift/compare-thread';
import { between, describeWindow, frameOf, newerThan, orderPipelineData, type PipelineData } from '../../lib/arrival/pipeline-data';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import { buildExamples, buildFeatures, type FeaturePlan, lookbackOf } from '../../lib/model/features';
import { predictRidge, type RidgeModel } from '../../lib/model/ridge';
import { regressionMetrics } from '../../lib/model/metrics';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { RidgeParams, ridgeTrainer } from '../../lib/trainers/ridge-trainer';
import { tableOfRows } from '../support/column-table';
import { loadSeattleWeather } from '../support/vega-data';

/** A ridge of tomorrow's high on today's low, wind, two lags and a rolling mean, learned on the reference. */
async function championOn(reference: PipelineData, timeColumn: string | undefined): Promise<Champion> {
  const plan: FeaturePlan = {
    target: 'temp_max',
    timeColumn,
    horizon: 1,
    features: { columns: ['temp_min', 'wind'], categorical: [], targetLags: [1, 2], targetRollingMeans: [3], interactions: [] },
    categories: {},
  };
  const examples = buildExamples(frameOf(reference), plan);
  const model = await ridgeTrainer.train({ x: examples.x, y: examples.y, featureNames: examples.featureNames }, RidgeParams.parse({}), () => undefined);
  return {
    artifact: { plan, trainer: { kind: 'built-in', name: 'ridge' }, model },
    metrics: regressionMetrics(examples.y, await ridgeTrainer.predict(model, examples.x)),
    trainingWindow: describeWindow(reference),
    trainingSnapshotIds: [1],
  };
}

describe("the champion's signals in a drift check", () => {
  it.each([
    ['time', 'date'],
    ['row', undefined],
  ] as const)('are the same built a batch of rows at a time as over all the data at once (keyed by %s)', async (_, timeColumn) => {
    const { columns, rows } = await loadSeattleWeather();
    const specs: ColumnSpecs = timeColumn ? columns : Object.fromEntries(Object.entries(columns).filter(([name]) => name !== 'date'));
    const all = orderPipelineData([{ snapshotId: 1, table: tableOfRows(rows, specs) }], timeColumn);
    const reference = timeColumn ? between(all, null, '2014-12-31T00:00:00.000Z') : between(all, null, 1096);
    const current = describeWindow(newerThan(all, describeWindow(reference).to));
    const champion = await championOn(reference, timeColumn);
    const spec = PipelineSpec.parse({ name: 'weather', source: { kind: 'file', path: 'w.csv' }, columns: specs, timeColumn, target: 'temp_max', features: { columns: ['temp_min'] }, model: { name: 'w', trainer: 'ridge' }, drift: { accuracyDecay: { window: 300 } } });

    // 97 rows a batch: batch edges fall inside lags, rolling means and labels many times over.
    const whole = await championPredictions(champion, { reference, all }, current, Number.MAX_SAFE_INTEGER);
    expect(await championPredictions(champion, { reference, all }, current, 97)).toEqual(whole);
    if (typeof whole === 'string') throw new Error(whole);
    expect(whole.current).toHaveLength(current.rows);
    expect(whole.reference).toHaveLength(describeWindow(reference).rows - lookbackOf(champion.artifact.plan));

    // The built-in ridge predicts on feature columns: the same numbers as predicting the rows' features.
    const rowPredictions = (data: PipelineData) => Float64Array.from(predictRidge(champion.artifact.model as RidgeModel, buildFeatures(frameOf(data), champion.artifact.plan).x));
    expect(whole.reference).toStrictEqual(rowPredictions(reference));
    expect(whole.current).toStrictEqual(rowPredictions(all).subarray(-current.rows));

    const accuracy = await championAccuracy(spec, champion, all, current, Number.MAX_SAFE_INTEGER);
    expect(await championAccuracy(spec, champion, all, current, 97)).toEqual(accuracy);
    expect(accuracy).toMatchObject({ examples: 300, available: current.rows - 1 });
  });
});
