import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/**
 * Principal components of standardized columns, for the reconstruction error of a row: how far it
 * lies from the subspace where the fitted rows vary together. A row whose columns each look
 * ordinary but move together differently (a flipped correlation) lands far from that subspace.
 */
export interface PrincipalComponents {
  /** Per column, for standardizing: (x − mean) / scale. */
  means: Float64Array;
  scales: Float64Array;
  /** The kept components, unit vectors over the standardized columns, largest variance first. */
  components: Float64Array[];
  /** The share of the standardized variance the kept components explain. */
  explained: number;
}

/**
 * Fits on rows of equal length (NaN marks a missing value; every column must vary). Keeps the fewest
 * components that explain `minExplained` of the variance, but at most all but one: with every
 * component kept, each row is reconstructed exactly and the error says nothing.
 */
export function fitPrincipalComponents(rows: readonly Float64Array[], minExplained: number): PrincipalComponents {
  const columns = rows[0]?.length ?? 0;
  if (columns < 2 || rows.length < 2) throw new Error(`principal components need 2 rows and 2 columns (got ${rows.length} × ${columns})`);
  const { means, scales } = columnMoments(rows, columns);
  const decomposition = new EigenvalueDecomposition(covarianceOfStandardized(rows, means, scales), { assumeSymmetric: true });
  const eigenvalues = decomposition.realEigenvalues;
  const order = eigenvalues.map((_, i) => i).sort((a, b) => (eigenvalues[b] as number) - (eigenvalues[a] as number));
  const total = eigenvalues.reduce((sum, value) => sum + Math.max(value, 0), 0);
  const components: Float64Array[] = [];
  let explained = 0;
  for (const i of order.slice(0, columns - 1)) {
    if (components.length > 0 && explained >= minExplained * total) break;
    components.push(Float64Array.from(decomposition.eigenvectorMatrix.getColumn(i)));
    explained += Math.max(eigenvalues[i] as number, 0);
  }
  return { means, scales, components, explained: total > 0 ? explained / total : 1 };
}

/**
 * Each row's Euclidean distance to its projection on the kept components, in the standardized
 * space: √(‖z‖² − Σ (cᵀz)²). One scratch buffer serves every row.
 */
export function reconstructionErrors(pca: PrincipalComponents, rows: readonly Float64Array[]): Float64Array {
  const z = new Float64Array(pca.means.length);
  return Float64Array.from(rows, (row) => {
    standardizeInto(z, row, pca);
    let squares = 0;
    for (const value of z) squares += value * value;
    for (const component of pca.components) {
      let projection = 0;
      for (let j = 0; j < z.length; j++) projection += (component[j] as number) * (z[j] as number);
      squares -= projection * projection;
    }
    return Math.sqrt(Math.max(squares, 0));
  });
}

/** A missing value becomes the column's mean (0 once standardized), as NannyML imputes it. */
function standardizeInto(z: Float64Array, row: Float64Array, { means, scales }: Pick<PrincipalComponents, 'means' | 'scales'>): void {
  for (let j = 0; j < z.length; j++) {
    const value = row[j] as number;
    z[j] = Number.isNaN(value) ? 0 : (value - (means[j] as number)) / (scales[j] as number);
  }
}

/** ZᵀZ / (n − 1) of the standardized rows, accumulated row by row (no n × p matrix is built). */
function covarianceOfStandardized(rows: readonly Float64Array[], means: Float64Array, scales: Float64Array): Matrix {
  const p = means.length;
  const sums = new Float64Array(p * p);
  const z = new Float64Array(p);
  for (const row of rows) {
    standardizeInto(z, row, { means, scales });
    for (let j = 0; j < p; j++) {
      const zj = z[j] as number;
      for (let l = j; l < p; l++) sums[j * p + l] = (sums[j * p + l] as number) + zj * (z[l] as number);
    }
  }
  const covariance = new Matrix(p, p);
  for (let j = 0; j < p; j++) {
    for (let l = j; l < p; l++) {
      const value = (sums[j * p + l] as number) / (rows.length - 1);
      covariance.set(j, l, value);
      covariance.set(l, j, value);
    }
  }
  return covariance;
}

/** Means and population standard deviations over the non-missing values of each column. */
function columnMoments(rows: readonly Float64Array[], columns: number): { means: Float64Array; scales: Float64Array } {
  const means = new Float64Array(columns);
  const scales = new Float64Array(columns);
  for (let j = 0; j < columns; j++) {
    let count = 0;
    let sum = 0;
    for (const row of rows) {
      const value = row[j] as number;
      if (Number.isNaN(value)) continue;
      count++;
      sum += value;
    }
    const mean = sum / count;
    let squares = 0;
    for (const row of rows) if (!Number.isNaN(row[j])) squares += ((row[j] as number) - mean) ** 2;
    const scale = Math.sqrt(squares / count);
    if (!(scale > 0)) throw new Error(`principal components: column ${j} does not vary`);
    means[j] = mean;
    scales[j] = scale;
  }
  return { means, scales };
}
