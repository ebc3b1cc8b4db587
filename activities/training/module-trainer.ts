import { register } from 'node:module';
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
    loaded = await importTrainerModule(ref.path);
  } catch (error) {
    throw new DriftlineError('InvalidInput', `model.trainer.module: cannot load ${ref.path}: ${(error as Error).message}`);
  }
  if (typeof loaded.train !== 'function' || typeof loaded.predict !== 'function') {
    throw new DriftlineError('InvalidInput', `model.trainer.module: ${ref.path} must export functions train and predict`);
  }
  return { train: loaded.train.bind(loaded), predict: loaded.predict.bind(loaded) };
}

let hooksRegistered = false;

/**
 * Imports a trainer module as an ES module wherever it lives, without the team writing a
 * package.json beside it (see trainer-format-hook.mjs); a TypeScript one also where no TypeScript
 * loader runs yet (the compiled CLI's worker), through tsx's.
 */
async function importTrainerModule(file: string): Promise<Partial<Trainer>> {
  if (!hooksRegistered) {
    register(new URL('./trainer-format-hook.mjs', import.meta.url));
    hooksRegistered = true;
  }
  const url = pathToFileURL(file).href;
  try {
    return (await import(url)) as Partial<Trainer>;
  } catch (error) {
    if ((error as { code?: string }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    (await import('tsx/esm/api')).register();
    // Another URL for the same file: the failed import stays cached under the first.
    return (await import(`${url}?typescript`)) as Partial<Trainer>;
  }
}
