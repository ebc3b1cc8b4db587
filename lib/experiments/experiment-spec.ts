import { z } from 'zod';
import { lazySchema } from '../lazy-schema';
import { MAX_CELLS_PER_BATCH } from './batches';
import { fractionalPlan, romanResolution, tabulatedPlans } from './fractional-factorial';

/**
 * An experiment: which choices (factors) to vary on one pipeline, which combinations of their
 * levels to run (the design), how often each is repeated (replication) and how much machine it may
 * use (budget). Declared in `experiments/<name>.json`; every level is strict, so a misspelt key is
 * refused by name, and each refusal names the field.
 */

/** What one factor takes in one cell: a parameter's value, a trainer, include-or-not, a lag set. */
export type Level = number | string | boolean | number[];

const FactorName = z
  .string()
  .max(64, { message: 'at most 64 characters' })
  .regex(/^[A-Za-z][A-Za-z0-9_]*$/, { message: 'a letter, then letters, digits or underscores' });

/** Levels are compared by value: two equal levels would make one cell twice and hide an effect. */
function distinctLevels<T>(levels: T[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  levels.forEach((level, i) => {
    const key = JSON.stringify(level);
    if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `level ${key} is declared twice` });
    seen.add(key);
  });
}

function levelsOf<T extends z.ZodType>(level: T) {
  return z.array(level).min(2, { message: 'a factor needs at least two levels' }).max(50).superRefine(distinctLevels);
}

/** On/off levels; the first is coded −1 and the second +1, so "included" is the positive direction. */
const Switch = z.array(z.boolean()).length(2, { message: 'two levels: [false, true]' }).superRefine(distinctLevels).default([false, true]);

/** A model parameter, e.g. `{ "kind": "param", "param": "alpha", "levels": [0.1, 1, 10] }`. */
const ParamFactor = z
  .object({
    kind: z.literal('param'),
    param: z.string().min(1).max(100),
    levels: levelsOf(z.union([z.number(), z.string().max(200), z.boolean()])),
  })
  .strict();

/** Which built-in trainer fits the model (its parameters come from the pipeline or from param factors). */
const TrainerFactor = z
  .object({
    kind: z.literal('trainer'),
    levels: levelsOf(z.enum(['ridge', 'gradient-boosting', 'logistic'])),
  })
  .strict();

/** A pipeline column used as a feature or left out. */
const FeatureFactor = z
  .object({
    kind: z.literal('feature'),
    column: z.string().min(1),
    levels: Switch,
  })
  .strict();

/** The set of target lags, e.g. `[[1], [1, 12]]`. */
const LagsFactor = z
  .object({
    kind: z.literal('lags'),
    levels: levelsOf(z.array(z.number().int().positive().max(10_000)).max(100)),
  })
  .strict();

/**
 * A candidate interaction a subject matter expert names ("promotions matter more in winter":
 * `["promotion", "winter"]`): the product of the two columns as a feature, or not.
 */
const InteractionFactor = z
  .object({
    kind: z.literal('interaction'),
    columns: z.tuple([z.string().min(1), z.string().min(1)]),
    levels: Switch,
  })
  .strict()
  .refine((factor) => factor.columns[0] !== factor.columns[1], { path: ['columns', 1], message: 'an interaction is of two different columns' });

/** A numeric parameter sampled in [min, max] (on a log scale with `log`); Latin hypercube and random designs only. */
const ContinuousFactor = z
  .object({
    kind: z.literal('continuous'),
    param: z.string().min(1).max(100),
    min: z.number(),
    max: z.number(),
    log: z.boolean().default(false),
  })
  .strict()
  .superRefine((factor, ctx) => {
    if (!(factor.max > factor.min)) ctx.addIssue({ code: 'custom', path: ['max'], message: `must be above min (${factor.min})` });
    if (factor.log && !(factor.min > 0)) ctx.addIssue({ code: 'custom', path: ['min'], message: 'a log scale needs min > 0' });
  });

export const Factor = z.discriminatedUnion('kind', [ParamFactor, TrainerFactor, FeatureFactor, LagsFactor, InteractionFactor, ContinuousFactor]);
export type Factor = z.infer<typeof Factor>;

/** Fewer factors is a plain comparison; more than 12 is past the generator table and any sane budget. */
export const MAX_FACTORS = 12;
/** The largest design accepted: the workflow continues as new every few hundred cells, but every cell is a fit. */
export const MAX_CELLS = 10_000;

const Design = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('full-factorial') }).strict(),
  z.object({ kind: z.literal('fractional-factorial'), resolution: z.enum(['III', 'IV', 'V']) }).strict(),
  z
    .object({
      kind: z.enum(['latin-hypercube', 'random']),
      cells: z.number().int().min(2).max(MAX_CELLS),
      seed: z.number().int().min(0).max(2 ** 32 - 1),
    })
    .strict(),
]);
export type Design = z.infer<typeof Design>;

const Replication = z
  .object({
    /** Rolling-origin folds: each cell is scored on this many successive holdout windows. */
    folds: z.number().int().min(1).max(50).default(3),
    /** Training seeds (for trainers that draw random numbers): each fold is run once per seed, and scored by their mean. */
    seeds: z.array(z.number().int().min(0).max(2 ** 32 - 1)).min(1).max(20).superRefine(distinctLevels).default([0]),
  })
  .strict();

const Budget = z
  .object({
    /** Cells trained at the same time. */
    parallel: z.number().int().min(1).max(64).default(4),
    /** The whole experiment stops (and is analysed as far as it got) after this long. */
    maxMinutes: z.number().positive().max(7 * 24 * 60).default(60),
    /**
     * Cells one activity scores in turn on one load of the rows (batches.ts); by default the
     * design is spread evenly over `parallel` batches. 1 gives each cell its own activity.
     */
    cellsPerBatch: z.number().int().min(1).max(MAX_CELLS_PER_BATCH).optional(),
  })
  .strict();

const ExperimentFields = z
  .object({
    name: z.string().max(200).regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'lowercase letters, digits and dashes' }),
    /** The pipeline whose data, features and model the cells vary. */
    pipeline: z.string().max(200).regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'lowercase letters, digits and dashes' }),
    description: z.string().max(2_000).optional(),
    factors: z.record(FactorName, Factor),
    design: Design,
    replication: Replication.default({ folds: 3, seeds: [0] }),
    budget: Budget.default({ parallel: 4, maxMinutes: 60 }),
  })
  .strict();
export type ExperimentSpec = z.infer<typeof ExperimentFields>;

// Built on first use: workflows import this module, and most runs never parse an experiment.
export const ExperimentSpec = lazySchema(() => ExperimentFields.superRefine(checkDesign));

/** How many cells the declared design runs (before replication). */
export function cellCount(spec: Pick<ExperimentSpec, 'factors' | 'design'>): number {
  const factors = Object.values(spec.factors);
  if (spec.design.kind === 'latin-hypercube' || spec.design.kind === 'random') return spec.design.cells;
  if (spec.design.kind === 'fractional-factorial') return fractionalPlan(factors.length, spec.design.resolution)?.runs ?? 0;
  return factors.reduce((cells, factor) => cells * levelCount(factor), 1);
}

/** The number of levels of a discrete factor (Infinity for a continuous one). */
function levelCount(factor: Factor): number {
  return factor.kind === 'continuous' ? Infinity : factor.levels.length;
}

/** The rules that tie factors to the design, each refusal naming the field that breaks it. */
function checkDesign(spec: ExperimentSpec, ctx: z.RefinementCtx): void {
  const names = Object.keys(spec.factors);
  if (names.length < 2 || names.length > MAX_FACTORS) {
    ctx.addIssue({ code: 'custom', path: ['factors'], message: `declare 2 to ${MAX_FACTORS} factors (got ${names.length})` });
    return;
  }
  checkFactorsDoNotCollide(spec, ctx);
  const { design } = spec;
  if (design.kind !== 'full-factorial' && design.kind !== 'fractional-factorial') return;
  names.forEach((name) => {
    if (spec.factors[name]?.kind === 'continuous') {
      ctx.addIssue({ code: 'custom', path: ['factors', name, 'kind'], message: `a continuous factor is sampled: use design "latin-hypercube" or "random", not "${design.kind}"` });
    }
  });
  if (design.kind === 'full-factorial') {
    const cells = cellCount(spec);
    if (cells > MAX_CELLS) ctx.addIssue({ code: 'custom', path: ['design'], message: `the full factorial has ${cells} cells (at most ${MAX_CELLS}): use "fractional-factorial" or "latin-hypercube"` });
    return;
  }
  const { resolution } = design;
  names.forEach((name) => {
    const factor = spec.factors[name] as Factor;
    if (factor.kind !== 'continuous' && factor.levels.length !== 2) {
      ctx.addIssue({ code: 'custom', path: ['factors', name, 'levels'], message: `a fractional factorial needs two levels per factor (got ${factor.levels.length})` });
    }
  });
  if (fractionalPlan(names.length, resolution) === undefined) {
    const best = Math.max(0, ...tabulatedPlans(names.length).map((plan) => plan.resolution));
    const reach = best === 0 ? 'no fraction of it is' : `the best fraction is resolution ${romanResolution(best)}`;
    ctx.addIssue({
      code: 'custom',
      path: ['design', 'resolution'],
      message: `${names.length} two-level factors cannot reach resolution ${resolution} in fewer runs than the full factorial (${2 ** names.length} cells; ${reach}): use "full-factorial" or a lower resolution`,
    });
  }
}

/** Two factors that set the same thing would overwrite each other in every cell. */
function checkFactorsDoNotCollide(spec: ExperimentSpec, ctx: z.RefinementCtx): void {
  const owner = new Map<string, string>();
  for (const [name, factor] of Object.entries(spec.factors)) {
    const target = settingOf(factor);
    const first = owner.get(target);
    if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['factors', name], message: `sets the same ${target.replace(':', ' ')} as factor "${first}"` });
    else owner.set(target, name);
  }
}

/** What a factor changes in a pipeline, as a key two factors must not share. */
function settingOf(factor: Factor): string {
  if (factor.kind === 'param' || factor.kind === 'continuous') return `param:${factor.param}`;
  if (factor.kind === 'feature') return `feature:${factor.column}`;
  if (factor.kind === 'interaction') return `interaction:${[...factor.columns].sort().join('×')}`;
  return factor.kind;
}
