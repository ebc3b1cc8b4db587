import { DriftlineError } from '../errors';
import { taskOf, type PipelineSpec } from '../spec/pipeline-spec';
import type { ExperimentSpec } from './experiment-spec';

export interface ExperimentIssue {
  path: (string | number)[];
  message: string;
}

/** Features an interaction may multiply besides columns: the derived ones lib/model/features.ts names. */
const DERIVED_FEATURE = /^target_(lag|rolling_mean)_(\d+)$/;

/**
 * What the experiment asks of its pipeline that the pipeline cannot give: a column it does not
 * declare, an interaction of something that is no number, lags of a cross-sectional target, a
 * trainer of the wrong task. Checked when the experiment is loaded, before any cell runs.
 */
export function experimentIssues(experiment: ExperimentSpec, pipeline: PipelineSpec): ExperimentIssue[] {
  const issues: ExperimentIssue[] = [];
  if (experiment.pipeline !== pipeline.name) issues.push({ path: ['pipeline'], message: `is "${experiment.pipeline}", but the pipeline given is "${pipeline.name}"` });
  const typeOf = (column: string) => pipeline.columns[column]?.type;
  const notDeclared = (column: string) => `column "${column}" is not declared in pipeline "${pipeline.name}" (declared: ${Object.keys(pipeline.columns).join(', ')})`;
  const task = taskOf(pipeline);
  for (const [name, factor] of Object.entries(experiment.factors)) {
    const at = (...rest: (string | number)[]) => ['factors', name, ...rest];
    if (factor.kind === 'feature') {
      const type = typeOf(factor.column);
      if (type === undefined) issues.push({ path: at('column'), message: notDeclared(factor.column) });
      else if (type === 'timestamp') issues.push({ path: at('column'), message: `"${factor.column}" is a timestamp: it orders the rows and is no feature` });
    }
    if (factor.kind === 'interaction') {
      factor.columns.forEach((column, i) => {
        const missing = featureInEveryCell(column, experiment, pipeline);
        if (missing !== undefined) issues.push({ path: at('columns', i), message: missing });
      });
    }
    if (factor.kind === 'lags' && (pipeline.kind === 'cross-sectional' || task === 'classification')) {
      issues.push({ path: at('kind'), message: pipeline.kind === 'cross-sectional' ? 'a cross-sectional pipeline has no lags of the target' : 'classes have no lags' });
    }
    if (factor.kind === 'trainer') {
      factor.levels.forEach((trainer, i) => {
        if ((trainer === 'ridge' && task === 'classification') || (trainer === 'logistic' && task === 'regression')) {
          issues.push({ path: at('levels', i), message: `${trainer} does not fit a ${task} target` });
        }
      });
    }
  }
  if (experiment.replication.seeds.length > 1 && !someCellDrawsRandomNumbers(experiment, pipeline)) {
    issues.push({
      path: ['replication', 'seeds'],
      message: `no cell's trainer draws random numbers, so every seed would repeat the same scores and overstate the evidence as if they were new windows: declare one seed and replicate with folds`,
    });
  }
  return issues;
}

/**
 * Whether some cell may be seeded (score-cell.ts isSeeded): a gradient-boosting trainer, the
 * pipeline's or a trainer factor's level, or a `seed` parameter a team's module takes.
 */
function someCellDrawsRandomNumbers(experiment: ExperimentSpec, pipeline: PipelineSpec): boolean {
  const factors = Object.values(experiment.factors);
  const trainers = factors.flatMap((f) => (f.kind === 'trainer' ? f.levels : []));
  if ((trainers.length > 0 ? trainers : [pipeline.model.trainer]).includes('gradient-boosting')) return true;
  return 'seed' in pipeline.model.params || factors.some((f) => (f.kind === 'param' || f.kind === 'continuous') && f.param === 'seed');
}

/**
 * Why an interaction cannot multiply `name` in every cell, or undefined when it can: a product
 * needs both of its features in the model (lib/model/features.ts), so the column must be a numeric
 * feature of the pipeline that no factor leaves out, or a lag or rolling mean every cell has.
 */
function featureInEveryCell(name: string, experiment: ExperimentSpec, pipeline: PipelineSpec): string | undefined {
  const factors = Object.entries(experiment.factors);
  const derived = DERIVED_FEATURE.exec(name);
  if (derived) {
    const n = Number(derived[2]);
    if (derived[1] === 'rolling_mean') return pipeline.features.targetRollingMeans.includes(n) ? undefined : `"${name}" is not a feature of pipeline "${pipeline.name}": add ${n} to features.targetRollingMeans`;
    const lagSets = factors.flatMap(([, f]) => (f.kind === 'lags' ? f.levels : []));
    const everyCell = lagSets.length > 0 ? lagSets.every((lags) => lags.includes(n)) : pipeline.features.targetLags.includes(n);
    return everyCell ? undefined : `"${name}" needs lag ${n} in every cell (the pipeline's features.targetLags, or every level of the lags factor)`;
  }
  const type = pipeline.columns[name]?.type;
  if (type === undefined) return `column "${name}" is not declared in pipeline "${pipeline.name}" (declared: ${Object.keys(pipeline.columns).join(', ')}), nor a derived feature (target_lag_N, target_rolling_mean_N)`;
  if (type !== 'numeric' && type !== 'integer' && type !== 'boolean') return `an interaction multiplies numbers; "${name}" is ${type}`;
  const toggled = factors.find(([, f]) => f.kind === 'feature' && f.column === name);
  if (toggled) return `factor "${toggled[0]}" leaves "${name}" out of some cells, where there is nothing to multiply: keep it in the pipeline's features`;
  if (!pipeline.features.columns.includes(name)) return `"${name}" is not a feature of pipeline "${pipeline.name}": add it to features.columns`;
  return undefined;
}

/** Throws an InvalidInput naming every field of the experiment its pipeline cannot run. */
export function checkExperimentAgainstPipeline(experiment: ExperimentSpec, pipeline: PipelineSpec): void {
  const issues = experimentIssues(experiment, pipeline);
  if (issues.length === 0) return;
  const list = issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
  throw new DriftlineError('InvalidInput', `Experiment "${experiment.name}" does not fit pipeline "${pipeline.name}": ${list}`);
}
