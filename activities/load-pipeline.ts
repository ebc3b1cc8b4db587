import { loadPipelineSpec } from '../lib/spec/load-spec';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import type { ActivityDeps } from './deps';

export interface LoadedPipeline {
  spec: PipelineSpec;
  specDir: string;
}

export function makeLoadPipeline(deps: ActivityDeps) {
  /** Reads and validates the pipeline's spec once, so the whole run uses the same one. */
  return async function loadPipeline(input: { pipeline: string }): Promise<LoadedPipeline> {
    const { spec, dir } = await loadPipelineSpec(input.pipeline, deps.pipelinesDir);
    return { spec, specDir: dir };
  };
}
