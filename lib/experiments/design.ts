import { mulberry32 } from '../stats/mulberry32';
import type { ExperimentSpec, Factor, Level } from './experiment-spec';
import {
  FACTOR_LETTERS,
  aliasesOf,
  byOrderThenMask,
  fractionalPlan,
  lettersOfMask,
  order,
  romanResolution,
  type FractionalPlan,
} from './fractional-factorial';

/** One combination of levels the experiment runs (each then replicated over folds and seeds). */
export interface DesignCell {
  index: number;
  /** Factor name → the level this cell uses. */
  levels: Record<string, Level>;
  /**
   * Factor name → its coded value: −1 / +1 for the first / second level of a two-level factor, the
   * level's index for a factor of more levels, and the position in [−1, 1] of a sampled continuous value.
   */
  coded: Record<string, number>;
}

/** The cells of the declared design, in standard order (the first factor changes fastest). */
export function designCells(spec: Pick<ExperimentSpec, 'factors' | 'design'>): DesignCell[] {
  const { design } = spec;
  if (design.kind === 'full-factorial') return fullFactorial(spec.factors);
  if (design.kind === 'fractional-factorial') return fractionalFactorial(spec.factors, planOf(spec));
  return sampled(spec.factors, design.cells, design.seed, design.kind === 'latin-hypercube');
}

/** How a fractional design confounds effects; an empty structure for designs that confound nothing. */
export interface AliasStructure {
  /** Factor name → its letter in the generators and defining relation. */
  letters: Record<string, string>;
  /** "E = ABC": each generated factor as the product of basic ones. */
  generators: string[];
  /** "I = ABCE": every word of the defining relation, shortest first. */
  definingRelation: string[];
  /** The design's resolution ("IV"); "full" for a design that aliases nothing. */
  resolution: string;
  /**
   * Chains of main effects and two-factor interactions that the design cannot tell apart (effects
   * of three or more factors ignored, as is usual), each chain in order of (order, letters), named
   * by factor: [["a:b", "c:e", "f:g"], …]. Effects aliased with nothing are absent.
   */
  aliases: string[][];
}

export function designAliases(spec: Pick<ExperimentSpec, 'factors' | 'design'>): AliasStructure {
  const names = Object.keys(spec.factors);
  const letters = Object.fromEntries(names.map((name, i) => [name, FACTOR_LETTERS[i] as string]));
  if (spec.design.kind !== 'fractional-factorial') return { letters, generators: [], definingRelation: [], resolution: 'full', aliases: [] };
  const plan = planOf(spec);
  const basic = plan.factors - plan.generated;
  const generators = plan.generatorMasks.map((mask, j) => `${FACTOR_LETTERS[basic + j]} = ${lettersOfMask(mask)}`);
  const definingRelation = [...plan.definingWords].sort(byOrderThenMask).map((word) => `I = ${lettersOfMask(word)}`);
  return { letters, generators, definingRelation, resolution: romanResolution(plan.resolution), aliases: aliasChains(plan, names) };
}

/** The name of an effect (a mask over factors): "a" for a main effect, "a:b" for an interaction. */
export function effectName(mask: number, names: string[]): string {
  return names.filter((_, i) => mask & (1 << i)).join(':');
}

/** Every alias chain among effects of order ≤ 2 that holds more than one effect, each listed once. */
function aliasChains(plan: FractionalPlan, names: string[]): string[][] {
  const seen = new Set<number>();
  const chains: string[][] = [];
  for (const effect of effectsUpToOrder(plan.factors, 2)) {
    if (seen.has(effect)) continue;
    const chain = aliasesOf(plan, effect, 2);
    chain.forEach((e) => seen.add(e));
    if (chain.length > 1) chains.push(chain.map((e) => effectName(e, names)));
  }
  return chains;
}

/** Masks of all main effects then all two-factor interactions, in (order, mask) order. */
export function effectsUpToOrder(k: number, maxOrder: 1 | 2): number[] {
  const effects: number[] = [];
  for (let i = 0; i < k; i += 1) effects.push(1 << i);
  if (maxOrder === 2) for (let i = 0; i < k; i += 1) for (let j = i + 1; j < k; j += 1) effects.push((1 << i) | (1 << j));
  return effects.sort(byOrderThenMask).filter((e) => order(e) <= maxOrder);
}

function planOf(spec: Pick<ExperimentSpec, 'factors' | 'design'>): FractionalPlan {
  if (spec.design.kind !== 'fractional-factorial') throw new Error('not a fractional design');
  const k = Object.keys(spec.factors).length;
  const plan = fractionalPlan(k, spec.design.resolution);
  // The spec refuses such a design at load; reaching this is a bug.
  if (plan === undefined) throw new Error(`no fractional design of resolution ${spec.design.resolution} for ${k} factors`);
  return plan;
}

/** The level of a discrete factor by its index, and its code. */
function discrete(factor: Exclude<Factor, { kind: 'continuous' }>, index: number): { level: Level; coded: number } {
  const level = factor.levels[index] as Level;
  return { level, coded: factor.levels.length === 2 ? 2 * index - 1 : index };
}

/** Every combination of levels (mixed numbers of levels), the first factor changing fastest. */
function fullFactorial(factors: Record<string, Factor>): DesignCell[] {
  const entries = Object.entries(factors).map(([name, factor]) => {
    if (factor.kind === 'continuous') throw new Error(`factor ${name}: a continuous factor has no levels to cross`);
    return [name, factor] as const;
  });
  const total = entries.reduce((n, [, factor]) => n * factor.levels.length, 1);
  return Array.from({ length: total }, (_, index) => {
    const cell: DesignCell = { index, levels: {}, coded: {} };
    let rest = index;
    for (const [name, factor] of entries) {
      const { level, coded } = discrete(factor, rest % factor.levels.length);
      rest = Math.floor(rest / factor.levels.length);
      cell.levels[name] = level;
      cell.coded[name] = coded;
    }
    return cell;
  });
}

/** The 2^(k−p) runs: basic factors in standard order, each generated factor the product of its generator's columns. */
function fractionalFactorial(factors: Record<string, Factor>, plan: FractionalPlan): DesignCell[] {
  const entries = Object.entries(factors);
  const basic = plan.factors - plan.generated;
  return Array.from({ length: plan.runs }, (_, index) => {
    const sign = (i: number) => ((index >> i) & 1 ? 1 : -1);
    const signs = entries.map((_, i) => {
      if (i < basic) return sign(i);
      const generator = plan.generatorMasks[i - basic] as number;
      return entries.reduce((product, __, b) => (generator & (1 << b) ? product * sign(b) : product), 1);
    });
    const cell: DesignCell = { index, levels: {}, coded: {} };
    entries.forEach(([name, factor], i) => {
      if (factor.kind === 'continuous') throw new Error(`factor ${name}: a fractional factorial needs two-level factors`);
      const { level, coded } = discrete(factor, ((signs[i] as number) + 1) / 2);
      cell.levels[name] = level;
      cell.coded[name] = coded;
    });
    return cell;
  });
}

/**
 * Latin hypercube (`stratified`): each factor's range is cut into n equal strata and every stratum
 * holds exactly one cell, at a uniform point within it, the strata paired across factors by a
 * random permutation per factor. Random: each coordinate uniform. A discrete factor takes the
 * level whose share of [0, 1) the point falls in, so a hypercube spreads its levels evenly too.
 * Seeded: the same spec always gives the same cells.
 */
function sampled(factors: Record<string, Factor>, n: number, seed: number, stratified: boolean): DesignCell[] {
  const random = mulberry32(seed);
  const cells: DesignCell[] = Array.from({ length: n }, (_, index) => ({ index, levels: {}, coded: {} }));
  for (const [name, factor] of Object.entries(factors)) {
    const strata = stratified ? shuffled(n, random) : undefined;
    cells.forEach((cell, i) => {
      const u = strata ? ((strata[i] as number) + random()) / n : random();
      if (factor.kind === 'continuous') {
        cell.levels[name] = continuousValue(factor, u);
        cell.coded[name] = 2 * u - 1;
      } else {
        const { level, coded } = discrete(factor, Math.min(factor.levels.length - 1, Math.floor(u * factor.levels.length)));
        cell.levels[name] = level;
        cell.coded[name] = coded;
      }
    });
  }
  return cells;
}

/** The value at position u ∈ [0, 1) of a continuous factor's range (geometric with `log`). */
function continuousValue(factor: Extract<Factor, { kind: 'continuous' }>, u: number): number {
  if (factor.log) return Math.exp(Math.log(factor.min) + u * (Math.log(factor.max) - Math.log(factor.min)));
  return factor.min + u * (factor.max - factor.min);
}

/** 0 … n − 1 in random order (Fisher–Yates). */
function shuffled(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}
