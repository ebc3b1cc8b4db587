import { registerVersion, type ModelVersion } from '../../lib/db/model-registry';
import type { Pool } from '../../lib/db/pool';

/** A registered version with nothing behind it (no data, an empty plan): for tests of the registry and audit alone. */
export function registerBareVersion(pool: Pool, modelName: string, runKey: string): Promise<ModelVersion> {
  return registerVersion(pool, {
    modelName,
    pipeline: modelName,
    runKey,
    trainer: 'ridge',
    params: {},
    artifact: { plan: { target: 'y', horizon: 1, features: { columns: [], categorical: [], targetLags: [1], targetRollingMeans: [], interactions: [] }, categories: {} }, trainer: { kind: 'built-in', name: 'ridge' }, model: {} },
    artifactDigest: `digest-${runKey}`,
    fits: { evaluated: { examples: 0, from: '', to: '', artifactDigest: `digest-${runKey}` } },
    trainingSnapshotIds: [],
    trainingWindow: { asOfSnapshotId: 1, snapshotIds: [], rows: 0, by: 'row', from: null, to: null },
    driftMethods: {},
    codeVersion: 'test',
    trainerDigest: 'test',
    metrics: { mae: 1, rmse: 1, r2: 0, smape: 0 },
  });
}
