import { contentDigest } from '../data/digest';
import type { Row } from '../data/typed-row';

/**
 * The row's values in the columns the model reads (InputSchema.required), null where absent: what
 * is logged with a prediction as its inputs, which serving drift compares with the training data.
 */
export function modelInputs(row: Row, read: readonly string[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const column of read) values[column] = row[column] ?? null;
  return values;
}

/**
 * The digest logged with a prediction: sha256 of the row's values in the columns the model reads
 * (keys sorted), so the same input always has the same digest, whatever else the row carries (a
 * key, or the target the model does not read).
 */
export function inputDigest(row: Row, read: readonly string[]): string {
  return contentDigest(modelInputs(row, read));
}
