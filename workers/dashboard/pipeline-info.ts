import { NO_INFO, pipelineInfo, type PipelineInfo } from '../../lib/dashboard/pipeline-info';
import { loadPipelineSpec } from '../../lib/spec/load-spec';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import type { DashboardDeps } from './server';

// The names a spec may have: nothing else from a URL goes near the file system (`../x`).
const SPEC_NAME = /^[a-z0-9][a-z0-9-]*$/;

/** The pipeline's descriptions and units from its spec as it is now; none when the spec is gone or does not read. */
export async function loadPipelineInfo(deps: DashboardDeps, pipeline: string): Promise<PipelineInfo> {
  const spec = await loadSpecIfAny(deps, pipeline);
  return spec ? pipelineInfo(spec) : NO_INFO;
}

/** The pipeline's spec as it is now; undefined when it is gone or does not read. */
export async function loadSpecIfAny(deps: DashboardDeps, pipeline: string): Promise<PipelineSpec | undefined> {
  if (!SPEC_NAME.test(pipeline)) return undefined;
  try {
    return (await loadPipelineSpec(pipeline, deps.config.DRIFTLINE_PIPELINES_DIR)).spec;
  } catch {
    return undefined;
  }
}

/**
 * What the specs of every pipeline that ingested a snapshot say of its columns: snapshots are
 * shared by content, so the one that stored it first may not be the one that declares units.
 * The first pipeline (by name) that describes a column wins; the description is the storing pipeline's.
 */
export async function loadSnapshotInfo(deps: DashboardDeps, storedBy: string, pipelines: readonly string[]): Promise<PipelineInfo> {
  const infos = await Promise.all([storedBy, ...pipelines.filter((p) => p !== storedBy)].map((pipeline) => loadPipelineInfo(deps, pipeline)));
  const columns: PipelineInfo['columns'] = {};
  for (const info of infos) {
    for (const [name, column] of Object.entries(info.columns)) if (!columns[name]?.unit && !columns[name]?.description) columns[name] = column;
  }
  return { description: infos[0]?.description ?? '', columns };
}
