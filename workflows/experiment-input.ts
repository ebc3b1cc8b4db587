import { z } from 'zod';
import { lazySchema } from '../lib/lazy-schema';
import { MAX_NAME_LENGTH, NO_NUL, RequestedBy } from './pipeline-input';

/** Cells per run of runExperiment by default, and at most. */
export const CELLS_PER_RUN = 200;

/** An experiment file's name under `experiments/` (beside the pipeline specs). */
export const ExperimentName = lazySchema(() =>
  z
    .string()
    .max(MAX_NAME_LENGTH, { message: `at most ${MAX_NAME_LENGTH} characters` })
    .regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must name an experiment file: lowercase letters, digits and dashes' }),
);

/**
 * Starts runExperiment from the CLI, a script or the Temporal UI: `experiment` names
 * `experiments/<name>.json` or is the spec itself (validated in full by the first activity, which
 * names the field). Without `snapshotId` every cell is scored on the pipeline's newest snapshot.
 */
export const ExperimentInput = lazySchema(() =>
  z
    .object({
      experiment: z.union([ExperimentName, z.record(z.string(), z.unknown())], { message: 'an experiment name, or the experiment spec as an object' }),
      requestedBy: RequestedBy,
      snapshotId: z.number().int().positive().optional(),
      /** Cells one run of the workflow takes on before it continues as new, so its history stays a few thousand events. */
      cellsPerRun: z.number().int().min(1).max(CELLS_PER_RUN).default(CELLS_PER_RUN),
      /** Set by the workflow itself when it continues as new: the next cell, and when the experiment began (its budget runs from there). */
      continued: z.object({ nextCell: z.number().int().nonnegative(), startedAt: z.number().int().nonnegative() }).strict().optional(),
    })
    .strict(),
);
export type ExperimentInput = z.input<typeof ExperimentInput>;

/** Who stops an experiment, and why: `temporal workflow update execute --name stop --input '{"by": "ana"}'`. */
export const StopRequest = lazySchema(() =>
  z
    .object({
      by: z.string().min(1).max(MAX_NAME_LENGTH).refine(...NO_NUL),
      reason: z.string().max(2_000).refine(...NO_NUL).optional(),
    })
    .strict(),
);
export type StopRequest = z.infer<typeof StopRequest>;
