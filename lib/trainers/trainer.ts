/** The examples a trainer learns from. */
export interface TrainingData {
  x: number[][];
  y: number[];
  featureNames: string[];
  /** A classification target's classes: `y` holds codes 0 … classes.length − 1. Absent for regression. */
  classes?: string[];
}

export type ReportProgress = (fraction: number, message: string) => void;

/**
 * What a trainer implements, built in or a team's own module (`export function train …` and
 * `export function predict …`). The model it returns must be plain JSON: it is stored as the artifact.
 */
export interface Trainer {
  train(data: TrainingData, params: Record<string, unknown>, progress: ReportProgress): unknown;
  /** A regressor returns a number per row; a classifier a row of class probabilities (in the order of `classes`, summing to 1). */
  predict(model: unknown, x: number[][]): number[] | number[][];
}

/** A trainer that only regresses: its predictions are numbers. */
export interface Regressor extends Trainer {
  predict(model: unknown, x: number[][]): number[];
}
