import { z } from 'zod';
import { lazySchema } from '../lib/lazy-schema';
import { ScoringOutput } from '../lib/scoring/scoring-output';
import { MAX_NAME_LENGTH, NO_NUL, PipelineName, RequestedBy } from './pipeline-input';

/**
 * Starts scoreBatch (Temporal UI, `temporal workflow start`, `driftline score`, the scoring
 * Schedule). Only `pipeline` is required: the source and output default to the spec's
 * `"scoring"` section, the alias to the champion, the batch id to the workflow id.
 */
export const ScoreBatchInput = lazySchema(() =>
  z
    .object({
      pipeline: PipelineName,
      /**
       * Rows to score instead of the spec's scoring source, declared as a spec's source is
       * ({"kind": "file", "path": …}); checked against the source schema before anything is read. A
       * relative file path resolves against the spec's folder.
       */
      source: z.record(z.string(), z.unknown()).optional(),
      alias: z.string().min(1).max(MAX_NAME_LENGTH).regex(/^[a-z0-9][a-z0-9_-]*$/, { message: 'an alias name such as champion' }).default('champion'),
      /** Unique across pipelines; the same batch id again is a re-run that writes nothing twice. */
      batchId: z.string().min(1).max(MAX_NAME_LENGTH).refine(...NO_NUL).optional(),
      output: ScoringOutput.optional(),
      requestedBy: RequestedBy,
    })
    .strict(),
);
export type ScoreBatchInput = z.input<typeof ScoreBatchInput>;
