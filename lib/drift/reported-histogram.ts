import { sum } from '../stats/sum';
import type { Buckets } from './buckets';
import { type Histogram, REPORTED_CATEGORIES } from './drift-report';

/**
 * The buckets as the report shows them. Bins are kept as they are; of many categories only the
 * most frequent (reference and current together) are listed, in their order, so that an ID-like
 * column does not bloat a summary that travels through workflow history and jsonb.
 */
export function reportedHistogram(buckets: Buckets): Histogram {
  if (buckets.kind === 'bins') return buckets;
  const { values, reference, current } = buckets;
  const total = (i: number) => (reference[i] as number) + (current[i] as number);
  const listed = new Set(
    values
      .map((_, i) => i)
      .sort((a, b) => total(b) - total(a) || a - b)
      .slice(0, REPORTED_CATEGORIES),
  );
  const pick = <T>(items: T[], keep: boolean) => items.filter((_, i) => listed.has(i) === keep);
  return {
    kind: 'categories',
    values: pick(values, true),
    reference: pick(reference, true),
    current: pick(current, true),
    other: { categories: values.length - listed.size, reference: sum(pick(reference, false)), current: sum(pick(current, false)) },
  };
}
