import { z } from 'zod';

/**
 * The one JSON object that starts a pipeline run, from a script, the Temporal UI or
 * `temporal workflow start --input`. Only `pipeline` is required.
 */
export const PipelineName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must name a pipeline spec: lowercase letters, digits and dashes' });

/** Overrides of the spec's model parameters for this run only, e.g. {"alpha": 10}. */
export const ParamOverrides = z.record(z.string(), z.number().refine(Number.isFinite, { message: 'must be a finite number' })).optional();

/** Who or what started the run; recorded in the audit log. */
export const RequestedBy = z.string().min(1).max(200).default('temporal-ui');

export const PipelineInput = z.object({
  pipeline: PipelineName,
  params: ParamOverrides,
  requestedBy: RequestedBy,
  trigger: z.enum(['manual', 'retrain', 'schedule']).default('manual'),
});
export type PipelineInput = z.input<typeof PipelineInput>;
export type ParsedPipelineInput = z.output<typeof PipelineInput>;
