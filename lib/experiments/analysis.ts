import { fSf, studentTQuantile, studentTSf } from '../stats/beta';
import { designAliases, designCells, effectName, effectsUpToOrder, type DesignCell } from './design';
import { cellCount, type ExperimentSpec, type Level } from './experiment-spec';
import { regressionEffects } from './regression-effects';

/** What one cell scored: one score per replicate (a fold, its seeds averaged; in the same order for every cell). */
export interface CellResult {
  index: number;
  levels: Record<string, Level>;
  scores: number[];
  metric: string;
  lowerIsBetter: boolean;
}

export interface CellSummary {
  index: number;
  levels: Record<string, Level>;
  replicates: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
}

/** One row of the ANOVA: a main effect, a two-factor interaction (or the alias chain holding it), replicates, error. */
export interface EffectEstimate {
  /** "a", "a:b", or for an alias chain "a:b = c:e = f:g". */
  term: string;
  factors: string[];
  /**
   * Two-level terms: mean at +1 minus mean at −1 (for an interaction, the mean where the codes agree
   * minus where they differ: half the difference of the simple effects). A main effect of more
   * levels: the range of the level means; an interaction with more levels: the root mean square of
   * what the pair's cell means leave after both main effects (its size in the metric's units).
   */
  effect: number;
  /** Two-level terms only (a range has no simple standard error). */
  standardError?: number;
  ci95?: [number, number];
  sumOfSquares: number;
  df: number;
  meanSquare: number;
  f?: number;
  p?: number;
  significant: boolean;
  /** Share of the total sum of squares (about the grand mean). */
  shareOfVariance: number;
  /** Level → mean metric, for main effects (what a main-effects plot draws). */
  levelMeans?: { level: Level; mean: number }[];
}

export interface ExperimentAnalysis {
  metric: string;
  lowerIsBetter: boolean;
  cells: CellSummary[];
  /** Empty when the results are no complete, equally replicated factorial (say why in `note`). */
  effects: EffectEstimate[];
  /** Replicate blocks (folds) and residual error. */
  replicates?: { sumOfSquares: number; df: number };
  error?: { sumOfSquares: number; df: number; meanSquare: number };
  totalSumOfSquares: number;
  aliases: string[][];
  resolution: string;
  best: CellSummary;
  /** The metric to expect from the best configuration: its mean ± t·sd over replicates. */
  expectedRange: { mean: number; low: number; high: number; halfWidth: number; replicates: number; text: string };
  recommendation: Recommendation;
  note?: string;
}

export type Recommendation =
  /** `advantage` and `ci95`: over the champion's configuration, paired by replicate (absent without one). */
  | { action: 'adopt'; cell: number; levels: Record<string, Level>; advantage?: number; ci95?: [number, number]; reason: string }
  | { action: 'keep'; reason: string };

const ALPHA = 0.05;

/**
 * Main effects and two-factor interactions by ANOVA over every replicate of every cell, with the
 * replicates (folds) as blocks: the same window scores every configuration, so the
 * window-to-window swing is removed from the error the effects are judged against. The sums of
 * squares use the balanced-design formulas (exact for complete factorials and regular fractions,
 * whose effects are orthogonal); a fractional design reports an alias chain once, by its chain.
 */
export function analyseExperiment(spec: Pick<ExperimentSpec, 'factors' | 'design'>, results: CellResult[], baseline?: Record<string, Level>): ExperimentAnalysis {
  const first = results[0];
  if (first === undefined) throw new Error('no cell results to analyse');
  const { metric, lowerIsBetter } = first;
  const cells = results.map(summarise);
  const best = [...cells].sort((a, b) => (lowerIsBetter ? a.mean - b.mean : b.mean - a.mean))[0] as CellSummary;
  const structure = designAliases(spec);
  const anova = anovaOf(spec, results, structure.aliases);
  return {
    metric,
    lowerIsBetter,
    cells,
    ...anova,
    aliases: structure.aliases,
    resolution: structure.resolution,
    best,
    expectedRange: expectedRange(metric, best),
    recommendation: recommend(results, cells, lowerIsBetter, baseline),
  };
}

function summarise(result: CellResult): CellSummary {
  const n = result.scores.length;
  const mean = result.scores.reduce((s, v) => s + v, 0) / n;
  const sd = n > 1 ? Math.sqrt(result.scores.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { index: result.index, levels: result.levels, replicates: n, mean, sd, min: Math.min(...result.scores), max: Math.max(...result.scores) };
}

type Anova = Pick<ExperimentAnalysis, 'effects' | 'replicates' | 'error' | 'totalSumOfSquares' | 'note'>;

function anovaOf(spec: Pick<ExperimentSpec, 'factors' | 'design'>, results: CellResult[], aliases: string[][]): Anova {
  const all = results.flatMap((r) => r.scores);
  const grand = all.reduce((s, v) => s + v, 0) / all.length;
  const totalSumOfSquares = all.reduce((s, v) => s + (v - grand) ** 2, 0);
  if (spec.design.kind === 'latin-hypercube' || spec.design.kind === 'random') return sampledEffects(spec, results, totalSumOfSquares);
  const expected = cellCount(spec);
  const replicates = results[0]?.scores.length ?? 0;
  if (results.length !== expected || results.some((r) => r.scores.length !== replicates)) {
    return { effects: [], totalSumOfSquares, note: `effects need every cell with the same replicates (${results.length} of ${expected} cells)` };
  }
  const names = Object.keys(spec.factors);
  const observations = results.flatMap((r) => r.scores.map((score, replicate) => ({ levels: r.levels, replicate, score })));
  const n = observations.length;
  // An alias chain is one estimable effect: estimated once, under the chain's name.
  const chainOf = new Map<string, string[]>();
  for (const chain of aliases) chain.forEach((term) => chainOf.set(term, chain));
  const done = new Set<string>();
  const terms: { term: string; factors: string[] }[] = [];
  for (const mask of effectsUpToOrder(names.length, 2)) {
    const name = effectName(mask, names);
    if (done.has(name)) continue;
    const chain = chainOf.get(name) ?? [name];
    chain.forEach((t) => done.add(t));
    terms.push({ term: chain.join(' = '), factors: name.split(':') });
  }
  const rows = terms.map(({ term, factors }) => ({ term, factors, ...sumOfSquares(observations, factors, grand, spec) }));
  const blocks = groupMeans(observations, (o) => String(o.replicate));
  const replicateSs = [...blocks.values()].reduce((s, g) => s + g.count * (g.mean - grand) ** 2, 0);
  const replicateDf = replicates - 1;
  const modelDf = rows.reduce((s, r) => s + r.df, 0);
  const errorDf = n - 1 - modelDf - replicateDf;
  const errorSs = Math.max(0, totalSumOfSquares - replicateSs - rows.reduce((s, r) => s + r.sumOfSquares, 0));
  const mse = errorDf > 0 ? errorSs / errorDf : NaN;
  const t = errorDf > 0 ? studentTQuantile(1 - ALPHA / 2, errorDf) : NaN;
  const effects = rows.map((row): EffectEstimate => {
    const meanSquare = row.sumOfSquares / row.df;
    const f = errorDf > 0 ? meanSquare / mse : undefined;
    const p = f === undefined ? undefined : fSf(f, row.df, errorDf);
    const twoLevel = row.df === 1;
    const standardError = twoLevel && errorDf > 0 ? 2 * Math.sqrt(mse / n) : undefined;
    return {
      term: row.term,
      factors: row.factors,
      effect: row.effect,
      ...(standardError === undefined ? {} : { standardError, ci95: [row.effect - t * standardError, row.effect + t * standardError] as [number, number] }),
      sumOfSquares: row.sumOfSquares,
      df: row.df,
      meanSquare,
      ...(f === undefined ? {} : { f, p }),
      significant: p !== undefined && p < ALPHA,
      shareOfVariance: totalSumOfSquares > 0 ? row.sumOfSquares / totalSumOfSquares : 0,
      ...(row.levelMeans ? { levelMeans: row.levelMeans } : {}),
    };
  });
  return {
    effects,
    replicates: { sumOfSquares: replicateSs, df: replicateDf },
    ...(errorDf > 0 ? { error: { sumOfSquares: errorSs, df: errorDf, meanSquare: mse } } : {}),
    totalSumOfSquares,
    ...(errorDf > 0 ? {} : { note: 'no degrees of freedom left for error: replicate the cells (more folds or seeds) to judge significance' }),
  };
}

/** A sampled design's effects by regression on the factors' codes (regression-effects.ts), in the ANOVA's shape. */
function sampledEffects(spec: Pick<ExperimentSpec, 'factors' | 'design'>, results: CellResult[], totalSumOfSquares: number): Anova {
  const replicates = results[0]?.scores.length ?? 0;
  const design = designCells(spec);
  const cells = results.map((r) => ({ coded: (design[r.index] as DesignCell).coded, scores: r.scores }));
  const fit = results.some((r) => r.scores.length !== replicates) ? undefined : regressionEffects(spec, cells, ALPHA);
  if (!fit) return { effects: [], totalSumOfSquares, note: `too few cells (${results.length}) with the same replicates to estimate main effects and interactions by regression: sample more cells` };
  const effects = fit.effects.map((e): EffectEstimate => ({
    term: e.term,
    factors: e.factors,
    effect: e.effect,
    standardError: e.standardError,
    ci95: e.ci95,
    sumOfSquares: e.sumOfSquares,
    df: 1,
    meanSquare: e.sumOfSquares,
    f: e.t * e.t,
    p: e.p,
    significant: e.p < ALPHA,
    shareOfVariance: totalSumOfSquares > 0 ? e.sumOfSquares / totalSumOfSquares : 0,
  }));
  return {
    effects,
    replicates: fit.replicates,
    error: fit.error,
    totalSumOfSquares,
    note: 'a sampled design: effects by least squares on the factor codes in [−1, 1] (low end to high end of each range), linear main effects and linear-by-linear interactions, folds as blocks',
  };
}

interface Observation {
  levels: Record<string, Level>;
  replicate: number;
  score: number;
}

function groupMeans(observations: Observation[], key: (o: Observation) => string): Map<string, { count: number; mean: number }> {
  const sums = new Map<string, { count: number; sum: number }>();
  for (const o of observations) {
    const g = sums.get(key(o)) ?? { count: 0, sum: 0 };
    g.count += 1;
    g.sum += o.score;
    sums.set(key(o), g);
  }
  return new Map([...sums].map(([k, g]) => [k, { count: g.count, mean: g.sum / g.count }]));
}

const keyOf = (o: Observation, factors: string[]) => JSON.stringify(factors.map((f) => o.levels[f]));

/**
 * A main effect's SS is Σ n_i (ȳ_i − ȳ)²; a two-factor interaction's is Σ n_ij (ȳ_ij − ȳ_i − ȳ_j + ȳ)²,
 * what is left of the pair's cell means after both main effects (balanced designs).
 */
function sumOfSquares(observations: Observation[], factors: string[], grand: number, spec: Pick<ExperimentSpec, 'factors'>) {
  const [a, b] = factors as [string, string | undefined];
  const meansA = groupMeans(observations, (o) => keyOf(o, [a]));
  const levelsOf = (name: string) => {
    const factor = spec.factors[name];
    return factor && factor.kind !== 'continuous' ? (factor.levels as Level[]) : [];
  };
  if (b === undefined) {
    const sumOfSquares = [...meansA.values()].reduce((s, g) => s + g.count * (g.mean - grand) ** 2, 0);
    const levelMeans = levelsOf(a).flatMap((level) => {
      const g = meansA.get(JSON.stringify([level]));
      return g ? [{ level, mean: g.mean }] : [];
    });
    const means = levelMeans.map((l) => l.mean);
    const effect = levelMeans.length === 2 ? (means[1] as number) - (means[0] as number) : Math.max(...means) - Math.min(...means);
    return { sumOfSquares, df: meansA.size - 1, effect, levelMeans };
  }
  const meansB = groupMeans(observations, (o) => keyOf(o, [b]));
  const meansAB = groupMeans(observations, (o) => keyOf(o, [a, b]));
  let sumOfSquares = 0;
  for (const [key, g] of meansAB) {
    const [la, lb] = JSON.parse(key) as [Level, Level];
    const residual = g.mean - (meansA.get(JSON.stringify([la]))?.mean as number) - (meansB.get(JSON.stringify([lb]))?.mean as number) + grand;
    sumOfSquares += g.count * residual ** 2;
  }
  const twoLevel = levelsOf(a).length === 2 && levelsOf(b).length === 2;
  // Two levels each: the interaction effect is the mean where the codes agree minus where they differ.
  const effect = twoLevel ? interactionContrast(meansAB, levelsOf(a), levelsOf(b)) : Math.sqrt(sumOfSquares / observations.length);
  return { sumOfSquares, df: (meansA.size - 1) * (meansB.size - 1), effect, levelMeans: undefined };
}

function interactionContrast(meansAB: Map<string, { count: number; mean: number }>, levelsA: Level[], levelsB: Level[]): number {
  let agree = 0;
  let differ = 0;
  levelsA.forEach((la, i) =>
    levelsB.forEach((lb, j) => {
      const mean = meansAB.get(JSON.stringify([la, lb]))?.mean ?? NaN;
      if (i === j) agree += mean / 2;
      else differ += mean / 2;
    }),
  );
  return agree - differ;
}

function expectedRange(metric: string, best: CellSummary): ExperimentAnalysis['expectedRange'] {
  const n = best.replicates;
  const halfWidth = n > 1 ? studentTQuantile(1 - ALPHA / 2, n - 1) * best.sd : 0;
  const digits = (v: number) => Number(v.toPrecision(2)).toString();
  const text = `${metric.toUpperCase()} ${Number(best.mean.toPrecision(3))} ± ${digits(halfWidth)} across ${n} ${n === 1 ? 'window' : 'windows'}`;
  return { mean: best.mean, low: best.mean - halfWidth, high: best.mean + halfWidth, halfWidth, replicates: n, text };
}

/**
 * The best cell (by mean) whose advantage over the baseline's cell, paired replicate by replicate
 * (the same fold), has a 95 % interval above zero; otherwise keep the current configuration.
 */
function recommend(results: CellResult[], cells: CellSummary[], lowerIsBetter: boolean, baseline?: Record<string, Level>): Recommendation {
  const ranked = [...cells].sort((a, b) => (lowerIsBetter ? a.mean - b.mean : b.mean - a.mean));
  const top = ranked[0] as CellSummary;
  if (baseline === undefined) {
    return { action: 'adopt', cell: top.index, levels: top.levels, reason: 'no current configuration to compare with: the best cell by mean' };
  }
  const base = results.find((r) => Object.keys(r.levels).every((f) => JSON.stringify(r.levels[f]) === JSON.stringify(baseline[f])));
  if (base === undefined) return { action: 'keep', reason: 'the current configuration is not a cell of this experiment, so no cell can be compared with it on the same windows' };
  for (const cell of ranked) {
    if (cell.index === base.index) break;
    const result = results.find((r) => r.index === cell.index) as CellResult;
    const gains = result.scores.map((s, i) => (lowerIsBetter ? (base.scores[i] as number) - s : s - (base.scores[i] as number)));
    const n = gains.length;
    if (n < 2 || base.scores.length !== n) continue;
    const mean = gains.reduce((s, g) => s + g, 0) / n;
    const sd = Math.sqrt(gains.reduce((s, g) => s + (g - mean) ** 2, 0) / (n - 1));
    if (sd === 0 ? mean > 0 : studentTSf(mean / (sd / Math.sqrt(n)), n - 1) < ALPHA / 2) {
      const half = studentTQuantile(1 - ALPHA / 2, n - 1) * (sd / Math.sqrt(n));
      return { action: 'adopt', cell: cell.index, levels: cell.levels, advantage: mean, ci95: [mean - half, mean + half], reason: `better than the current configuration on the same ${n} windows by ${Number(mean.toPrecision(3))} (95 % interval ${Number((mean - half).toPrecision(3))} to ${Number((mean + half).toPrecision(3))})` };
    }
  }
  return { action: 'keep', reason: 'keep the current configuration: no cell beats it by more than the window-to-window noise' };
}
