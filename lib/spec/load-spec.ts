import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DriftlineError, formatZodError } from '../errors';
import { PipelineSpec } from './pipeline-spec';

/** The pipelines that ship with Driftline; DRIFTLINE_PIPELINES_DIR points elsewhere for a team's own. */
export const BUILT_IN_PIPELINES_DIR = fileURLToPath(new URL('../pipelines/', import.meta.url));

export interface LoadedSpec {
  spec: PipelineSpec;
  /** The folder the spec file lives in; relative data paths resolve against it. */
  dir: string;
}

/** Reads `<dir>/<name>.json` and validates it; every problem names the file and the field. */
export async function loadPipelineSpec(name: string, dir: string = BUILT_IN_PIPELINES_DIR): Promise<LoadedSpec> {
  const file = path.join(dir, `${name}.json`);
  const text = await readSpecFile(file, name, dir);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DriftlineError('InvalidInput', `Pipeline spec ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const result = PipelineSpec.safeParse(json);
  if (!result.success) {
    throw new DriftlineError('InvalidInput', `Pipeline spec ${file} is invalid: ${formatZodError(result.error)}`);
  }
  if (result.data.name !== name) {
    throw new DriftlineError('InvalidInput', `Pipeline spec ${file}: name is "${result.data.name}", expected "${name}"`);
  }
  return { spec: result.data, dir };
}

async function readSpecFile(file: string, name: string, dir: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const known = await listPipelines(dir);
    throw new DriftlineError(
      'PipelineNotFound',
      `No pipeline "${name}" in ${dir} (known: ${known.length > 0 ? known.join(', ') : 'none'})`,
    );
  }
}

/**
 * The pipelines in a folder: its `.json` files that name themselves (a `"name"` equal to the file's
 * name, as a spec must), valid or not. Other JSON kept beside specs (data, settings) is not a pipeline.
 */
export async function listPipelines(dir: string = BUILT_IN_PIPELINES_DIR): Promise<string[]> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const names = entries.filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
  const named = await Promise.all(names.map(async (name) => ((await declaredName(path.join(dir, `${name}.json`))) === name ? name : undefined)));
  return named.filter((name): name is string => name !== undefined).sort();
}

async function declaredName(file: string): Promise<unknown> {
  try {
    const json: unknown = JSON.parse(await readFile(file, 'utf8'));
    return typeof json === 'object' && json !== null && 'name' in json ? json.name : undefined;
  } catch {
    return undefined;
  }
}
