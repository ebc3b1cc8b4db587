import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { paramOverridesOf } from '../../lib/experiments/cell-config';
import { designAliases, designCells } from '../../lib/experiments/design';
import { cellBatches, MAX_CELLS_PER_BATCH, MIN_CELLS_PER_BATCH } from '../../lib/experiments/batches';
import { ExperimentSpec } from '../../lib/experiments/experiment-spec';
import { meanPerFold } from '../../lib/experiments/score-cell';
import { romanResolution, tabulatedPlans } from '../../lib/experiments/fractional-factorial';
import { checkExperimentAgainstPipeline, experimentIssues } from '../../lib/experiments/pipeline-fit';
import { formatZodError } from '../../lib/errors';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';

const param = (name: string, levels: unknown[] = [0, 1]) => ({ kind: 'param', param: name, levels });
const spec = (factors: Record<string, unknown>, design: unknown) => ExperimentSpec.parse({ name: 'e', pipeline: 'p', factors, design });
const refusal = (input: unknown) => {
  const result = ExperimentSpec.safeParse(input);
  if (result.success) throw new Error('expected a refusal');
  return formatZodError(result.error);
};

describe('full factorial', () => {
  it('crosses mixed levels: 3 × 2 × 4 = 24 distinct cells, each level equally often', () => {
    const cells = designCells(spec({ alpha: param('alpha', [0.1, 1, 10]), trainer: { kind: 'trainer', levels: ['ridge', 'gradient-boosting'] }, lags: { kind: 'lags', levels: [[1], [1, 2], [1, 12], [1, 2, 12]] } }, { kind: 'full-factorial' }));
    expect(cells).toHaveLength(24);
    expect(new Set(cells.map((c) => JSON.stringify(c.levels))).size).toBe(24);
    expect(cells.filter((c) => c.levels.alpha === 10)).toHaveLength(8);
    expect(cells.filter((c) => c.levels.trainer === 'ridge').every((c) => c.coded.trainer === -1)).toBe(true);
    expect(cells.map((c) => c.index)).toEqual(cells.map((_, i) => i));
  });
});

describe('fractional factorial 2^(7−3), resolution IV', () => {
  const seven = spec(Object.fromEntries('ABCDEFG'.split('').map((f) => [f, param(f)])), { kind: 'fractional-factorial', resolution: 'IV' });

  it('runs 16 cells in which every pair of factors is balanced (each combination 4 times)', () => {
    const cells = designCells(seven);
    expect(cells).toHaveLength(16);
    for (const a of 'ABCDEFG') for (const b of 'ABCDEFG') if (a < b) {
      const counts = new Map<string, number>();
      cells.forEach((c) => counts.set(`${c.coded[a]}${c.coded[b]}`, (counts.get(`${c.coded[a]}${c.coded[b]}`) ?? 0) + 1));
      expect([...counts.values()]).toEqual([4, 4, 4, 4]);
    }
    // The generators hold in every run: E = ABC, F = BCD, G = ACD.
    for (const c of cells) {
      const x = c.coded as Record<string, number>;
      expect([x.E, x.F, x.G]).toEqual([x.A! * x.B! * x.C!, x.B! * x.C! * x.D!, x.A! * x.C! * x.D!]);
    }
  });

  it('reports the alias structure derived by hand from E = ABC, F = BCD, G = ACD', () => {
    // Defining relation: the generator words ABCE, BCDF, ACDG and their products
    //   ABCE·BCDF = ADEF, ABCE·ACDG = BDEG, BCDF·ACDG = ABFG, ABCE·BCDF·ACDG = CEFG.
    // Every word has four letters: resolution IV, main effects clear of two-factor interactions.
    // Two-factor interactions alias in chains (multiply by each four-letter word, keep the pairs):
    //   AB·ABCE = CE, AB·ABFG = FG          → AB = CE = FG
    //   AC·ABCE = BE, AC·ACDG = DG          → AC = BE = DG
    //   BC·ABCE = AE, BC·BCDF = DF          → BC = AE = DF
    //   AD·ADEF = EF, AD·ACDG = CG          → AD = EF = CG
    //   BD·BCDF = CF, BD·BDEG = EG          → BD = CF = EG
    //   CD·BCDF = BF, CD·ACDG = AG          → CD = BF = AG
    //   DE·ADEF = AF, DE·BDEG = BG          → DE = AF = BG
    const structure = designAliases(seven);
    expect(structure.generators).toEqual(['E = ABC', 'F = BCD', 'G = ACD']);
    expect(structure.resolution).toBe('IV');
    expect(new Set(structure.definingRelation)).toEqual(new Set(['I = ABCE', 'I = BCDF', 'I = ACDG', 'I = ADEF', 'I = BDEG', 'I = ABFG', 'I = CEFG']));
    const asSets = (chains: string[][]) => new Set(chains.map((chain) => [...chain].sort().join(' = ')));
    expect(asSets(structure.aliases)).toEqual(
      asSets([
        ['A:B', 'C:E', 'F:G'],
        ['A:C', 'B:E', 'D:G'],
        ['B:C', 'A:E', 'D:F'],
        ['A:D', 'E:F', 'C:G'],
        ['B:D', 'C:F', 'E:G'],
        ['C:D', 'B:F', 'A:G'],
        ['D:E', 'A:F', 'B:G'],
      ]),
    );
  });

  it('a full factorial aliases nothing', () => {
    expect(designAliases(spec({ a: param('a'), b: param('b') }, { kind: 'full-factorial' })).aliases).toEqual([]);
  });
});

describe('generator table', () => {
  // Montgomery, Table 8.14: runs and resolution of each tabulated design (the 12-factor 32-run one is ours).
  const book: Record<number, string> = {
    3: '4:III', 4: '8:IV', 5: '8:III 16:V', 6: '8:III 16:IV 32:VI', 7: '8:III 16:IV 32:IV 64:VII', 8: '16:IV 32:IV 64:V',
    9: '16:III 32:IV 64:IV 128:VI', 10: '16:III 32:IV 64:IV 128:V', 11: '16:III 32:IV 64:IV 128:V', 12: '16:III 32:IV',
  };
  it.each(Object.keys(book).map(Number))('the resolution computed from the generators for k = %i is the book’s', (k) => {
    const plans = tabulatedPlans(k);
    expect(plans.map((p) => `${p.runs}:${romanResolution(p.resolution)}`).join(' ')).toBe(book[k]);
    // Generators are products of basic factors only.
    plans.forEach((p) => p.generatorMasks.forEach((mask) => expect(mask >> (k - p.generated)).toBe(0)));
  });

  it('picks the smallest design reaching the declared resolution', () => {
    const five = (resolution: string) => designCells(spec(Object.fromEntries('abcde'.split('').map((f) => [f, param(f)])), { kind: 'fractional-factorial', resolution }));
    expect(five('III')).toHaveLength(8);
    expect(five('IV')).toHaveLength(16);
    expect(five('V')).toHaveLength(16);
  });
});

describe('Latin hypercube and random samples', () => {
  const lhs = (seed: number) =>
    designCells(spec({ alpha: { kind: 'continuous', param: 'alpha', min: 0.01, max: 100, log: true }, depth: { kind: 'continuous', param: 'depth', min: 2, max: 8 }, trainer: { kind: 'trainer', levels: ['ridge', 'gradient-boosting'] } }, { kind: 'latin-hypercube', cells: 20, seed }));

  it('hits each of the n strata of every continuous factor exactly once', () => {
    const cells = lhs(7);
    expect(cells).toHaveLength(20);
    const stratum = (u: number) => Math.floor(u * 20);
    const alphaStrata = cells.map((c) => stratum((Math.log(c.levels.alpha as number) - Math.log(0.01)) / (Math.log(100) - Math.log(0.01))));
    const depthStrata = cells.map((c) => stratum(((c.levels.depth as number) - 2) / 6));
    expect([...alphaStrata].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...depthStrata].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // A discrete factor's levels share the strata evenly.
    expect(cells.filter((c) => c.levels.trainer === 'ridge')).toHaveLength(10);
  });

  it('is seeded: the same seed gives the same cells, another seed others', () => {
    expect(lhs(7)).toEqual(lhs(7));
    expect(lhs(8)).not.toEqual(lhs(7));
    const random = designCells(spec({ a: { kind: 'continuous', param: 'a', min: 0, max: 1 }, b: param('b') }, { kind: 'random', cells: 50, seed: 1 }));
    expect(random).toHaveLength(50);
    expect(random.every((c) => (c.levels.a as number) >= 0 && (c.levels.a as number) < 1)).toBe(true);
  });
});

describe('refusals name the field', () => {
  const base = { name: 'e', pipeline: 'p', design: { kind: 'full-factorial' } };
  it.each([
    ['a factor with one level', { ...base, factors: { a: param('a', [1]), b: param('b') } }, 'factors.a.levels: a factor needs at least two levels'],
    ['a repeated level', { ...base, factors: { a: param('a', [1, 1]), b: param('b') } }, 'factors.a.levels.1: level 1 is declared twice'],
    ['one factor', { ...base, factors: { a: param('a') } }, 'factors: declare 2 to 12 factors (got 1)'],
    ['a resolution the runs cannot reach', { ...base, factors: { a: param('a'), b: param('b'), c: param('c') }, design: { kind: 'fractional-factorial', resolution: 'IV' } }, 'design.resolution: 3 two-level factors cannot reach resolution IV'],
    ['three levels in a fraction', { ...base, factors: { a: param('a', [1, 2, 3]), b: param('b'), c: param('c') }, design: { kind: 'fractional-factorial', resolution: 'III' } }, 'factors.a.levels: a fractional factorial needs two levels per factor (got 3)'],
    ['a continuous factor in a factorial', { ...base, factors: { a: { kind: 'continuous', param: 'a', min: 0, max: 1 }, b: param('b') } }, 'factors.a.kind: a continuous factor is sampled'],
    ['an inverted range', { ...base, factors: { a: { kind: 'continuous', param: 'a', min: 2, max: 1 }, b: param('b') }, design: { kind: 'random', cells: 4, seed: 0 } }, 'factors.a.max: must be above min (2)'],
    ['an interaction of one column with itself', { ...base, factors: { a: { kind: 'interaction', columns: ['x', 'x'] }, b: param('b') } }, 'factors.a.columns.1: an interaction is of two different columns'],
    ['two factors setting one parameter', { ...base, factors: { a: param('alpha'), b: param('alpha') } }, 'factors.b: sets the same param alpha as factor "a"'],
    ['a misspelt key in replication', { ...base, factors: { a: param('a'), b: param('b') }, replication: { fold: 3 } }, 'replication: Unrecognized key: "fold"'],
    ['a misspelt key in a factor', { ...base, factors: { a: { ...param('a'), level: [1, 2] }, b: param('b') } }, 'factors.a: Unrecognized key: "level"'],
    ['a budget of no parallel cells', { ...base, factors: { a: param('a'), b: param('b') }, budget: { parallel: 0 } }, 'budget.parallel'],
    ['an unknown design', { ...base, factors: { a: param('a'), b: param('b') }, design: { kind: 'taguchi' } }, 'design.kind'],
    ['a full factorial past the cell limit', { ...base, factors: Object.fromEntries('abcdefghijkl'.split('').map((f) => [f, param(f, [1, 2, 3])])) }, 'design: the full factorial has 531441 cells'],
  ])('%s', (_, input, message) => {
    expect(refusal(input)).toContain(message);
  });

  it('fills the defaults: 3 folds, seed 0, 4 in parallel, 60 minutes', () => {
    const parsed = spec({ a: param('a'), b: { kind: 'feature', column: 'x' } }, { kind: 'full-factorial' });
    expect(parsed.replication).toEqual({ folds: 3, seeds: [0] });
    expect(parsed.budget).toEqual({ parallel: 4, maxMinutes: 60 });
    expect(parsed.factors.b).toEqual({ kind: 'feature', column: 'x', levels: [false, true] });
  });
});

describe('an experiment against its pipeline', () => {
  const pipeline = PipelineSpec.parse(JSON.parse(readFileSync(new URL('../../lib/pipelines/us-employment.json', import.meta.url), 'utf8')));
  const experiment = (factors: Record<string, unknown>) => spec(factors, { kind: 'full-factorial' });

  it('accepts declared columns and derived features', () => {
    const fits = { ...experiment({ alpha: param('alpha', [0.1, 10]), construction: { kind: 'feature', column: 'construction' }, momentum: { kind: 'interaction', columns: ['nonfarm_change', 'target_lag_1'] } }), pipeline: 'us-employment' };
    expect(experimentIssues(fits, pipeline)).toEqual([]);
    expect(() => checkExperimentAgainstPipeline(fits, pipeline)).not.toThrow();
  });

  it('refuses an interaction of undeclared columns, a feature not declared and a trainer of the wrong task, naming each field', () => {
    const bad = { ...experiment({ promo: { kind: 'interaction', columns: ['promotion', 'winter'] }, x: { kind: 'feature', column: 'month' }, t: { kind: 'trainer', levels: ['ridge', 'logistic'] } }), pipeline: 'us-employment' };
    const paths = experimentIssues(bad, pipeline).map((issue) => issue.path.join('.'));
    expect(paths).toEqual(['factors.promo.columns.0', 'factors.promo.columns.1', 'factors.x.column', 'factors.t.levels.1']);
    expect(() => checkExperimentAgainstPipeline(bad, pipeline)).toThrow(/factors\.promo\.columns\.0: column "promotion" is not declared in pipeline "us-employment"/);
  });

  it('refuses an interaction of a column some cells leave out, or of a lag some cells lack', () => {
    const bad = {
      ...experiment({
        construction: { kind: 'feature', column: 'construction' },
        a: { kind: 'interaction', columns: ['construction', 'nonfarm_change'] },
        lags: { kind: 'lags', levels: [[1], [1, 12]] },
        b: { kind: 'interaction', columns: ['nonfarm_change', 'target_lag_12'] },
        c: { kind: 'interaction', columns: ['private', 'target_lag_1'] },
      }),
      pipeline: 'us-employment',
    };
    const issues = experimentIssues(bad, pipeline);
    expect(issues.map((issue) => issue.path.join('.'))).toEqual(['factors.a.columns.0', 'factors.b.columns.1', 'factors.c.columns.0']);
    expect(issues[0]?.message).toContain('factor "construction" leaves "construction" out of some cells');
    expect(issues[1]?.message).toContain('needs lag 12 in every cell');
    expect(issues[2]?.message).toContain('add it to features.columns');
  });

  it('refuses several seeds when no cell draws random numbers (the same scores repeated), and takes them when a cell does', () => {
    const seeds = (factors: Record<string, unknown>) => ExperimentSpec.parse({ name: 'e', pipeline: 'us-employment', factors, design: { kind: 'full-factorial' }, replication: { seeds: [0, 1] } });
    const ridgeOnly = experimentIssues(seeds({ a: param('alpha', [0.1, 10]), b: { kind: 'feature', column: 'construction' } }), pipeline);
    expect(ridgeOnly.map((issue) => issue.path.join('.'))).toEqual(['replication.seeds']);
    expect(ridgeOnly[0]?.message).toContain('declare one seed and replicate with folds');
    expect(experimentIssues(seeds({ a: param('alpha', [0.1, 10]), t: { kind: 'trainer', levels: ['ridge', 'gradient-boosting'] } }), pipeline)).toEqual([]);
  });

  it('refuses an experiment declared for another pipeline', () => {
    expect(experimentIssues(experiment({ a: param('a'), b: param('b') }), pipeline)[0]?.path).toEqual(['pipeline']);
  });

  it('turns a recommended cell into the parameter overrides of a normal run (what `experiment promote` starts), refusing a cell that changes more', () => {
    const factors = experiment({ alpha: param('alpha', [10, 100]), construction: { kind: 'feature', column: 'construction' } }).factors;
    // alpha 10 is the pipeline's own: only what differs is overridden.
    expect(paramOverridesOf(pipeline, factors, { index: 1, levels: { alpha: 100, construction: false } })).toEqual({ alpha: 100 });
    expect(paramOverridesOf(pipeline, factors, { index: 0, levels: { alpha: 10, construction: false } })).toEqual({});
    expect(() => paramOverridesOf(pipeline, factors, { index: 3, levels: { alpha: 100, construction: true } })).toThrow(
      /cell 3 changes more than numeric parameters, which a run cannot override: set features → .*"construction".* in pipeline "us-employment"'s spec/,
    );
  });
});

describe('cell batches', () => {
  const cells = Array.from({ length: 10 }, (_, i) => i);

  it('spread the cells evenly over the parallel slots by default, in order, at least MIN_CELLS_PER_BATCH each', () => {
    const many = Array.from({ length: 3 * MIN_CELLS_PER_BATCH }, (_, i) => i);
    expect(cellBatches(many, 2)).toEqual([many.slice(0, 1.5 * MIN_CELLS_PER_BATCH), many.slice(1.5 * MIN_CELLS_PER_BATCH)]);
    expect(cellBatches(many, 8).map((batch) => batch.length)).toEqual([MIN_CELLS_PER_BATCH, MIN_CELLS_PER_BATCH, MIN_CELLS_PER_BATCH]);
    expect(cellBatches(cells, 4)).toEqual([cells]);
  });

  it('hold a declared number of cells, and at most MAX_CELLS_PER_BATCH', () => {
    expect(cellBatches(cells, 4, 5)).toEqual([[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
    const many = Array.from({ length: 3 * MAX_CELLS_PER_BATCH }, (_, i) => i);
    expect(cellBatches(many, 1).map((batch) => batch.length)).toEqual([MAX_CELLS_PER_BATCH, MAX_CELLS_PER_BATCH, MAX_CELLS_PER_BATCH]);
  });
});

describe('replicates of a seeded trainer', () => {
  it('are its folds, each the mean over the seeds: the same replicates as an unseeded cell has', () => {
    // Two seeds × three folds → three replicates.
    expect(meanPerFold([[1, 2, 3], [3, 4, 8]])).toEqual([2, 3, 5.5]);
    expect(meanPerFold([[1, 2, 3]])).toEqual([1, 2, 3]);
  });
});
