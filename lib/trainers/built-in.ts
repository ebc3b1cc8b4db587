import { GradientBoostingParams, gradientBoostingTrainer, predictClassProbabilities, trainGradientBoostingClassifier } from './gradient-boosting-trainer';
import { LogisticParams, logisticTrainer } from './logistic-trainer';
import { RidgeParams, ridgeTrainer } from './ridge-trainer';
import type { Trainer } from './trainer';

/** Gradient boosting for either task: the classifier when the data has classes, and its model says which it is at predict time. */
const gradientBoosting: Trainer = {
  train: (data, params, progress) =>
    data.classes === undefined ? gradientBoostingTrainer.train(data, params, progress) : trainGradientBoostingClassifier(data, data.classes.length, params, progress),
  predict: (model, x) => (isClassifier(model) ? predictClassProbabilities(model, x) : gradientBoostingTrainer.predict(model, x)),
};

function isClassifier(model: unknown): boolean {
  return typeof model === 'object' && model !== null && (model as { loss?: unknown }).loss === 'log-loss';
}

/** A regressor only: asked to classify, it says so instead of fitting class codes as numbers. */
const ridge: Trainer = {
  train(data, params, progress) {
    if (data.classes !== undefined) throw new Error('ridge is a regressor: for classes use "logistic" or "gradient-boosting"');
    return ridgeTrainer.train(data, params, progress);
  },
  predict: ridgeTrainer.predict,
};

export const BUILT_IN_TRAINERS = {
  ridge,
  'gradient-boosting': gradientBoosting,
  logistic: logisticTrainer,
} satisfies Record<string, Trainer>;

export type BuiltInTrainerName = keyof typeof BUILT_IN_TRAINERS;

/** Each built-in trainer's parameters, checked when a run starts rather than when training begins. */
export const BUILT_IN_PARAMS = {
  ridge: RidgeParams,
  'gradient-boosting': GradientBoostingParams,
  logistic: LogisticParams,
} satisfies Record<BuiltInTrainerName, unknown>;
