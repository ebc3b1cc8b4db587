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
 * Closed-form ridge: β = (XᵀX + αI)⁻¹ Xᵀ(y − ȳ) on standardized X, intercept ȳ (not penalized),
 * the same estimator as scikit-learn's Ridge on StandardScaler output.
 */
export function fitRidge(x: number[][], y: number[], alpha: number, featureNames: string[]): RidgeModel {
  if (x.length === 0) throw new Error('cannot fit a model on zero examples');
  const width = featureNames.length;
  const means = columnMeans(x, width);
  const scales = columnScales(x, means, width);
  const z = new Matrix(x.map((row) => row.map((v, j) => (v - (means[j] as number)) / (scales[j] as number))));
  const yMean = y.reduce((s, v) => s + v, 0) / y.length;
  const yCentered = Matrix.columnVector(y.map((v) => v - yMean));
  const gram = z.transpose().mmul(z).add(Matrix.eye(width).mul(alpha));
  const beta = solve(gram, z.transpose().mmul(yCentered), alpha === 0);
  return {
    kind: 'ridge',
    alpha,
    featureNames,
    means,
    scales,
    coefficients: beta.getColumn(0),
    intercept: yMean,
  };
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
  const sums = new Array<number>(width).fill(0);
  for (const row of x) row.forEach((v, j) => (sums[j] = (sums[j] as number) + v));
  return sums.map((s) => s / x.length);
}

/** Population standard deviation; a constant column gets scale 1 so it contributes nothing but stays finite. */
function columnScales(x: number[][], means: number[], width: number): number[] {
  const sq = new Array<number>(width).fill(0);
  for (const row of x) row.forEach((v, j) => (sq[j] = (sq[j] as number) + (v - (means[j] as number)) ** 2));
  return sq.map((s) => {
    const sd = Math.sqrt(s / x.length);
    return sd > 0 ? sd : 1;
  });
}
