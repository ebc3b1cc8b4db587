import { z } from 'zod';
import { DataSource } from '../data/source-spec';
import { lazySchema } from '../lazy-schema';
import { NormPolicy } from '../norms/runtime-norm';
import { ScheduleSpec } from '../spec/schedule-spec';
import { ScoringOutput } from './scoring-output';

/** Rows per chunk when the spec does not say: small chunks are garbage before the next young-generation collection. */
export const DEFAULT_CHUNK_ROWS = 5_000;

/**
 * The spec's `"scoring"` section: the rows the champion scores in batch (any source kind ingest
 * reads, with its column rules and quarantine), when it runs by itself, and where predictions go
 * besides PostgreSQL. Its runtime norm is learned from scoring runs only.
 */
export const ScoringSpec = lazySchema(() =>
  z
    .object({
      source: DataSource,
      /** Optional: a Temporal Schedule of its own (`driftline schedule apply` creates it with the pipeline's). */
      schedule: ScheduleSpec.optional(),
      output: ScoringOutput.optional(),
      /**
       * Rows read, scored and written per chunk (one transaction each): memory stays flat whatever the
       * source's size.
       */
      chunkRows: z.number().int().min(10).max(200_000).default(DEFAULT_CHUNK_ROWS),
      norm: NormPolicy.default(NormPolicy.parse({})),
    })
    .strict(),
);
export type ScoringSpec = z.infer<typeof ScoringSpec>;
