import { classificationMetrics } from '../model/metrics';
import type { BaselineScore } from './baselines';

/**
 * What a classifier must beat:
 * - `majority`: the training labels' most frequent class, with certainty (accuracy's floor);
 * - `class-prior`: every row gets the training labels' class frequencies (log loss's and Brier's floor).
 */
export type ClassBaselineName = 'majority' | 'class-prior';

/** The share of each class among the training labels (class codes 0 … classes − 1). */
export function classPrior(trainingLabels: number[], classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of trainingLabels) counts[label] = (counts[label] as number) + 1;
  return counts.map((count) => count / trainingLabels.length);
}

/** Both baselines' probabilities for `rows` examples. */
export function classBaselines(trainingLabels: number[], classes: number, rows: number): { name: ClassBaselineName; probabilities: number[][] }[] {
  const prior = classPrior(trainingLabels, classes);
  const majority = prior.indexOf(Math.max(...prior));
  const certain = prior.map((_, k) => (k === majority ? 1 : 0));
  return [
    { name: 'majority', probabilities: Array.from({ length: rows }, () => certain) },
    { name: 'class-prior', probabilities: Array.from({ length: rows }, () => prior) },
  ];
}

export function scoreClassBaselines(labels: number[], forecasts: { name: ClassBaselineName; probabilities: number[][] }[]): BaselineScore[] {
  return forecasts.map(({ name, probabilities }) => ({ name, metrics: classificationMetrics(labels, probabilities) }));
}
