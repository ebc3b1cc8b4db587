/** The examples a trainer learns from. */
export interface TrainingData {
  x: number[][];
  y: number[];
  featureNames: string[];
}

export type ReportProgress = (fraction: number, message: string) => void;

/**
 * What a trainer implements, built in or a team's own module (`export function train …` and
 * `export function predict …`). The model it returns must be plain JSON: it is stored as the artifact.
 */
export interface Trainer {
  train(data: TrainingData, params: Record<string, unknown>, progress: ReportProgress): unknown;
  predict(model: unknown, x: number[][]): number[];
}
