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

/** Rows per block of the Gram pass: p centered blocks of this length stay in the CPU's L2 cache. */
const BLOCK_ROWS = 2048;

/** `fitRidgeOnColumns` for examples given as rows (a trainer's `TrainingData`, a test's fixture). */
export function fitRidge(x: readonly (readonly number[])[], y: ArrayLike<number>, alpha: number, featureNames: string[]): RidgeModel {
  return fitRidgeOnColumns(columnsOfRows(x, featureNames.length), y, alpha, featureNames);
}

/**
 * Closed-form ridge: β = (ZᵀZ + αI)⁻¹ Zᵀ(y − ȳ) on standardized Z, intercept ȳ (not penalized),
 * the same estimator as scikit-learn's Ridge on StandardScaler output. One pass for the means,
 * one for the centered Gram matrix as dot products of column blocks; memory beyond the columns
 * is O(features × block) whatever the row count.
 */
export function fitRidgeOnColumns(columns: readonly Float64Array[], y: ArrayLike<number>, alpha: number, featureNames: string[]): RidgeModel {
  const n = y.length;
  if (n === 0) throw new Error('cannot fit a model on zero examples');
  if (columns.length !== featureNames.length || columns.some((c) => c.length !== n)) {
    throw new Error(`ridge needs ${featureNames.length} feature columns of ${n} values each`);
  }
  const p = featureNames.length;
  const means = columns.map(mean);
  const yMean = mean(y);
  const { gram, xty } = centeredGram(columns, y, means, yMean);
  // Standardizing is a rescaling of the centered sums: Z = (X − μ) / σ.
  const scales = means.map((_, j) => {
    const sd = Math.sqrt((gram[j * p + j] as number) / n);
    return sd > 0 ? sd : 1;
  });
  const zz = Matrix.from1DArray(p, p, gram.map((v, k) => {
    const i = Math.floor(k / p);
    const j = k % p;
    return v / ((scales[i] as number) * (scales[j] as number)) + (i === j ? alpha : 0);
  }));
  const zy = Matrix.columnVector(Array.from(xty, (v, j) => v / (scales[j] as number)));
  const beta = solve(zz, zy, alpha === 0);
  return { kind: 'ridge', alpha, featureNames, means, scales, coefficients: beta.getColumn(0), intercept: yMean };
}

/** `predictRidgeOnColumns` for examples given as rows (one prediction request, a trainer's `predict`). */
export function predictRidge(model: RidgeModel, x: readonly (readonly number[])[]): number[] {
  return Array.from(predictRidgeOnColumns(model, columnsOfRows(x, model.featureNames.length)));
}

/** ŷ = intercept + Σ βⱼ (xⱼ − μⱼ) / σⱼ, accumulated one column at a time. */
export function predictRidgeOnColumns(model: RidgeModel, columns: readonly Float64Array[]): Float64Array {
  const n = columns[0]?.length ?? 0;
  const predicted = new Float64Array(n).fill(model.intercept);
  columns.forEach((column, j) => {
    const weight = (model.coefficients[j] as number) / (model.scales[j] as number);
    const center = model.means[j] as number;
    for (let r = 0; r < n; r += 1) predicted[r] = (predicted[r] as number) + weight * ((column[r] as number) - center);
  });
  return predicted;
}

function columnsOfRows(x: readonly (readonly number[])[], width: number): Float64Array[] {
  return Array.from({ length: width }, (_, j) => Float64Array.from(x, (row) => row[j] as number));
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i += 1) sum += values[i] as number;
  return sum / values.length;
}

/**
 * Σ (x − μ)(x − μ)ᵀ (full p × p, row-major) and Σ (x − μ)(y − ȳ). Each block of rows is centered
 * into a scratch buffer once and every pair of its columns is a straight dot product there —
 * the cache-friendly shape of a BLAS syrk, and centered first so large means cost no precision.
 */
function centeredGram(columns: readonly Float64Array[], y: ArrayLike<number>, means: number[], yMean: number): { gram: Float64Array; xty: Float64Array } {
  const p = columns.length;
  const n = y.length;
  const gram = new Float64Array(p * p);
  const xty = new Float64Array(p);
  const block = new Float64Array((p + 1) * BLOCK_ROWS);
  const lanes = Array.from({ length: p + 1 }, (_, j) => block.subarray(j * BLOCK_ROWS, (j + 1) * BLOCK_ROWS));
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const length = Math.min(BLOCK_ROWS, n - start);
    for (let j = 0; j < p; j += 1) centerInto(lanes[j] as Float64Array, columns[j] as Float64Array, start, length, means[j] as number);
    centerInto(lanes[p] as Float64Array, y, start, length, yMean);
    for (let i = 0; i < p; i += 1) {
      const a = lanes[i] as Float64Array;
      for (let j = i; j < p; j += 1) gram[i * p + j] = (gram[i * p + j] as number) + dot(a, lanes[j] as Float64Array, length);
      xty[i] = (xty[i] as number) + dot(a, lanes[p] as Float64Array, length);
    }
  }
  for (let i = 0; i < p; i += 1) for (let j = 0; j < i; j += 1) gram[i * p + j] = gram[j * p + i] as number;
  return { gram, xty };
}

function centerInto(lane: Float64Array, values: ArrayLike<number>, start: number, length: number, center: number): void {
  for (let r = 0; r < length; r += 1) lane[r] = (values[start + r] as number) - center;
}

/** Four independent accumulators: the loop is bound by the multiply-add latency otherwise. */
function dot(a: Float64Array, b: Float64Array, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let r = 0;
  for (; r + 3 < length; r += 4) {
    s0 += (a[r] as number) * (b[r] as number);
    s1 += (a[r + 1] as number) * (b[r + 1] as number);
    s2 += (a[r + 2] as number) * (b[r + 2] as number);
    s3 += (a[r + 3] as number) * (b[r + 3] as number);
  }
  for (; r < length; r += 1) s0 += (a[r] as number) * (b[r] as number);
  return s0 + s1 + s2 + s3;
}
