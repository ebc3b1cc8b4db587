import { contentDigest } from '../data/digest';
import type { Row } from '../data/typed-row';
import type { FeaturePlan } from '../model/features';
import { columnsReadBy } from './check-batch';

/**
 * The digest logged with a prediction: sha256 of the row's values in the columns the model reads
 * (keys sorted), so the same input always has the same digest, whatever else the row carries.
 */
export function inputDigest(row: Row, plan: FeaturePlan): string {
  const read: Record<string, unknown> = {};
  for (const column of columnsReadBy(plan)) read[column] = row[column] ?? null;
  return contentDigest(read);
}
