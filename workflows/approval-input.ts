import { z } from 'zod';
import { Person } from '../lib/people/person';
import { NO_NUL } from './pipeline-input';
import { lazySchema } from '../lib/lazy-schema';

const Reason = lazySchema(() => z.string().trim().min(1, { message: 'says why' }).max(2000).refine(...NO_NUL));

/** What `approve` and `reject` carry, from a script or `temporal workflow update execute --input`. */
export const ApprovalDecision = lazySchema(() =>
  z.object({
    by: Person,
    reason: Reason,
  }).strict(),
);
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/**
 * What `supersede` carries: the newer run, waiting on a newer version of the same model, that
 * replaces this one's candidate. The reason is optional: being superseded is the reason.
 */
export const SupersedeDecision = lazySchema(() =>
  z.object({
    by: Person,
    reason: Reason.optional(),
    supersededBy: z.object({
      workflowId: z.string().min(1).max(1000).refine(...NO_NUL),
      version: z.number().int().positive(),
    }).strict(),
  }).strict(),
);
export type SupersedeDecision = z.infer<typeof SupersedeDecision>;
