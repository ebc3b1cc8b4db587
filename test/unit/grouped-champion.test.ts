import { describe, expect, it } from 'vitest';
import { championAccuracy, championPredictions } from '../../activities/drift/champion-signals';
import type { Champion } from '../../activities/drift/compare-thread';
import { between, describeWindow, frameOf, newerThan, orderPipelineData } from '../../lib/arrival/pipeline-data';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import type { Row } from '../../lib/data/typed-row';
import { buildExamples, type FeaturePlan } from '../../lib/model/features';
import { regressionMetrics } from '../../lib/model/metrics';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { RidgeParams, ridgeTrainer } from '../../lib/trainers/ridge-trainer';
import { tableOfRows } from '../support/column-table';

const columns: ColumnSpecs = {
  day: { type: 'timestamp', nullable: false },
  shop: { type: 'categorical', nullable: false },
  sales: { type: 'numeric', nullable: false },
};

/** Three shops' daily sales over 60 days, each with its own level and weekly pattern, rows interleaved. */
function shops(): Row[] {
  return Array.from({ length: 60 }, (_, d) =>
    ['north', 'south', 'east'].map((shop, s) => ({ day: new Date(Date.UTC(2021, 0, d + 1)).toISOString(), shop, sales: 100 * (s + 1) + ((d * (s + 2)) % 7) })),
  ).flat();
}

const plan: FeaturePlan = {
  target: 'sales',
  timeColumn: 'day',
  horizon: 1,
  groupBy: ['shop'],
  features: { columns: [], categorical: [], targetLags: [1, 2], targetRollingMeans: [3], interactions: [] },
  categories: {},
};

describe("a grouped champion's signals in a drift check", () => {
  it('use each group\'s own history, whatever the batch size', async () => {
    const all = orderPipelineData([{ snapshotId: 1, table: tableOfRows(shops(), columns) }], 'day');
    const reference = between(all, null, '2021-02-09T00:00:00.000Z');
    const current = describeWindow(newerThan(all, describeWindow(reference).to));
    const examples = buildExamples(frameOf(reference), plan);
    const model = await ridgeTrainer.train({ x: examples.x, y: examples.y, featureNames: examples.featureNames }, RidgeParams.parse({}), () => undefined);
    const champion: Champion = {
      artifact: { plan, trainer: { kind: 'built-in', name: 'ridge' }, model },
      metrics: regressionMetrics(examples.y, await ridgeTrainer.predict(model, examples.x)),
      trainingWindow: describeWindow(reference),
      trainingSnapshotIds: [1],
    };
    const spec = PipelineSpec.parse({ name: 'shops', source: { kind: 'file', path: 's.csv' }, columns, timeColumn: 'day', groupBy: ['shop'], target: 'sales', features: { targetLags: [1, 2] }, model: { name: 's', trainer: 'ridge' } });

    const accuracy = await championAccuracy(spec, champion, all, current, Number.MAX_SAFE_INTEGER);
    expect(await championAccuracy(spec, champion, all, current, 7)).toEqual(accuracy);
    // Every labelled example of the current window, as a build over all the rows gives them: each shop's days but its last.
    const labelled = buildExamples(frameOf(all), plan).at.filter((at) => at >= (current.from as string)).length;
    expect(labelled).toBe(current.rows - 3);
    expect(accuracy).toMatchObject({ available: labelled });

    const whole = await championPredictions(champion, { reference, all }, current, Number.MAX_SAFE_INTEGER);
    expect(await championPredictions(champion, { reference, all }, current, 7)).toEqual(whole);
    if (typeof whole === 'string') throw new Error(whole);
    expect(whole.current).toHaveLength(current.rows);
  });
});
