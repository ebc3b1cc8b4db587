import { RandomForestRegression } from 'ml-random-forest';
import { z } from 'zod';
import { parseOrThrow } from '../errors';
import type { Trainer } from './trainer';

export const RandomForestParams = z
  .object({
    nEstimators: z.number().int().min(1).max(1000).default(50),
    /** Share (0, 1] or count of the features each tree sees. */
    maxFeatures: z.number().positive().default(1),
    seed: z.number().int().default(42),
  })
  .strict();

/** A non-linear trainer: bagged regression trees (ml-random-forest). */
export const randomForestTrainer: Trainer = {
  train(data, params, progress) {
    const options = parseOrThrow(RandomForestParams, params, 'random-forest params');
    progress(0.2, `growing ${options.nEstimators} trees on ${data.y.length} examples`);
    const forest = new RandomForestRegression({ ...options, replacement: true, useSampleBagging: true, noOOB: true });
    forest.train(data.x, data.y);
    return forest.toJSON();
  },
  predict: (model, x) => RandomForestRegression.load(model as never).predict(x),
};
