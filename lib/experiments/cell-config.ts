import { DriftlineError, formatZodError } from '../errors';
import { PipelineSpec } from '../spec/pipeline-spec';
import { BUILT_IN_PARAMS } from '../trainers/built-in';
import type { DesignCell } from './design';
import type { ExperimentSpec, Factor, Level } from './experiment-spec';

/** "alpha=10, trainer=ridge, promotion×winter=on": a cell as people read it. */
export function describeLevels(levels: Record<string, Level>): string {
  return Object.entries(levels)
    .map(([name, level]) => `${name}=${levelText(level)}`)
    .join(', ');
}

/** One level as people read it: "[1,12]" for a lag set, "on"/"off" for a switch. */
export function levelText(level: Level): string {
  return Array.isArray(level) ? `[${level.join(',')}]` : typeof level === 'boolean' ? (level ? 'on' : 'off') : String(level);
}

/**
 * The pipeline as one cell of the experiment runs it: each factor's level applied to the spec
 * (a parameter, the trainer, a column in or out of the features, the lag set, an expert's
 * interaction on or off), then validated as any pipeline spec is, with the trainer's parameters.
 * A combination no pipeline could run fails here, naming the cell and the field.
 *
 * A trainer factor that changes the trainer starts it from its own defaults: the pipeline's
 * parameters belong to the pipeline's trainer; param factors still apply to every cell.
 */
export function configureCell(pipeline: PipelineSpec, factors: ExperimentSpec['factors'], cell: Pick<DesignCell, 'index' | 'levels'>): PipelineSpec {
  const spec = structuredClone(pipeline);
  const trainerLevel = Object.entries(factors).find(([, factor]) => factor.kind === 'trainer');
  if (trainerLevel) {
    const trainer = cell.levels[trainerLevel[0]] as PipelineSpec['model']['trainer'];
    if (trainer !== pipeline.model.trainer) spec.model.params = {};
    spec.model.trainer = trainer;
  }
  for (const [name, factor] of Object.entries(factors)) {
    const level = cell.levels[name];
    if (level === undefined) throw new DriftlineError('InvalidInput', `cell ${cell.index}: no level for factor "${name}"`);
    applyLevel(spec, factor, level);
  }
  const parsed = PipelineSpec.safeParse(spec);
  if (!parsed.success) throw refused(cell, formatZodError(parsed.error));
  const { trainer, params } = parsed.data.model;
  if (typeof trainer === 'string') {
    const checked = BUILT_IN_PARAMS[trainer].safeParse(params);
    if (!checked.success) throw refused(cell, `model.params for the ${trainer} trainer: ${formatZodError(checked.error)}`);
  }
  return parsed.data;
}

function refused(cell: Pick<DesignCell, 'index' | 'levels'>, why: string): DriftlineError {
  return new DriftlineError('InvalidInput', `cell ${cell.index} (${describeLevels(cell.levels)}) is not a valid pipeline: ${why}`);
}

function applyLevel(spec: PipelineSpec, factor: Factor, level: Level): void {
  const { features } = spec;
  switch (factor.kind) {
    case 'param':
    case 'continuous':
      spec.model.params = { ...spec.model.params, [factor.param]: level };
      return;
    case 'trainer':
      return;
    case 'lags':
      features.targetLags = [...(level as number[])];
      return;
    case 'feature': {
      const list = spec.columns[factor.column]?.type === 'categorical' ? 'categorical' : 'columns';
      features.columns = features.columns.filter((c) => c !== factor.column);
      features.categorical = features.categorical.filter((c) => c !== factor.column);
      if (level === true) features[list] = [...features[list], factor.column];
      return;
    }
    case 'interaction': {
      const [a, b] = factor.columns;
      features.interactions = features.interactions.filter(([x, y]) => !((x === a && y === b) || (x === b && y === a)));
      if (level === true) features.interactions = [...features.interactions, [a, b]];
      return;
    }
  }
}

/**
 * The levels of the configuration in service, when every factor's current setting is one of its
 * levels: what a recommendation must beat beyond noise. Parameters come from the champion's
 * version when there is one (it may have been trained with overrides), else from the spec.
 */
export function currentLevels(pipeline: PipelineSpec, factors: ExperimentSpec['factors'], championParams?: Record<string, unknown>): Record<string, Level> | undefined {
  const params = championParams ?? pipeline.model.params;
  const levels: Record<string, Level> = {};
  for (const [name, factor] of Object.entries(factors)) {
    const current = currentSetting(pipeline, factor, params);
    if (factor.kind === 'continuous') return undefined;
    const match = factor.levels.find((level) => JSON.stringify(level) === JSON.stringify(current));
    if (match === undefined) return undefined;
    levels[name] = match;
  }
  return levels;
}

function currentSetting(pipeline: PipelineSpec, factor: Factor, params: Record<string, unknown>): unknown {
  const { features } = pipeline;
  switch (factor.kind) {
    case 'param':
    case 'continuous':
      return params[factor.param];
    case 'trainer':
      return pipeline.model.trainer;
    case 'lags':
      return features.targetLags;
    case 'feature':
      return features.columns.includes(factor.column) || features.categorical.includes(factor.column);
    case 'interaction': {
      const [a, b] = factor.columns;
      return features.interactions.some(([x, y]) => (x === a && y === b) || (x === b && y === a));
    }
  }
}

/**
 * The parameter overrides that turn the pipeline into a cell's configuration, for a normal run
 * (`params` of modelPipeline). Only numeric parameters can be overridden per run: a cell that also
 * changes the trainer or the features is refused, naming what to change in the pipeline spec.
 */
export function paramOverridesOf(pipeline: PipelineSpec, factors: ExperimentSpec['factors'], cell: Pick<DesignCell, 'index' | 'levels'>): Record<string, number> {
  const configured = configureCell(pipeline, factors, cell);
  const differs: string[] = [];
  if (JSON.stringify(configured.model.trainer) !== JSON.stringify(pipeline.model.trainer)) differs.push(`model.trainer → ${JSON.stringify(configured.model.trainer)}`);
  if (JSON.stringify(configured.features) !== JSON.stringify(pipeline.features)) differs.push(`features → ${JSON.stringify(configured.features)}`);
  const params: Record<string, number> = {};
  for (const [name, value] of Object.entries(configured.model.params)) {
    if (JSON.stringify(value) === JSON.stringify(pipeline.model.params[name])) continue;
    if (typeof value === 'number') params[name] = value;
    else differs.push(`model.params.${name} → ${JSON.stringify(value)}`);
  }
  if (differs.length > 0) {
    throw new DriftlineError('InvalidInput', `cell ${cell.index} changes more than numeric parameters, which a run cannot override: set ${differs.join('; ')} in pipeline "${pipeline.name}"'s spec and run it`);
  }
  return params;
}
