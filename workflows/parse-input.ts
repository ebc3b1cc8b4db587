import { ApplicationFailure } from '@temporalio/workflow';
import type { z } from 'zod';
import { formatZodError } from '../lib/errors';

/** Bad input fails the run at once, naming the field: no retry can fix it. */
export function parseWorkflowInput<T extends z.ZodType>(schema: T, raw: unknown, workflow: string): z.output<T> {
  // jitless: a run parses its input once, and its schemas are built for that run alone, so compiling
  // zod's fast path (generated code, new Function) would cost each run more than the one parse it speeds.
  const result = schema.safeParse(raw, { jitless: true });
  if (!result.success) {
    throw ApplicationFailure.create({
      type: 'InvalidInput',
      message: `Invalid ${workflow} input: ${formatZodError(result.error)}`,
      nonRetryable: true,
    });
  }
  return result.data;
}
