/**
 * The losses boosting descends, as scikit-learn's "half" losses: each gives per-row gradients and
 * hessians of the raw scores, the constant start, and its mean for early stopping. Scores are laid
 * out score after score (`raw[k * rows + r]`): one per row for regression and binary
 * classification, one per class for multiclass, where each round grows one tree per class.
 */
export interface Loss {
  name: LossName;
  scoresPerRow: number;
  /** Every hessian is 1 (squared error): histograms count rows instead of summing hessians. */
  constantHessian: boolean;
  /** The best constant raw score(s): where boosting starts. */
  baseline(y: Float64Array): Float64Array;
  /**
   * Fills gradients (and hessians) at the raw scores and returns the mean loss there, computed in
   * the same pass. Float32 like scikit-learn's: half the memory traffic, and the same splits.
   */
  gradients(y: Float64Array, raw: Float64Array, gradients: Float32Array, hessians: Float32Array): number;
  /** Mean loss: what early stopping watches. */
  mean(y: Float64Array, raw: Float64Array): number;
  /** The figure progress messages show, in the units people read. */
  metric: { name: string; of(meanLoss: number): number };
}

export type LossName = 'squared-error' | 'log-loss';

/** Half squared error: gradient raw − y, hessian 1, start at the mean. */
export const squaredError: Loss = {
  name: 'squared-error',
  scoresPerRow: 1,
  constantHessian: true,
  baseline: (y) => Float64Array.of(y.reduce((sum, v) => sum + v, 0) / y.length),
  gradients(y, raw, gradients) {
    let sum = 0;
    for (let r = 0; r < y.length; r += 1) {
      const residual = (raw[r] as number) - (y[r] as number);
      gradients[r] = residual;
      sum += residual * residual;
    }
    return sum / (2 * y.length);
  },
  mean(y, raw) {
    let sum = 0;
    for (let r = 0; r < y.length; r += 1) sum += ((raw[r] as number) - (y[r] as number)) ** 2;
    return sum / (2 * y.length);
  },
  metric: { name: 'rmse', of: (meanLoss) => Math.sqrt(2 * meanLoss) },
};

/** Probabilities are kept off 0 and 1 so a pure class still has a finite log-odds start. */
const EPSILON = 1e-15;

/** Binary log loss on the log-odds (labels 0/1): gradient p − y, hessian p(1 − p). */
export const binaryLogLoss: Loss = {
  name: 'log-loss',
  scoresPerRow: 1,
  constantHessian: false,
  baseline(y) {
    const p = clip(y.reduce((sum, v) => sum + v, 0) / y.length);
    return Float64Array.of(Math.log(p / (1 - p)));
  },
  gradients(y, raw, gradients, hessians) {
    let sum = 0;
    for (let r = 0; r < y.length; r += 1) {
      const z = raw[r] as number;
      const p = sigmoid(z);
      gradients[r] = p - (y[r] as number);
      hessians[r] = p * (1 - p);
      sum += softplus(z) - (y[r] as number) * z;
    }
    return sum / y.length;
  },
  mean(y, raw) {
    let sum = 0;
    for (let r = 0; r < y.length; r += 1) sum += softplus(raw[r] as number) - (y[r] as number) * (raw[r] as number);
    return sum / y.length;
  },
  metric: { name: 'log loss', of: (meanLoss) => meanLoss },
};

/** Multinomial log loss on one raw score per class (labels 0 … K − 1), softmax probabilities. */
export function multinomialLogLoss(classes: number): Loss {
  return {
    name: 'log-loss',
    scoresPerRow: classes,
    constantHessian: false,
    baseline(y) {
      const counts = new Float64Array(classes);
      for (const label of y) counts[label] = (counts[label] as number) + 1;
      return counts.map((count) => Math.log(clip(count / y.length)));
    },
    gradients(y, raw, gradients, hessians) {
      const rows = y.length;
      const probabilities = new Float64Array(classes);
      let sum = 0;
      for (let r = 0; r < rows; r += 1) {
        const logSum = softmaxOfRow(raw, rows, r, probabilities);
        sum += logSum - (raw[(y[r] as number) * rows + r] as number);
        for (let k = 0; k < classes; k += 1) {
          const p = probabilities[k] as number;
          gradients[k * rows + r] = p - (y[r] === k ? 1 : 0);
          hessians[k * rows + r] = p * (1 - p);
        }
      }
      return sum / rows;
    },
    mean(y, raw) {
      const rows = y.length;
      let sum = 0;
      for (let r = 0; r < rows; r += 1) sum += logSumExpOfRow(raw, rows, r, classes) - (raw[(y[r] as number) * rows + r] as number);
      return sum / rows;
    },
    metric: { name: 'log loss', of: (meanLoss) => meanLoss },
  };
}

/** Row r's class probabilities from scores laid out score after score; returns log Σ exp(score). */
export function softmaxOfRow(raw: Float64Array, rows: number, r: number, out: Float64Array): number {
  let max = -Infinity;
  for (let k = 0; k < out.length; k += 1) max = Math.max(max, raw[k * rows + r] as number);
  let sum = 0;
  for (let k = 0; k < out.length; k += 1) {
    const e = Math.exp((raw[k * rows + r] as number) - max);
    out[k] = e;
    sum += e;
  }
  for (let k = 0; k < out.length; k += 1) out[k] = (out[k] as number) / sum;
  return max + Math.log(sum);
}

function logSumExpOfRow(raw: Float64Array, rows: number, r: number, classes: number): number {
  let max = -Infinity;
  for (let k = 0; k < classes; k += 1) max = Math.max(max, raw[k * rows + r] as number);
  let sum = 0;
  for (let k = 0; k < classes; k += 1) sum += Math.exp((raw[k * rows + r] as number) - max);
  return max + Math.log(sum);
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

function clip(p: number): number {
  return Math.min(1 - EPSILON, Math.max(EPSILON, p));
}
