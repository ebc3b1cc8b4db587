import { accuracyDecay, decayMetricFor, type AccuracyDecay, type AccuracyDecayOptions } from '../drift/accuracy-decay';
import { getAliasedVersion } from '../db/model-registry';
import { joinedOutcomes, type JoinedOutcome } from '../db/predictions';
import type { Pool } from '../db/pool';
import type { TargetClasses } from '../model/classes';
import { metricOf, metricsOfEither, type Metrics } from '../model/metrics';
import type { PipelineSpec } from '../spec/pipeline-spec';

/** How the version in service does on the outcomes observed for its logged predictions. */
export interface LiveAccuracy {
  model: string;
  version: number;
  /** The metrics of the model's kind over the newest `window` joined outcomes; absent with none. */
  metrics?: Metrics;
  /** Outcomes the metrics were computed on, and how many joined outcomes the version has in all. */
  examples: number;
  available: number;
  /** Accuracy decay on the same outcomes, with its rules (minimum examples, bootstrap interval); absent with none. */
  decay?: AccuracyDecay;
}

export interface LiveAccuracyRequest {
  pipeline: string;
  model: string;
  version: number;
  /** The version's classes when it is a classifier: outcomes and probabilities are read in their order. */
  classes?: TargetClasses;
  /** The decay metric's value on the holdout that promoted the version. */
  promoted: number;
  /** drift.accuracyDecay of the pipeline spec: its window and minimum examples apply here too. */
  options: AccuracyDecayOptions;
}

/**
 * Live accuracy of one version: its logged predictions joined to the actuals by row key, the newest
 * `options.window` of them scored with the metrics of its kind and judged for decay by the same
 * rules as the drift check (fewer than minExamples: insufficient, nothing concluded).
 */
export async function liveAccuracy(pool: Pool, request: LiveAccuracyRequest): Promise<LiveAccuracy> {
  const { pipeline, model, version, classes, options } = request;
  const { outcomes, available } = await joinedOutcomes(pool, pipeline, { limit: options.window, version });
  const scored = classes ? classifierPairs(outcomes, classes) : regressorPairs(outcomes);
  const base = { model, version, examples: scored.actual.length, available };
  if (scored.actual.length === 0) return base;
  return {
    ...base,
    metrics: metricsOfEither(scored.actual, scored.predicted),
    decay: accuracyDecay(request.promoted, scored.actual, scored.predicted, options, undefined, available),
  };
}

/** Outcomes with both a predicted and an observed number. */
function regressorPairs(outcomes: JoinedOutcome[]): { actual: number[]; predicted: number[] } {
  const usable = outcomes.filter((o) => o.prediction !== null && o.actualValue !== null);
  return { actual: usable.map((o) => o.actualValue as number), predicted: usable.map((o) => o.prediction as number) };
}

/**
 * Outcomes whose observed class is one the model knows, as class codes, with the logged
 * probabilities in the model's class order (a class absent from the log counts as probability 0).
 */
function classifierPairs(outcomes: JoinedOutcome[], classes: TargetClasses): { actual: number[]; predicted: number[][] } {
  const code = new Map(classes.values.map((value, i) => [value, i]));
  const observed = (o: JoinedOutcome) => o.actualClass ?? (o.actualValue === null ? undefined : String(o.actualValue));
  const usable = outcomes.filter((o) => o.probabilities !== null && code.has(observed(o) ?? ''));
  return {
    actual: usable.map((o) => code.get(observed(o) as string) as number),
    predicted: usable.map((o) => classes.values.map((value) => (o.probabilities as Record<string, number>)[value] ?? 0)),
  };
}

/**
 * Live accuracy of the pipeline's champion, judged against the error on the holdout that promoted
 * it, with the spec's accuracy-decay options (a classifier on log loss when the declared decay
 * metric is a regressor's, as the drift check does). Undefined without a champion.
 */
export async function championLiveAccuracy(pool: Pool, spec: PipelineSpec): Promise<LiveAccuracy | undefined> {
  const champion = await getAliasedVersion(pool, spec.model.name, 'champion');
  if (!champion) return undefined;
  const { plan } = champion.artifact;
  const declared = spec.drift.accuracyDecay;
  const metric = decayMetricFor(plan, declared.metric);
  return liveAccuracy(pool, {
    pipeline: spec.name,
    model: champion.modelName,
    version: champion.version,
    classes: plan.classes,
    promoted: metricOf(champion.metrics, metric),
    options: { ...declared, metric },
  });
}
