import type { z } from 'zod';

/**
 * Failure types that retrying cannot fix. Activities throw them as non-retryable
 * ApplicationFailures with these type names, and the workflows' retry policies list them,
 * so the intent is visible in one place.
 */
export const NON_RETRYABLE_ERRORS = [
  'InvalidInput',
  'PipelineNotFound',
  'DataValidationFailed',
  'TrainingFailed',
] as const;
export type NonRetryableError = (typeof NON_RETRYABLE_ERRORS)[number];

/** An error that a retry cannot fix; `type` becomes the ApplicationFailure type at the activity boundary. */
export class DriftlineError extends Error {
  constructor(
    readonly type: NonRetryableError,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/** "field.path: problem; other.field: problem" — names every field and what was wrong with it. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/** Parses `value` or throws an InvalidInput DriftlineError whose message names each bad field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new DriftlineError('InvalidInput', `Invalid ${what}: ${formatZodError(result.error)}`);
  }
  return result.data;
}
