import type { ColumnSpecs } from '../../lib/data/column-spec';
import type { Row } from '../../lib/data/typed-row';
import type { DriftOptions } from '../../lib/drift/drift-options';
import { mulberry32 } from '../../lib/stats/mulberry32';
import { compareRows } from './drift-frames';

const COLUMNS: ColumnSpecs = { x: { type: 'numeric', nullable: true } };

/** Seeded normal values (Box–Muller). */
export function normals(count: number, seed: number, mean = 0): number[] {
  const random = mulberry32(seed);
  return Array.from({ length: count }, () => mean + Math.sqrt(-2 * Math.log(random())) * Math.cos(2 * Math.PI * random()));
}

export const asRows = (values: readonly number[]): Row[] => values.map((x) => ({ x }));

/**
 * The share of `batches` batches of `rows` values drawn with replacement from `reference` (seeded),
 * each moved by `shift`, whose drift report fails: with no shift the false-alarm rate, with one the
 * detection rate. Each batch's report has its own seed, as successive checks do.
 */
export function failRate(reference: readonly number[], shift: number, options: DriftOptions, batches = 200, rows = 20): number {
  const random = mulberry32(2024);
  const referenceRows = asRows(reference);
  let failed = 0;
  for (let batch = 0; batch < batches; batch++) {
    const drawn = Array.from({ length: rows }, () => (reference[Math.floor(random() * reference.length)] as number) + shift);
    if (compareRows(referenceRows, asRows(drawn), COLUMNS, options, { seed: batch }).verdict === 'fail') failed++;
  }
  return failed / batches;
}
