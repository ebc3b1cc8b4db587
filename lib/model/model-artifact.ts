import type { Row } from '../data/typed-row';
import type { PipelineSpec } from '../spec/pipeline-spec';
import { buildExamples, type FeaturePlan } from './features';
import { timeHoldout } from './holdout';
import { regressionMetrics, type Metrics } from './metrics';
import { fitRidge, predictRidge, type RidgeModel } from './ridge';

/** Everything needed to predict again later: how to build the features, and the fitted model. */
export interface ModelArtifact {
  plan: FeaturePlan;
  model: RidgeModel;
}

export interface TrainingResult {
  artifact: ModelArtifact;
  /** Scores on the time-based holdout. */
  metrics: Metrics;
  trainExamples: number;
  testExamples: number;
  /** The time of the first holdout example: the champion is scored from the same point. */
  holdoutStart: string;
}

export function featurePlanOf(spec: PipelineSpec): FeaturePlan {
  return { target: spec.target, timeColumn: spec.timeColumn, horizon: spec.horizon, features: spec.features };
}

/** Fits the spec's model on the older rows and scores it on the most recent ones. */
export function trainOnRows(rows: Row[], spec: PipelineSpec, alpha: number): TrainingResult {
  const plan = featurePlanOf(spec);
  const examples = buildExamples(rows, plan);
  const { train, test } = timeHoldout(examples, spec.evaluation.holdoutFraction);
  const model = fitRidge(train.x, train.y, alpha, examples.featureNames);
  return {
    artifact: { plan, model },
    metrics: regressionMetrics(test.y, predictRidge(model, test.x)),
    trainExamples: train.y.length,
    testExamples: test.y.length,
    holdoutStart: test.at[0] as string,
  };
}

/** Scores a stored model on the examples at or after `holdoutStart`, built with the model's own feature plan. */
export function scoreFrom(artifact: ModelArtifact, rows: Row[], holdoutStart: string): Metrics & { examples: number } {
  const examples = buildExamples(rows, artifact.plan);
  const keep = examples.at.map((at) => at >= holdoutStart);
  const x = examples.x.filter((_, i) => keep[i]);
  const y = examples.y.filter((_, i) => keep[i]);
  return { ...regressionMetrics(y, predictRidge(artifact.model, x)), examples: y.length };
}
