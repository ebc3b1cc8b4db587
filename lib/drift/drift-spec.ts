import type { z } from 'zod';
import { AccuracyDecayOptions } from './accuracy-decay';
import { DriftOptions, ColumnDriftOptions } from './drift-options';
import { DriftPolicy } from './drift-policy';

/**
 * The `drift` section of a pipeline spec: how the current snapshot is compared with the
 * champion's training data (DriftOptions: bands and per-column methods), how the champion's
 * predictions and its error are compared, and what the pipeline does with the verdict.
 */
export const DriftSpec = DriftOptions.safeExtend({
  /** How the champion's predictions on current and reference data are compared; numeric defaults when empty. */
  prediction: ColumnDriftOptions.default({}),
  accuracyDecay: AccuracyDecayOptions.default(AccuracyDecayOptions.parse({})),
  policy: DriftPolicy.default(DriftPolicy.parse({})),
});
export type DriftSpec = z.infer<typeof DriftSpec>;
