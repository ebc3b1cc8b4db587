import { mulberry32 } from '../../stats/mulberry32';
import { binColumn, binThresholds, thresholdSample } from './binning';
import { createGrower, growTree, type GrowthRules } from './grow-tree';
import type { Loss, LossName } from './losses';
import { addTreeOutput, type FlatTree } from './tree';

export interface BoostingOptions extends GrowthRules {
  nEstimators: number;
  maxBins: number;
  /** Hold out validationFraction of the rows (seeded) and stop when nIterNoChange rounds improve its loss by less than tol. */
  earlyStopping: boolean;
  validationFraction: number;
  nIterNoChange: number;
  tol: number;
  seed: number;
}

/** Said after each boosting round: the progress message and what early stopping sees. */
export interface RoundReport {
  round: number;
  of: number;
  /** Trees grown per round: one per score. */
  trees: number;
  metric: string;
  /** The metric on the validation rows, or on the training rows without early stopping. */
  value: number;
  on: 'validation' | 'training';
}

/** The fitted ensemble: raw score k of a row is baseline[k] plus the outputs of trees k, k + K, k + 2K, … */
export interface BoostedTrees {
  loss: LossName;
  scoresPerRow: number;
  baseline: number[];
  trees: FlatTree[];
  rounds: number;
  stoppedEarly: boolean;
}

/**
 * Gradient boosting on histograms of binned features, as scikit-learn's HistGradientBoosting:
 * columns are binned once (≤ 255 bins and one for NaN), every round grows one tree per score on the
 * loss's gradients, and early stopping watches the loss on a seeded validation split.
 */
export function fitBoostedTrees(columns: Float64Array[], y: Float64Array, loss: Loss, options: BoostingOptions, onRound: (report: RoundReport) => void): BoostedTrees {
  const random = mulberry32(options.seed);
  const { train, validation } = options.earlyStopping ? splitValidation(y.length, options.validationFraction, random) : { train: null, validation: null };
  const trainColumns = train ? columns.map((column) => gather(column, train)) : columns;
  const yTrain = train ? gather(y, train) : y;
  const rows = yTrain.length;
  const sample = thresholdSample(rows, random);
  const thresholds = trainColumns.map((column) => binThresholds(column, options.maxBins, sample));
  const grower = createGrower(
    { binned: binRowMajor(trainColumns, thresholds, rows), features: columns.length, constantHessian: loss.constantHessian },
    rows,
    thresholds,
    options,
  );
  const K = loss.scoresPerRow;
  const baseline = loss.baseline(yTrain);
  const raw = startingScores(baseline, rows);
  const gradients = new Float32Array(K * rows);
  const hessians = new Float32Array(loss.constantHessian ? 0 : K * rows);
  const watched = validation ? { columns: columns.map((column) => gather(column, validation)), y: gather(y, validation) } : null;
  const watchedRaw = watched ? startingScores(baseline, watched.y.length) : null;
  const scores = watched && watchedRaw ? [-loss.mean(watched.y, watchedRaw)] : [];
  const trees: FlatTree[] = [];
  let stoppedEarly = false;
  let trainingLoss = loss.gradients(yTrain, raw, gradients, hessians);
  for (let round = 1; round <= options.nEstimators && !stoppedEarly; round += 1) {
    for (let k = 0; k < K; k += 1) {
      const scoreOf = <T extends Float64Array | Float32Array>(all: T, n: number) => all.subarray(k * n, (k + 1) * n) as T;
      const { tree, leaves } = growTree(grower, scoreOf(gradients, rows), loss.constantHessian ? hessians : scoreOf(hessians, rows));
      const rawK = scoreOf(raw, rows);
      for (const leaf of leaves) {
        for (let i = leaf.start; i < leaf.end; i += 1) {
          const r = grower.rows[i] as number;
          rawK[r] = (rawK[r] as number) + leaf.value;
        }
      }
      if (watched && watchedRaw) addTreeOutput(tree, watched.columns, scoreOf(watchedRaw, watched.y.length));
      trees.push(tree);
    }
    // The next round's gradients, and in the same pass the training loss this round left.
    trainingLoss = loss.gradients(yTrain, raw, gradients, hessians);
    const meanLoss = watched && watchedRaw ? loss.mean(watched.y, watchedRaw) : trainingLoss;
    if (watched) {
      scores.push(-meanLoss);
      stoppedEarly = noRecentImprovement(scores, options.nIterNoChange, options.tol);
    }
    onRound({ round, of: options.nEstimators, trees: K, metric: loss.metric.name, value: loss.metric.of(meanLoss), on: watched ? 'validation' : 'training' });
  }
  return { loss: loss.name, scoresPerRow: K, baseline: [...baseline], trees, rounds: trees.length / K, stoppedEarly };
}

/** Raw scores of the ensemble for every row of the columns, score after score (`raw[k * rows + r]`). */
export function rawScores(model: BoostedTrees, columns: Float64Array[], rows: number): Float64Array {
  const K = model.scoresPerRow;
  const raw = startingScores(Float64Array.from(model.baseline), rows);
  model.trees.forEach((tree, t) => addTreeOutput(tree, columns, raw.subarray((t % K) * rows, ((t % K) + 1) * rows)));
  return raw;
}

/**
 * scikit-learn's rule: stop when none of the last n scores (negated losses, the first taken before
 * any tree) beats the score n + 1 rounds back by more than tol.
 */
function noRecentImprovement(scores: number[], n: number, tol: number): boolean {
  if (scores.length < n + 1) return false;
  const reference = (scores[scores.length - n - 1] as number) + tol;
  return !scores.slice(-n).some((score) => score > reference);
}

/** A seeded shuffle cut into ⌈fraction · rows⌉ validation rows and the rest, each in row order. */
function splitValidation(rows: number, fraction: number, random: () => number): { train: Uint32Array; validation: Uint32Array } {
  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  for (let i = rows - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  const held = Math.min(rows - 1, Math.max(1, Math.ceil(fraction * rows)));
  return { validation: order.slice(0, held).sort(), train: order.slice(held).sort() };
}

function gather(column: Float64Array, rows: Uint32Array): Float64Array {
  return Float64Array.from(rows, (r) => column[r] as number);
}

/** Bin codes row after row, so a node's scattered rows are read a cache line each. */
function binRowMajor(columns: Float64Array[], thresholds: Float64Array[], rows: number): Uint8Array {
  const features = columns.length;
  const binned = new Uint8Array(rows * features);
  columns.forEach((column, f) => {
    const codes = binColumn(column, thresholds[f] as Float64Array);
    for (let r = 0; r < rows; r += 1) binned[r * features + f] = codes[r] as number;
  });
  return binned;
}

function startingScores(baseline: Float64Array, rows: number): Float64Array {
  const raw = new Float64Array(baseline.length * rows);
  baseline.forEach((value, k) => raw.fill(value, k * rows, (k + 1) * rows));
  return raw;
}
