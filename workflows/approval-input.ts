import { z } from 'zod';
import { Person } from '../lib/people/person';
import { NO_NUL } from './pipeline-input';

/** What `approve` and `reject` carry, from a script or `temporal workflow update execute --input`. */
export const ApprovalDecision = z.object({
  by: Person,
  reason: z.string().trim().min(1, { message: 'says why' }).max(2000).refine(...NO_NUL),
}).strict();
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;
