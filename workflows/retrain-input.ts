import { z } from 'zod';
import { PipelineName, ParamOverrides, RequestedBy } from './pipeline-input';
import { lazySchema } from '../lib/lazy-schema';

/**
 * Starts retrainModel on its own (Temporal UI, script) or as the pipeline's child. Only
 * `pipeline` is required: without `snapshotId` it trains on the pipeline's newest snapshot.
 */
export const RetrainInput = lazySchema(() =>
  z.object({
    pipeline: PipelineName,
    snapshotId: z.number().int().positive().optional(),
    params: ParamOverrides,
    requestedBy: RequestedBy,
  }).strict(),
);
export type RetrainInput = z.input<typeof RetrainInput>;
