import { z } from 'zod';
import { parseOrThrow } from '../errors';
import { fitRidge, predictRidge, type RidgeModel } from '../model/ridge';
import type { Regressor } from './trainer';

export const RidgeParams = z.object({ alpha: z.number().nonnegative().default(1) }).strict();

/** Ridge regression, closed form: fast, linear, a good first champion. */
export const ridgeTrainer: Regressor = {
  train(data, params, progress) {
    const { alpha } = parseOrThrow(RidgeParams, params, 'ridge params');
    progress(0.2, `solving ${data.featureNames.length} features × ${data.y.length} examples`);
    return fitRidge(data.x, data.y, alpha, data.featureNames);
  },
  predict: (model, x) => predictRidge(model as RidgeModel, x),
};
