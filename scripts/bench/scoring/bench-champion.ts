import { frameOfRows } from '../../../lib/data/columns/frame';
import type { Row } from '../../../lib/data/typed-row';
import { registerVersion, setAlias } from '../../../lib/db/model-registry';
import type { Pool } from '../../../lib/db/pool';
import { planTraining, trainWith } from '../../../lib/model/model-artifact';
import { PipelineSpec } from '../../../lib/spec/pipeline-spec';
import { ridgeTrainer } from '../../../lib/trainers/ridge-trainer';
import { BENCH_COLUMNS } from '../ingest/bench-data';

export const BENCH_PIPELINE = 'bench-scoring';

/** The scoring bench's pipeline: the ingest bench's 20 columns, each row's `target` from its numbers and categories, by ridge. */
export function benchScoringSpec(): PipelineSpec {
  return PipelineSpec.parse({
    name: BENCH_PIPELINE,
    kind: 'cross-sectional',
    source: { kind: 'file', path: 'unused.csv' },
    columns: BENCH_COLUMNS,
    timeColumn: 'ts',
    keyColumns: ['id'],
    target: 'target',
    features: { columns: [...Array.from({ length: 10 }, (_, i) => `x${i}`), 'units', 'price_cents'], categorical: ['region', 'channel'] },
    model: { name: `${BENCH_PIPELINE}-ridge`, trainer: 'ridge', params: { alpha: 1 } },
    evaluation: { holdout: { fraction: 0.2, seed: 1 }, refit: false },
  });
}

/** Trains the ridge on the file's first rows and makes it the champion; returns its version id. */
export async function registerBenchChampion(pool: Pool, rows: Row[]): Promise<number> {
  const spec = benchScoringSpec();
  const planned = planTraining(frameOfRows(rows, spec.columns), spec);
  const trained = await trainWith(ridgeTrainer, { kind: 'built-in', name: 'ridge' }, planned, spec.model.params, () => undefined);
  const version = await registerVersion(pool, {
    modelName: spec.model.name,
    pipeline: spec.name,
    runKey: `bench-${Date.now()}`,
    trainer: 'ridge',
    params: spec.model.params,
    artifact: trained.artifact,
    artifactDigest: 'bench',
    fits: { evaluated: { examples: planned.train.y.length, from: '', to: '', artifactDigest: 'bench' } },
    trainingSnapshotIds: [],
    trainingWindow: { asOfSnapshotId: 1, snapshotIds: [], rows: rows.length, by: 'row', from: null, to: null },
    driftMethods: {},
    codeVersion: 'bench',
    trainerDigest: 'bench',
    metrics: trained.metrics,
  });
  await setAlias(pool, 'champion', version.id, { actor: 'bench', action: 'promote', modelName: spec.model.name, versionId: version.id, reason: 'scoring bench champion', details: {} });
  return version.id;
}
