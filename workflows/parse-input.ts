import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { formatZodError } from '../lib/errors';

/** Bad input fails the run at once, naming the field: no retry can fix it. */
export function parseWorkflowInput<T extends z.ZodType>(schema: T, raw: unknown, workflow: string): z.output<T> {
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      message: `Invalid ${workflow} input: ${formatZodError(result.error)}`,
      nonRetryable: true,
    });
  }
  return result.data;
}
