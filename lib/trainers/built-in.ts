import { GradientBoostingParams, gradientBoostingTrainer } from './gradient-boosting-trainer';
import { RidgeParams, ridgeTrainer } from './ridge-trainer';
import type { Trainer } from './trainer';

export const BUILT_IN_TRAINERS = {
  ridge: ridgeTrainer,
  'gradient-boosting': gradientBoostingTrainer,
} satisfies Record<string, Trainer>;

export type BuiltInTrainerName = keyof typeof BUILT_IN_TRAINERS;

/** Each built-in trainer's parameters, checked when a run starts rather than when training begins. */
export const BUILT_IN_PARAMS = {
  ridge: RidgeParams,
  'gradient-boosting': GradientBoostingParams,
} satisfies Record<BuiltInTrainerName, unknown>;
