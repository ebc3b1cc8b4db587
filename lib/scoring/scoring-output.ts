import { z } from 'zod';
import { lazySchema } from '../lazy-schema';

/** Where a scoring run also writes its predictions: CSV (a header line) or JSON Lines, by `format` or the file's extension. */
export const ScoringOutput = lazySchema(() =>
  z
    .object({
      /** Absolute, or relative to the spec file's folder. */
      path: z.string().min(1),
      format: z.enum(['csv', 'jsonl']).optional(),
    })
    .strict(),
);
export type ScoringOutput = z.infer<typeof ScoringOutput>;

/** The output file's format: as declared, else `.jsonl`/`.ndjson` files are JSON Lines and the rest CSV. */
export function outputFormatOf(output: ScoringOutput): 'csv' | 'jsonl' {
  return output.format ?? (/\.(jsonl|ndjson)$/i.test(output.path) ? 'jsonl' : 'csv');
}
