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
  const standardized = new Matrix(rows.map((row) => Array.from(standardize(row, means, scales))));
  const covariance = standardized.transpose().mmul(standardized).div(rows.length - 1);
  const decomposition = new EigenvalueDecomposition(covariance, { assumeSymmetric: true });
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

/** The Euclidean distance between a row (standardized) and its projection on the kept components. */
export function reconstructionError(pca: PrincipalComponents, row: Float64Array): number {
  const z = standardize(row, pca.means, pca.scales);
  let squares = 0;
  for (const value of z) squares += value * value;
  for (const component of pca.components) {
    let projection = 0;
    for (let j = 0; j < z.length; j++) projection += (component[j] as number) * (z[j] as number);
    squares -= projection * projection;
  }
  return Math.sqrt(Math.max(squares, 0));
}

/** A missing value becomes the column's mean (0 once standardized), as NannyML imputes it. */
function standardize(row: Float64Array, means: Float64Array, scales: Float64Array): Float64Array {
  return row.map((value, j) => (Number.isNaN(value) ? 0 : (value - (means[j] as number)) / (scales[j] as number)));
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
