import { z } from 'zod';

/** What `approve` and `reject` carry, from a script or `temporal workflow update execute --input`. */
export const ApprovalDecision = z.object({
  by: z.string().trim().min(1, { message: 'names who decides' }).max(200),
  reason: z.string().trim().min(1, { message: 'says why' }).max(2000),
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;
