import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { formatZodError } from '../../lib/errors';

/**
 * Parses a script's command-line flags with node:util and validates them with a zod schema.
 * Bad usage prints one line naming the flag and exits with code 2.
 */
export function parseFlags<T extends z.ZodType>(
  options: NonNullable<ParseArgsConfig['options']>,
  schema: T,
  usage: string,
  argv: string[] = process.argv.slice(2),
): z.infer<T> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }));
  } catch (error) {
    return usageError(`${(error as Error).message}`, usage);
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const result = schema.safeParse(values);
  if (!result.success) return usageError(formatZodError(result.error).replace(/(^|; )(\w)/g, '$1--$2'), usage);
  return result.data;
}

function usageError(message: string, usage: string): never {
  console.error(`error: ${message}\n\n${usage}`);
  process.exit(2);
}

/** `--param alpha=10 --param beta=2` → { alpha: 10, beta: 2 }. */
export const ParamFlags = z
  .array(z.string())
  .default([])
  .transform((pairs, ctx) => {
    const params: Record<string, number> = {};
    for (const pair of pairs) {
      const [name, text] = pair.split('=', 2);
      const value = Number(text);
      if (!name || text === undefined || text.trim() === '' || !Number.isFinite(value)) {
        ctx.addIssue({ code: 'custom', message: `takes name=number, e.g. alpha=10 (got "${pair}")` });
        continue;
      }
      params[name] = value;
    }
    return params;
  });
