import type { z } from 'zod';
import { formatZodError } from '../../lib/errors';

/** Bad usage: the CLI prints the message on one line and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Validates a command's options with its zod schema; a problem names the flag (`--pipeline: …`). */
export function parseOptions<T extends z.ZodType>(schema: T, options: unknown): z.output<T> {
  const result = schema.safeParse(options);
  if (!result.success) throw new UsageError(formatZodError(result.error).replace(/(^|; )([a-z])/g, '$1--$2').replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => `${a}-${b.toLowerCase()}`));
  return result.data;
}
