import { NO_INFO, pipelineInfo, type PipelineInfo } from '../../lib/dashboard/pipeline-info';
import { loadPipelineSpec } from '../../lib/spec/load-spec';
import type { DashboardDeps } from './server';

// The names a spec may have: nothing else from a URL goes near the file system (`../x`).
const SPEC_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The pipeline's descriptions and units from its spec as it is now; none when the spec is gone or does not read. */
export async function loadPipelineInfo(deps: DashboardDeps, pipeline: string): Promise<PipelineInfo> {
  if (!SPEC_NAME.test(pipeline)) return NO_INFO;
  try {
    const { spec } = await loadPipelineSpec(pipeline, deps.config.DRIFTLINE_PIPELINES_DIR);
    return pipelineInfo(spec);
  } catch {
    return NO_INFO;
  }
}
