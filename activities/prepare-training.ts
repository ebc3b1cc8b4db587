import type { RuntimeNorm } from '../lib/norms/runtime-norm';
import type { ActivityDeps } from './deps';
import { makeLoadPipeline, type LoadedPipeline } from './load-pipeline';
import { makeNorms } from './norms';

export interface PreparedTraining extends LoadedPipeline {
  /** The snapshot the retrain trains on. */
  snapshotId: number;
  /** The norm in force for this run. */
  norm: RuntimeNorm;
}

export function makePrepareTraining(deps: ActivityDeps) {
  const loadPipeline = makeLoadPipeline(deps);
  const { resolveSnapshot, computeRuntimeNorm } = makeNorms(deps);
  /**
   * What a retrain needs before it trains — its spec (checked), the snapshot it trains on and the
   * norm in force — in one activity: a round trip costs the worker a workflow task, which for a
   * small pipeline is more than these steps' own work (bench-results/run-cost.md).
   */
  return async function prepareTraining(input: { pipeline: string; snapshotId?: number; params?: Record<string, number> }): Promise<PreparedTraining> {
    const loaded = await loadPipeline({ pipeline: input.pipeline, params: input.params });
    const [{ snapshotId }, norm] = await Promise.all([
      resolveSnapshot({ pipeline: input.pipeline, snapshotId: input.snapshotId }),
      computeRuntimeNorm({ modelName: loaded.spec.model.name, policy: loaded.spec.training.norm }),
    ]);
    return { ...loaded, snapshotId, norm };
  };
}
