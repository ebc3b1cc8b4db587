import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DriftlineError, formatZodError } from '../errors';
import { BUILT_IN_PIPELINES_DIR } from '../spec/load-spec';
import { taskOf, type PipelineSpec } from '../spec/pipeline-spec';
import { ExperimentSpec } from './experiment-spec';
import { checkExperimentAgainstPipeline } from './pipeline-fit';

/** Where a pipelines folder keeps its experiments: `<pipelines>/experiments/<name>.json`. */
function experimentsDir(pipelinesDir: string = BUILT_IN_PIPELINES_DIR): string {
  return path.join(pipelinesDir, 'experiments');
}

/** Reads `experiments/<name>.json` beside the pipeline specs and validates it; every problem names the file and the field. */
export async function loadExperimentSpec(name: string, pipelinesDir?: string): Promise<ExperimentSpec> {
  const file = path.join(experimentsDir(pipelinesDir), `${name}.json`);
  const spec = await readExperimentFile(file, `no experiment "${name}"`);
  if (spec.name !== name) throw new DriftlineError('InvalidInput', `Experiment ${file}: name is "${spec.name}", expected "${name}"`);
  return spec;
}

/** Reads an experiment spec file anywhere (`experiment run --file`) and validates it, naming the file and the field. */
export async function readExperimentFile(file: string, missing = 'no such file'): Promise<ExperimentSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new DriftlineError('InvalidInput', `experiment: ${missing} (${file} does not exist)`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DriftlineError('InvalidInput', `Experiment ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseExperimentSpec(json, `Experiment ${file}`);
}

/** Validates an experiment given inline (workflow input, CLI file) as a file's is. */
export function parseExperimentSpec(json: unknown, what = 'Experiment'): ExperimentSpec {
  const result = ExperimentSpec.safeParse(json);
  if (!result.success) throw new DriftlineError('InvalidInput', `${what} is invalid: ${formatZodError(result.error)}`);
  return result.data;
}

/**
 * What the experiment asks of its pipeline (pipeline-fit.ts), and that the pipeline forecasts a
 * number over time: cells are scored by rolling-origin backtests, which score regressors over time.
 */
export function checkAgainstPipeline(experiment: ExperimentSpec, pipeline: PipelineSpec): void {
  checkExperimentAgainstPipeline(experiment, pipeline);
  if (taskOf(pipeline) !== 'regression' || pipeline.kind !== 'time-series') {
    throw new DriftlineError('InvalidInput', `Experiment "${experiment.name}": pipeline: cells are scored by rolling-origin backtests, which need a time-series regression; "${pipeline.name}" is a ${pipeline.kind} ${taskOf(pipeline)}`);
  }
}
