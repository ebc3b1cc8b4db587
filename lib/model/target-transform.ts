import { z } from 'zod';
import { DriftlineError } from '../errors';
import type { Trainer } from '../trainers/trainer';

/**
 * A transform of a regression target that the model learns on (`log1p` for a positive, skewed
 * target such as sales or prices). Everything outside the trainer stays in the target's units:
 * labels, naive baselines, metrics, drift. The trainer sees transformed labels and its
 * predictions are back-transformed the moment they leave it, so RMSE is in the target's units.
 */
export const TargetTransform = z.enum(['log1p', 'log', 'sqrt']);
export type TargetTransform = z.infer<typeof TargetTransform>;

interface Transform {
  forward(value: number): number;
  back(value: number): number;
  inDomain(value: number): boolean;
  domain: string;
}

const TRANSFORMS: Record<TargetTransform, Transform> = {
  log1p: { forward: Math.log1p, back: Math.expm1, inDomain: (v) => v > -1, domain: 'values greater than −1' },
  log: { forward: Math.log, back: Math.exp, inDomain: (v) => v > 0, domain: 'positive values' },
  // A negative prediction on the square-root scale is a target below 0, outside the domain: 0 is the nearest.
  sqrt: { forward: Math.sqrt, back: (v) => Math.max(0, v) ** 2, inDomain: (v) => v >= 0, domain: 'values of 0 or more' },
};

/** Where a plan keeps its transform: the artifact's FeaturePlan (absent: the model learns the target as it is). */
interface Transformed {
  targetTransform?: TargetTransform;
}

/** The labels as the trainer learns them. */
export function labelsForModel(plan: Transformed, labels: number[]): number[] {
  if (plan.targetTransform === undefined) return labels;
  const { forward } = TRANSFORMS[plan.targetTransform];
  return labels.map(forward);
}

/**
 * A model's predictions in the target's units. Anything but a list of numbers passes unchanged,
 * so the prediction checks that follow still say what the trainer returned.
 */
export function inTargetUnits<P>(plan: Transformed, predictions: P): P {
  if (plan.targetTransform === undefined || !Array.isArray(predictions)) return predictions;
  const { back } = TRANSFORMS[plan.targetTransform];
  return predictions.map((p: unknown) => (typeof p === 'number' ? back(p) : p)) as P;
}

/** An in-process trainer that learns on transformed labels and predicts in the target's units. */
export function inTargetUnitsTrainer(trainer: Trainer, plan: Transformed): Trainer {
  if (plan.targetTransform === undefined) return trainer;
  return {
    train: (data, params, progress) => trainer.train({ ...data, y: labelsForModel(plan, data.y) }, params, progress),
    predict: (model, x) => {
      const predictions: unknown = trainer.predict(model, x);
      // Callers await predict, so a team's module may answer with a promise: transform what it resolves to.
      return predictions instanceof Promise ? predictions.then((resolved: unknown) => inTargetUnits(plan, resolved)) : inTargetUnits(plan, predictions);
    },
  } as Trainer;
}

/** Labels outside the transform's domain would become NaN or −∞: a data error naming the target and how many. */
export function checkTargetDomain(target: string, transform: TargetTransform | undefined, labels: number[]): void {
  if (transform === undefined) return;
  const { inDomain, domain } = TRANSFORMS[transform];
  const bad = labels.filter((v) => !inDomain(v));
  if (bad.length === 0) return;
  throw new DriftlineError(
    'DataValidationFailed',
    `target "${target}": targetTransform "${transform}" needs ${domain}; ${bad.length} of ${labels.length} labels are not (smallest ${bad.reduce((a, b) => Math.min(a, b))})`,
  );
}
