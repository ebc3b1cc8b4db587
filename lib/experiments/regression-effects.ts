import { inverse, Matrix } from 'ml-matrix';
import { studentTQuantile, studentTSf } from '../stats/beta';
import { effectName, effectsUpToOrder } from './design';
import type { ExperimentSpec } from './experiment-spec';

/** One cell's codes (design.ts DesignCell.coded) and scores: one per replicate (fold), the same order in every cell. */
export interface ScoredCell {
  coded: Record<string, number>;
  scores: number[];
}

export interface RegressionEffect {
  term: string;
  factors: string[];
  /** From the low end of the factor's range to the high end (2β on codes in [−1, 1]); for an interaction, half the change in one factor's effect across the other's range. */
  effect: number;
  standardError: number;
  ci95: [number, number];
  /** The term's sum of squares given every other term (β² / (XᵀX)⁻¹ⱼⱼ). */
  sumOfSquares: number;
  t: number;
  p: number;
}

export interface RegressionFit {
  effects: RegressionEffect[];
  replicates: { sumOfSquares: number; df: number };
  error: { sumOfSquares: number; df: number; meanSquare: number };
}

/**
 * Effects of a sampled design (Latin hypercube, random), whose cells share no levels to average
 * over: least squares of every score on the factors' codes rescaled to [−1, 1] (a continuous
 * factor's position in its range, a discrete factor's level index), their pairwise products
 * (two-factor interactions, linear by linear) and one indicator per replicate after the first (the
 * same window scores every cell, so its swing is taken out of the error). Undefined when the cells
 * leave no degrees of freedom for error, or the codes are collinear.
 */
export function regressionEffects(spec: Pick<ExperimentSpec, 'factors'>, cells: ScoredCell[], alpha: number): RegressionFit | undefined {
  const names = Object.keys(spec.factors);
  const terms = effectsUpToOrder(names.length, 2);
  const replicates = cells[0]?.scores.length ?? 0;
  const rows: number[][] = [];
  const y: number[] = [];
  for (const cell of cells) {
    const codes = names.map((name) => unitCode(spec, name, cell.coded[name] as number));
    cell.scores.forEach((score, replicate) => {
      const blocks = Array.from({ length: replicates - 1 }, (_, r) => (r + 1 === replicate ? 1 : 0));
      const products = terms.map((mask) => names.reduce((product, _, i) => (mask & (1 << i) ? product * (codes[i] as number) : product), 1));
      rows.push([1, ...blocks, ...products]);
      y.push(score);
    });
  }
  const n = y.length;
  const p = rows[0]?.length ?? 0;
  const df = n - p;
  if (df <= 0) return undefined;
  const x = new Matrix(rows);
  let xtxInverse: Matrix;
  try {
    xtxInverse = inverse(x.transpose().mmul(x));
  } catch {
    return undefined;
  }
  const beta = xtxInverse.mmul(x.transpose()).mmul(Matrix.columnVector(y)).getColumn(0);
  const fitted = x.mmul(Matrix.columnVector(beta)).getColumn(0);
  const residualSs = y.reduce((s, v, i) => s + (v - (fitted[i] as number)) ** 2, 0);
  if (!Number.isFinite(residualSs)) return undefined;
  const meanSquare = residualSs / df;
  const t = studentTQuantile(1 - alpha / 2, df);
  const blockSs = blockSumOfSquares(cells, y);
  const effects = terms.map((mask, j): RegressionEffect => {
    const column = 1 + (replicates - 1) + j;
    const b = beta[column] as number;
    const v = xtxInverse.get(column, column);
    const standardError = 2 * Math.sqrt(meanSquare * v);
    const tValue = standardError > 0 ? (2 * b) / standardError : 0;
    const name = effectName(mask, names);
    return {
      term: name,
      factors: name.split(':'),
      effect: 2 * b,
      standardError,
      ci95: [2 * b - t * standardError, 2 * b + t * standardError],
      sumOfSquares: v > 0 ? (b * b) / v : 0,
      t: tValue,
      p: 2 * studentTSf(Math.abs(tValue), df),
    };
  });
  return { effects, replicates: { sumOfSquares: blockSs, df: replicates - 1 }, error: { sumOfSquares: residualSs, df, meanSquare } };
}

/** A factor's code mapped onto [−1, 1]: continuous codes already are; a level index i of k levels is 2i/(k−1) − 1. */
function unitCode(spec: Pick<ExperimentSpec, 'factors'>, name: string, coded: number): number {
  const factor = spec.factors[name];
  if (!factor || factor.kind === 'continuous' || factor.levels.length === 2) return coded;
  return (2 * coded) / (factor.levels.length - 1) - 1;
}

/** The replicate blocks' sum of squares about the grand mean. */
function blockSumOfSquares(cells: ScoredCell[], y: number[]): number {
  const grand = y.reduce((s, v) => s + v, 0) / y.length;
  const replicates = cells[0]?.scores.length ?? 0;
  let ss = 0;
  for (let r = 0; r < replicates; r += 1) {
    const values = cells.map((cell) => cell.scores[r] as number);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    ss += values.length * (mean - grand) ** 2;
  }
  return ss;
}
