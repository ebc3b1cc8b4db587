import { WorkflowFailedError } from '@temporalio/client';

/**
 * What a person needs from a failed workflow: the innermost cause ("snapshot 999 does not exist",
 * "Invalid modelPipeline input: pipeline: …"), not the SDK's wrapper "Workflow execution failed".
 * Any other error is its own message.
 */
export function failureMessage(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  if (!(error instanceof WorkflowFailedError)) return String(current?.message ?? error);
  while (current?.cause) current = current.cause as typeof current;
  return String(current?.message);
}
