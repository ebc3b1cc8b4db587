import type { Trainer } from '../trainers/trainer';
import type { Examples } from './features';
import { regressionMetrics, type Metrics } from './metrics';

export interface BacktestFold {
  /** Trained on examples before this time… */
  origin: string;
  /** …and scored on the window from the origin to this time (inclusive). */
  until: string;
  trainExamples: number;
  testExamples: number;
  metrics: Metrics;
}

/** Fewer training examples than this make a fold's score noise, so such folds are skipped. */
export const MIN_TRAIN_EXAMPLES = 10;

/**
 * Rolling-origin backtest: retrain on everything before each origin and score the next window,
 * stepping back one window at a time — "how would this model have done last year?".
 * The newest fold is the holdout itself.
 */
export async function rollingOriginBacktest(
  trainer: Trainer,
  examples: Examples,
  windowSize: number,
  params: Record<string, unknown>,
  folds = 3,
): Promise<BacktestFold[]> {
  const results: BacktestFold[] = [];
  const n = examples.y.length;
  for (let k = 1; k <= folds; k += 1) {
    const origin = n - k * windowSize;
    if (origin < MIN_TRAIN_EXAMPLES) break;
    const end = origin + windowSize;
    const model = await trainer.train(
      { x: examples.x.slice(0, origin), y: examples.y.slice(0, origin), featureNames: examples.featureNames },
      params,
      () => undefined,
    );
    const predictions = await trainer.predict(model, examples.x.slice(origin, end));
    results.push({
      origin: examples.at[origin] as string,
      until: examples.at[end - 1] as string,
      trainExamples: origin,
      testExamples: end - origin,
      // Backtests run for regressors only (trainWith): their predictions are numbers.
      metrics: regressionMetrics(examples.y.slice(origin, end), predictions as number[]),
    });
  }
  return results;
}
