import { proxyActivities } from '@temporalio/workflow';
import { z } from 'zod';
import type { Activities } from '../activities';
import type { VersionScore } from '../activities/evaluate';
import { parseWorkflowInput } from './parse-input';
import { MAX_NAME_LENGTH, NO_NUL } from './pipeline-input';
import { STEP_RETRY } from './step-options';
import { lazySchema } from '../lib/lazy-schema';

export const EvaluateVersionInput = lazySchema(() =>
  z.object({
    model: z.string().min(1).max(MAX_NAME_LENGTH).refine(...NO_NUL),
    version: z.number().int().positive(),
    snapshotId: z.number().int().positive(),
  }).strict(),
);
export type EvaluateVersionInput = z.input<typeof EvaluateVersionInput>;

const { scoreVersion } = proxyActivities<Activities>({ startToCloseTimeout: '30 minutes', retry: STEP_RETRY });

/** "How would version 3 have done on last year's data?": scores a stored version on a stored snapshot. */
export async function evaluateVersion(rawInput: EvaluateVersionInput): Promise<VersionScore> {
  const input = parseWorkflowInput(EvaluateVersionInput, rawInput, 'evaluateVersion');
  return scoreVersion(input);
}
