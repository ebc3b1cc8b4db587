import type { ColumnTable } from '../data/columns/column-table';

/**
 * A chunk's predictions, one entry per scored row, as columns: what the prediction log's writer,
 * the prediction file and the serving check read, with no object per row.
 */
export interface ScoredChunk {
  /** The chunk's position in the run (0-based): a retry skips the chunks it finds written. */
  index: number;
  /** The source position of the chunk's last row: with `index`, what a retry recognises the chunk by. */
  lastRecord: number;
  /** Each row's key: its key columns' values, else its position in the source ("record 12"). */
  rowKeys: string[];
  /** Each row's own time (epoch milliseconds, NaN for none), when the model has a time column. */
  at?: Float64Array;
  answers: ScoredAnswers;
  /** lib/serving/input-digest.ts: what the model saw, row by row. */
  digests: string[];
  /** The values of the columns the version reads, row by row: what serving drift compares. */
  inputs: ColumnTable;
}

/** A regressor's numbers, or a classifier's class probabilities (in the version's class order) with the predicted class of each row. */
export type ScoredAnswers =
  | { kind: 'regression'; values: Float64Array }
  | { kind: 'classification'; classes: readonly string[]; probabilities: number[][]; predicted: number[] };

/** One scored row as the row-at-a-time writer and the prediction file say it. */
export interface ScoredPrediction {
  rowKey: string;
  /** ISO 8601, or null when the row has no time. */
  at: string | null;
  inputDigest: string;
  prediction?: number;
  predictedClass?: string;
  probabilities?: Record<string, number>;
}

export function scoredPrediction(chunk: ScoredChunk, i: number): ScoredPrediction {
  const time = chunk.at?.[i] ?? Number.NaN;
  const row = { rowKey: chunk.rowKeys[i] as string, at: Number.isNaN(time) ? null : new Date(time).toISOString(), inputDigest: chunk.digests[i] as string };
  const { answers } = chunk;
  if (answers.kind === 'regression') return { ...row, prediction: answers.values[i] as number };
  return { ...row, predictedClass: predictedClassAt(answers, i), probabilities: probabilitiesAt(answers, i) };
}

type Classified = Extract<ScoredAnswers, { kind: 'classification' }>;

export function predictedClassAt(answers: Classified, i: number): string {
  return answers.classes[answers.predicted[i] as number] as string;
}

/** A row's probabilities as logged: {class: probability}. */
export function probabilitiesAt(answers: Classified, i: number): Record<string, number> {
  const probabilities = answers.probabilities[i] as number[];
  return Object.fromEntries(answers.classes.map((name, k) => [name, probabilities[k] as number]));
}
