import { z } from 'zod';
import { lazySchema } from '../lazy-schema';

/**
 * Who acts: approves, rejects, rolls back, annotates, starts a run. One rule on every surface
 * (CLI `--by`, workflow Updates `by`, dashboard forms): a name, required where a person decides,
 * recorded in the audit log as given.
 */
export const Person = lazySchema(() =>
  z
    .string({ message: 'names who acts, e.g. "ana"' })
    .trim()
    .min(1, { message: 'names who acts, e.g. "ana"' })
    .max(200, { message: 'at most 200 characters' })
    // PostgreSQL text cannot hold a NUL character.
    .refine((name) => !name.includes('\0'), { message: 'must not contain a NUL byte' }),
);
