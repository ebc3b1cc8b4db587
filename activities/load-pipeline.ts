import { parseOrThrow } from '../lib/errors';
import { loadPipelineSpec } from '../lib/spec/load-spec';
import { BUILT_IN_PARAMS } from '../lib/trainers/built-in';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import type { ActivityDeps } from './deps';

export interface LoadedPipeline {
  spec: PipelineSpec;
  specDir: string;
  /** Set when the workers run training on a queue of its own. */
  trainingTaskQueue?: string;
}

export function makeLoadPipeline(deps: ActivityDeps) {
  /**
   * Reads and validates the pipeline's spec once, so the whole run uses the same one, and checks
   * a built-in trainer's parameters (with this run's overrides) before any data moves.
   */
  return async function loadPipeline(input: { pipeline: string; params?: Record<string, number> }): Promise<LoadedPipeline> {
    const { spec, dir } = await loadPipelineSpec(input.pipeline, deps.pipelinesDir);
    const { trainer } = spec.model;
    if (typeof trainer === 'string') {
      parseOrThrow(BUILT_IN_PARAMS[trainer], { ...spec.model.params, ...input.params }, `params for the ${trainer} trainer`);
    }
    return { spec, specDir: dir, trainingTaskQueue: deps.trainingTaskQueue };
  };
}
