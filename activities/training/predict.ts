import type { ModelArtifact, Predictions } from '../../lib/model/model-artifact';
import { featureNames } from '../../lib/model/features';
import { checkPredictions, checkPredictionsFor, checkProbabilities } from '../../lib/model/model-artifact';
import { predictedClasses } from '../../lib/model/metrics';
import { inTargetUnits } from '../../lib/model/target-transform';
import { predictWithCommand } from './command-trainer';
import { loadInProcessTrainer } from './module-trainer';

/**
 * Predicts with any stored model, whichever kind of trainer made it: a number per row from a
 * regressor (in the target's units, back-transformed when it learned a transformed target), a row of class probabilities (in the order of `plan.classes`) from a classifier.
 */
export async function predictAnyWith(artifact: ModelArtifact, x: number[][], signal: AbortSignal): Promise<Predictions> {
  const predictions = inTargetUnits(
    artifact.plan,
    artifact.trainer.kind === 'command'
      ? await predictWithCommand(artifact.trainer, artifact.model, featureNames(artifact.plan), x, signal)
      : await (await loadInProcessTrainer(artifact.trainer)).predict(artifact.model, x),
  );
  checkPredictionsFor(artifact.plan, predictions, x.length);
  return predictions;
}

/** A regressor's predictions. */
export async function predictWith(artifact: ModelArtifact, x: number[][], signal: AbortSignal): Promise<number[]> {
  const predictions = await predictAnyWith(artifact, x, signal);
  checkPredictions(predictions, x.length);
  return predictions;
}

/** A classifier's class probabilities. */
export async function predictProbabilitiesWith(artifact: ModelArtifact, x: number[][], signal: AbortSignal): Promise<number[][]> {
  const predictions = await predictAnyWith(artifact, x, signal);
  checkProbabilities(predictions, x.length, artifact.plan.classes?.values.length ?? 0);
  return predictions;
}

/**
 * One number per row for what watches a model's output (prediction drift): a regressor's
 * prediction, a classifier's predicted class code — its distribution is the predicted class mix.
 */
export async function predictSignalWith(artifact: ModelArtifact, x: number[][], signal: AbortSignal): Promise<number[]> {
  if (artifact.plan.classes === undefined) return predictWith(artifact, x, signal);
  return predictedClasses(await predictProbabilitiesWith(artifact, x, signal));
}
