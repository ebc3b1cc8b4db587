import { z } from 'zod';
import { lazySchema } from '../lib/lazy-schema';

/**
 * The one JSON object that starts a pipeline run, from a script, the Temporal UI or
 * `temporal workflow start --input`. Only `pipeline` is required. Like every workflow input, it
 * refuses unknown keys by name (a misspelt `snapshotID` must not be silently ignored).
 */

/** Names and free text in workflow input stay far below Temporal's search attribute and payload limits. */
export const MAX_NAME_LENGTH = 200;

/** For free text bound for PostgreSQL, whose text and jsonb cannot hold a NUL character: `.refine(...NO_NUL)`. */
export const NO_NUL = [(text: string) => !text.includes('\0'), { message: 'must not contain a NUL byte' }] as const;

export const PipelineName = lazySchema(() =>
  z
    .string()
    .max(MAX_NAME_LENGTH, { message: `at most ${MAX_NAME_LENGTH} characters` })
    .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must name a pipeline spec: lowercase letters, digits and dashes' }),
);

/** Overrides of the spec's model parameters for this run only, e.g. {"alpha": 10}. */
export const ParamOverrides = lazySchema(() =>
  z
    .record(z.string().max(MAX_NAME_LENGTH).refine(...NO_NUL), z.number().refine(Number.isFinite, { message: 'must be a finite number' }))
    .optional(),
);

/** Who or what started the run; recorded in the audit log. */
export const RequestedBy = lazySchema(() => z.string().min(1).max(MAX_NAME_LENGTH).refine(...NO_NUL).default('temporal-ui'));

export const PipelineInput = lazySchema(() =>
  z.object({
    pipeline: PipelineName,
    params: ParamOverrides,
    requestedBy: RequestedBy,
    trigger: z.enum(['manual', 'retrain', 'schedule']).default('manual'),
  }).strict(),
);
export type PipelineInput = z.input<typeof PipelineInput>;
export type ParsedPipelineInput = z.output<typeof PipelineInput>;
