import { pathToFileURL } from 'node:url';
import { BUILT_IN_TRAINERS } from '../../lib/trainers/built-in';
import { DriftlineError } from '../../lib/errors';
import type { TrainerRef } from '../../lib/model/model-artifact';
import type { Trainer } from '../../lib/trainers/trainer';

/** The in-process trainer a reference names: a built-in one, or a team's module exporting train and predict. */
export async function loadInProcessTrainer(ref: Exclude<TrainerRef, { kind: 'command' }>): Promise<Trainer> {
  if (ref.kind === 'built-in') return BUILT_IN_TRAINERS[ref.name];
  let loaded: Partial<Trainer>;
  try {
    loaded = (await import(pathToFileURL(ref.path).href)) as Partial<Trainer>;
  } catch (error) {
    throw new DriftlineError('InvalidInput', `model.trainer.module: cannot load ${ref.path}: ${(error as Error).message}`);
  }
  if (typeof loaded.train !== 'function' || typeof loaded.predict !== 'function') {
    throw new DriftlineError('InvalidInput', `model.trainer.module: ${ref.path} must export functions train and predict`);
  }
  return { train: loaded.train.bind(loaded), predict: loaded.predict.bind(loaded) };
}
