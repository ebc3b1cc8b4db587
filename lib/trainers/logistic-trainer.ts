import { z } from 'zod';
import { parseOrThrow } from '../errors';
import type { Trainer, TrainingData } from './trainer';

/** `alpha` is scikit-learn's 1 / C: the L2 penalty ½·alpha·‖W‖² beside the summed log loss. */
export const LogisticParams = z
  .object({
    alpha: z.number().positive().default(1),
    maxIterations: z.number().int().min(1).max(100_000).default(500),
    /** Stop when the largest gradient component falls below this (scikit-learn's tol for lbfgs's pgtol). */
    tolerance: z.number().positive().default(1e-6),
  })
  .strict();

/** A multinomial logistic regression over standardized features. Plain JSON: it is stored as the artifact. */
export const LogisticModel = z.object({
  kind: z.literal('logistic'),
  featureNames: z.array(z.string()),
  means: z.array(z.number()),
  scales: z.array(z.number()),
  /** One row of weights per class, over the standardized features. */
  weights: z.array(z.array(z.number())),
  intercepts: z.array(z.number()),
  iterations: z.number().int(),
});
export type LogisticModel = z.infer<typeof LogisticModel>;

/**
 * Logistic regression for classification: softmax over one linear score per class (for two classes
 * too, as scikit-learn's multinomial), L2-penalized, intercepts free, fitted by L-BFGS. It predicts
 * each row's class probabilities.
 */
export const logisticTrainer: Trainer = {
  train(data, params, progress) {
    const options = parseOrThrow(LogisticParams, params, 'logistic params');
    const classes = data.classes?.length;
    if (classes === undefined) throw new Error('logistic regression classifies: the target must be categorical, boolean or declared "task": "classification"');
    progress(0.2, `fitting ${classes} classes over ${data.featureNames.length} features × ${data.y.length} examples`);
    return fitLogistic(data, classes, options);
  },
  predict: (model, x) => predictLogistic(LogisticModel.parse(model), x),
};

export function fitLogistic(data: TrainingData, classes: number, options: z.infer<typeof LogisticParams>): LogisticModel {
  const { x, y } = data;
  const d = data.featureNames.length;
  if (y.length === 0) throw new Error('cannot fit a model on zero examples');
  const means = Array.from({ length: d }, (_, j) => x.reduce((s, row) => s + (row[j] as number), 0) / x.length);
  const scales = means.map((m, j) => {
    const sd = Math.sqrt(x.reduce((s, row) => s + ((row[j] as number) - m) ** 2, 0) / x.length);
    // A constant feature carries nothing: left unscaled, its standardized values are all zero.
    return sd > 0 ? sd : 1;
  });
  const z = x.map((row) => row.map((v, j) => (v - (means[j] as number)) / (scales[j] as number)));
  const width = d + 1;
  const objective = (theta: Float64Array, gradient: Float64Array) => penalizedLoss(theta, gradient, z, y, classes, width, options.alpha);
  const { theta, iterations } = minimizeLbfgs(objective, new Float64Array(classes * width), options);
  const weights = Array.from({ length: classes }, (_, k) => Array.from(theta.subarray(k * width, k * width + d)));
  const intercepts = Array.from({ length: classes }, (_, k) => theta[k * width + d] as number);
  return { kind: 'logistic', featureNames: data.featureNames, means, scales, weights, intercepts, iterations };
}

export function predictLogistic(model: LogisticModel, x: number[][]): number[][] {
  return x.map((row) => {
    const z = row.map((v, j) => (v - (model.means[j] as number)) / (model.scales[j] as number));
    return softmax(model.weights.map((w, k) => w.reduce((s, wj, j) => s + wj * (z[j] as number), model.intercepts[k] as number)));
  });
}

/** Σ log loss + ½·alpha·‖W‖² (intercepts unpenalized), and its gradient into `gradient`. θ holds per class its weights, then its intercept. */
function penalizedLoss(theta: Float64Array, gradient: Float64Array, z: number[][], y: number[], classes: number, width: number, alpha: number): number {
  gradient.fill(0);
  let loss = 0;
  const scores = new Array<number>(classes);
  z.forEach((row, i) => {
    for (let k = 0; k < classes; k += 1) {
      let s = theta[k * width + width - 1] as number;
      for (let j = 0; j < row.length; j += 1) s += (theta[k * width + j] as number) * (row[j] as number);
      scores[k] = s;
    }
    const p = softmax(scores);
    const label = y[i] as number;
    loss -= Math.log(Math.max(p[label] as number, Number.MIN_VALUE));
    for (let k = 0; k < classes; k += 1) {
      const residual = (p[k] as number) - (k === label ? 1 : 0);
      for (let j = 0; j < row.length; j += 1) gradient[k * width + j] = (gradient[k * width + j] as number) + residual * (row[j] as number);
      gradient[k * width + width - 1] = (gradient[k * width + width - 1] as number) + residual;
    }
  });
  for (let k = 0; k < classes; k += 1) {
    for (let j = 0; j < width - 1; j += 1) {
      const w = theta[k * width + j] as number;
      loss += 0.5 * alpha * w * w;
      gradient[k * width + j] = (gradient[k * width + j] as number) + alpha * w;
    }
  }
  return loss;
}

/** Class probabilities from scores, shifted by the largest so no exponential overflows. */
function softmax(scores: number[]): number[] {
  const top = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - top));
  const total = e.reduce((s, v) => s + v, 0);
  return e.map((v) => v / total);
}

const MEMORY = 10;

/** L-BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search: the objective is smooth and convex. */
function minimizeLbfgs(
  f: (theta: Float64Array, gradient: Float64Array) => number,
  start: Float64Array,
  { maxIterations, tolerance }: { maxIterations: number; tolerance: number },
): { theta: Float64Array; iterations: number } {
  let theta = start;
  let gradient = new Float64Array(theta.length);
  let value = f(theta, gradient);
  const steps: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  let iteration = 0;
  for (; iteration < maxIterations && maxAbs(gradient) > tolerance; iteration += 1) {
    const direction = twoLoopDirection(gradient, steps);
    const slope = dot(direction, gradient);
    let step = 1;
    let next = new Float64Array(theta.length);
    let nextGradient = new Float64Array(theta.length);
    let nextValue = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 60; tries += 1, step /= 2) {
      for (let i = 0; i < theta.length; i += 1) next[i] = (theta[i] as number) + step * (direction[i] as number);
      nextValue = f(next, nextGradient);
      if (nextValue <= value + 1e-4 * step * slope) break;
    }
    if (!(nextValue < value)) break;
    const s = next.map((v, i) => v - (theta[i] as number));
    const yk = nextGradient.map((v, i) => v - (gradient[i] as number));
    const sy = dot(s, yk);
    if (sy > 1e-12) steps.push({ s, y: yk, rho: 1 / sy });
    if (steps.length > MEMORY) steps.shift();
    [theta, gradient, value] = [next, nextGradient, nextValue];
    next = new Float64Array(0);
    nextGradient = new Float64Array(0);
  }
  return { theta, iterations: iteration };
}

/** −H·g from the stored curvature pairs; the steepest descent direction, scaled, before any. */
function twoLoopDirection(gradient: Float64Array, steps: { s: Float64Array; y: Float64Array; rho: number }[]): Float64Array {
  const q = Float64Array.from(gradient);
  const alphas: number[] = [];
  for (let i = steps.length - 1; i >= 0; i -= 1) {
    const { s, y, rho } = steps[i] as (typeof steps)[number];
    const a = rho * dot(s, q);
    alphas[i] = a;
    for (let j = 0; j < q.length; j += 1) q[j] = (q[j] as number) - a * (y[j] as number);
  }
  const last = steps.at(-1);
  const gamma = last ? dot(last.s, last.y) / dot(last.y, last.y) : 1 / Math.max(1, maxAbs(gradient));
  for (let j = 0; j < q.length; j += 1) q[j] = (q[j] as number) * gamma;
  for (let i = 0; i < steps.length; i += 1) {
    const { s, y, rho } = steps[i] as (typeof steps)[number];
    const b = rho * dot(y, q);
    for (let j = 0; j < q.length; j += 1) q[j] = (q[j] as number) + (s[j] as number) * ((alphas[i] as number) - b);
  }
  return q.map((v) => -v);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 1) s += (a[i] as number) * (b[i] as number);
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
