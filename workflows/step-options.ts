import { NON_RETRYABLE_ERRORS } from '../lib/errors';

/** Every step: exponential backoff for transient errors; the named input/data errors fail at once. */
export const STEP_RETRY = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 5,
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERRORS],
};

/** The innermost cause's message: "No pipeline …" rather than "Activity task failed". */
export function describeFailure(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return String(current?.message ?? error);
}
