import type { ModelArtifact } from '../../lib/model/model-artifact';
import { featureNames } from '../../lib/model/features';
import { checkPredictions } from '../../lib/model/model-artifact';
import { predictWithCommand } from './command-trainer';
import { loadInProcessTrainer } from './module-trainer';

/** Predicts with any stored model, whichever kind of trainer made it. */
export async function predictWith(artifact: ModelArtifact, x: number[][], signal: AbortSignal): Promise<number[]> {
  const predictions =
    artifact.trainer.kind === 'command'
      ? await predictWithCommand(artifact.trainer, artifact.model, featureNames(artifact.plan), x, signal)
      : await (await loadInProcessTrainer(artifact.trainer)).predict(artifact.model, x);
  checkPredictions(predictions, x.length);
  return predictions;
}
