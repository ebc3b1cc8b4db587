import { z } from 'zod';
import type { ColumnSpecs } from '../data/column-spec';
import type { Frame } from '../data/columns/frame';
import { fitPrincipalComponents, type PrincipalComponents, reconstructionErrors } from '../stats/pca';
import { randomIndex, sampleWithoutReplacement, seededRandom } from '../stats/sampling';
import { standardDeviation } from '../stats/sorted-sample';
import { MAX_REPLICATE_SIZE } from './calibration';
import { isNumeric } from './column-values';
import { Count, perSide, Share } from './report-values';

const METHOD = 'pca-reconstruction';

/**
 * A change in how the numeric columns move together, which no single column shows: the mean PCA
 * reconstruction error of the current rows against what chunks of reference rows of the same size
 * give (NannyML's data reconstruction drift).
 */
export const MultivariateDrift = z.union([
  z.object({
    method: z.literal(METHOD),
    columns: z.array(z.string()),
    /** Principal components kept, and the share of the standardized variance they explain. */
    components: Count,
    explained: Share,
    /** The current rows' mean reconstruction error. */
    score: z.number(),
    /** The mean error of reference chunks of the current's size, and where drift starts (typical + 3 sd of the chunks). */
    typical: z.number(),
    threshold: z.number(),
    verdict: z.enum(['stable', 'drift']),
    /** Rows the signal used: reference rows whose errors gave the chunks, and current rows. */
    rows: perSide(Count),
  }),
  z.object({ method: z.literal(METHOD), skipped: z.string() }),
]);
export type MultivariateDrift = z.infer<typeof MultivariateDrift>;

/** The components keep at least this share of the standardized variance. */
const EXPLAINED = 0.9;
/** Rows read from each side at most (seeded samples beyond); see multivariateDrift. */
const MAX_ROWS = 20_000;
/** Reference fitting rows needed per numeric column, and at least. */
const ROWS_PER_COLUMN = 5;
const MIN_FIT_ROWS = 20;
const CHUNKS = 200;
/** NannyML's band: a chunk drifts beyond 3 standard deviations of the reference chunks. */
const DEVIATIONS = 3;

/**
 * The reference is read through a seeded sample of at most MAX_ROWS rows, split in two halves: one
 * fits the components (standardize, covariance, eigenvectors; ≥ 90 % of the variance kept), the
 * other gives per-row errors out of sample, as the current rows' errors are. Chunks of n rows (n the
 * current's size) are drawn from those errors with replacement: their mean is `typical`, and drift
 * starts at typical + 3 sd of the chunk means. Like the distance calibration, chunks are at most
 * MAX_REPLICATE_SIZE rows and their sd is scaled by √(m·(1/n + 1/R)) for n rows against R reference errors.
 *
 * A current of more than MAX_ROWS rows is read through a seeded sample of MAX_ROWS as well, and
 * tested at that size: a change that 20,000 rows cannot show is too small to matter here.
 */
export function multivariateDrift(reference: Frame, current: Frame, columns: ColumnSpecs, minSamples: number, seed: number): MultivariateDrift {
  const random = seededRandom(seed, 'multivariate');
  const numericColumns = Object.keys(columns).filter((name) => isNumeric((columns[name] as ColumnSpecs[string]).type));
  const referenceRows = sampleWithoutReplacement(reference.rowCount, MAX_ROWS, random);
  const fitRows = referenceRows.filter((_, i) => i % 2 === 0);
  const fitMatrix = matrixOf(reference, fitRows, numericColumns);
  const varying = numericColumns.filter((_, j) => varies(fitMatrix, j));
  const kept = numericColumns.flatMap((name, j) => (varying.includes(name) ? [j] : []));
  const skip = (skipped: string): MultivariateDrift => ({ method: METHOD, skipped });
  if (varying.length < 2) return skip(`needs 2 numeric columns that vary in the reference (found ${varying.length})`);
  const needed = Math.max(MIN_FIT_ROWS, ROWS_PER_COLUMN * varying.length);
  if (fitRows.length < needed) return skip(`needs ${2 * needed} reference rows for ${varying.length} numeric columns (found ${reference.rowCount})`);
  if (current.rowCount < minSamples) return skip(`needs ${minSamples} current rows (found ${current.rowCount})`);

  const pca = fitPrincipalComponents(
    fitMatrix.map((row) => Float64Array.from(kept, (j) => row[j] as number)),
    EXPLAINED,
  );
  const errorsOf = (frame: Frame, picked: Uint32Array) => reconstructionErrors(pca, matrixOf(frame, picked, varying));
  const referenceErrors = errorsOf(reference, referenceRows.filter((_, i) => i % 2 === 1));
  const currentErrors = errorsOf(current, sampleWithoutReplacement(current.rowCount, MAX_ROWS, random));
  const { typical, threshold } = chunkBand(referenceErrors, currentErrors.length, random);
  const score = mean(currentErrors);
  return {
    method: METHOD,
    columns: varying,
    ...componentsOf(pca),
    score,
    typical,
    threshold,
    verdict: score > threshold ? 'drift' : 'stable',
    rows: { reference: referenceErrors.length, current: currentErrors.length },
  };
}

function componentsOf(pca: PrincipalComponents): { components: number; explained: number } {
  return { components: pca.components.length, explained: pca.explained };
}

/** Chunk means of `size` reference errors drawn with replacement: their mean, and mean + 3 sd. */
function chunkBand(errors: Float64Array, size: number, random: () => number): { typical: number; threshold: number } {
  const chunk = Math.min(size, MAX_REPLICATE_SIZE);
  const means = Float64Array.from({ length: CHUNKS }, () => {
    let sum = 0;
    for (let i = 0; i < chunk; i++) sum += errors[randomIndex(errors.length, random)] as number;
    return sum / chunk;
  });
  const spread = standardDeviation(means) * Math.sqrt(chunk * (1 / size + 1 / errors.length));
  const typical = mean(means);
  return { typical, threshold: typical + DEVIATIONS * spread };
}

/** The picked rows' values of `names`, one array per row, NaN where missing or infinite. */
function matrixOf(frame: Frame, picked: Uint32Array, names: readonly string[]): Float64Array[] {
  const columns = names.map((name) => frame.numbers(name));
  const matrix = new Array<Float64Array>(picked.length);
  for (let i = 0; i < picked.length; i++) {
    const row = picked[i] as number;
    matrix[i] = Float64Array.from(columns, (column) => {
      const value = column[row] as number;
      return Number.isFinite(value) ? value : NaN;
    });
  }
  return matrix;
}

function varies(matrix: readonly Float64Array[], column: number): boolean {
  let first = NaN;
  for (const row of matrix) {
    const value = row[column] as number;
    if (Number.isNaN(value)) continue;
    if (Number.isNaN(first)) first = value;
    else if (value !== first) return true;
  }
  return false;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}
