import { Matrix, solve } from 'ml-matrix';

/** A fitted ridge regression over standardized features. Plain JSON: it is stored as the artifact. */
export interface RidgeModel {
  kind: 'ridge';
  alpha: number;
  featureNames: string[];
  means: number[];
  scales: number[];
  coefficients: number[];
  intercept: number;
}

/**
 * Closed-form ridge: β = (ZᵀZ + αI)⁻¹ Zᵀ(y − ȳ) on standardized Z, intercept ȳ (not penalized),
 * the same estimator as scikit-learn's Ridge on StandardScaler output. Two streaming passes
 * (means, then the centered Gram matrix) keep memory at O(features²) whatever the row count.
 */
export function fitRidge(x: number[][], y: number[], alpha: number, featureNames: string[]): RidgeModel {
  if (x.length === 0) throw new Error('cannot fit a model on zero examples');
  const p = featureNames.length;
  const n = x.length;
  const means = columnMeans(x, p);
  const yMean = y.reduce((s, v) => s + v, 0) / n;
  const { gram, xty } = centeredGram(x, y, means, yMean, p);
  // Standardizing is a rescaling of the centered sums: Z = (X − μ) / σ.
  const scales = gram.map((row, j) => {
    const sd = Math.sqrt((row[j] as number) / n);
    return sd > 0 ? sd : 1;
  });
  const zz = new Matrix(gram.map((row, i) => row.map((v, j) => v / ((scales[i] as number) * (scales[j] as number)) + (i === j ? alpha : 0))));
  const zy = Matrix.columnVector(xty.map((v, j) => v / (scales[j] as number)));
  const beta = solve(zz, zy, alpha === 0);
  return { kind: 'ridge', alpha, featureNames, means, scales, coefficients: beta.getColumn(0), intercept: yMean };
}

export function predictRidge(model: RidgeModel, x: number[][]): number[] {
  return x.map((row) =>
    row.reduce(
      (sum, v, j) => sum + (model.coefficients[j] as number) * ((v - (model.means[j] as number)) / (model.scales[j] as number)),
      model.intercept,
    ),
  );
}

function columnMeans(x: number[][], width: number): number[] {
  const sums = new Float64Array(width);
  for (const row of x) for (let j = 0; j < width; j += 1) sums[j] = (sums[j] as number) + (row[j] as number);
  return Array.from(sums, (s) => s / x.length);
}

/** Σ (x − μ)(x − μ)ᵀ and Σ (x − μ)(y − ȳ), accumulated row by row. */
function centeredGram(x: number[][], y: number[], means: number[], yMean: number, p: number): { gram: number[][]; xty: number[] } {
  const gram = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const centered = new Float64Array(p);
  for (let r = 0; r < x.length; r += 1) {
    const row = x[r] as number[];
    const dy = (y[r] as number) - yMean;
    for (let j = 0; j < p; j += 1) centered[j] = (row[j] as number) - (means[j] as number);
    for (let i = 0; i < p; i += 1) {
      const ci = centered[i] as number;
      xty[i] = (xty[i] as number) + ci * dy;
      for (let j = i; j < p; j += 1) gram[i * p + j] = (gram[i * p + j] as number) + ci * (centered[j] as number);
    }
  }
  const full = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => gram[Math.min(i, j) * p + Math.max(i, j)] as number));
  return { gram: full, xty: Array.from(xty) };
}
