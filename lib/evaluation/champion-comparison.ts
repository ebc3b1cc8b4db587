import { compareKeys, type RowKey } from '../arrival/pipeline-data';
import { canonicalJson } from '../data/digest';
import { isProbabilityRows, metricsOfEither, type Metrics } from '../model/metrics';
import type { Predictions } from '../model/model-artifact';
import type { Metric } from '../spec/pipeline-spec';
import { pairedBootstrap, pairedBootstrapOfClasses, type ImprovementInterval } from './paired-bootstrap';

/** What is known of the champion before scoring it. */
export interface ChampionFacts {
  version: number;
  /** The key (time, or position without a time column) of the last row it trained on; undefined when not recorded. */
  trainedThrough?: RowKey;
  /** Same trainer, parameters and feature spec as the candidate. */
  sameConfiguration: boolean;
  /** The fit to score is the champion's from before its refit (then `trainedThrough` is that fit's end). */
  beforeRefit?: boolean;
}

/**
 * How the candidate stands against the champion:
 * - `refresh`: the champion's own configuration trained on data that ends later (a scheduled or
 *   drift retrain): worth serving for the newer data alone;
 * - `same-data`: the same configuration on the same data: nothing to gain;
 * - `scored`: both scored on the same holdout examples, with a bootstrap interval of the
 *   improvement unless the pipeline declared `minRelativeChange` for the primary metric instead.
 */
export type ChampionComparison =
  | { kind: 'refresh'; version: number; trainedThrough: RowKey; candidateThrough: RowKey }
  | { kind: 'same-data'; version: number }
  | {
      kind: 'scored';
      version: number;
      examples: number;
      /** How many of them the champion trained on (it was refitted on its whole window); undefined when unknown. */
      seen: number | undefined;
      /** True when only the examples newer than the champion's training data were compared. */
      newerOnly: boolean;
      /** True when the champion's fit from before its refit was scored: the served refit had learned the holdout. */
      beforeRefit?: boolean;
      candidate: Metrics;
      champion: Metrics;
      interval?: ImprovementInterval;
    };

/** Candidate and champion predictions for the same holdout examples. */
export interface PairedPredictions {
  /** The key of the row each example is built from, comparable with training windows' ends. */
  keys: RowKey[];
  actual: number[];
  /** Numbers from regressors, rows of class probabilities from classifiers. */
  candidate: Predictions;
  champion: Predictions;
}

export interface ComparisonRules {
  metric: Metric;
  minHoldout: number;
  /** False when `minRelativeChange` on the primary metric decides instead of the bootstrap. */
  bootstrap: boolean;
}

/** What a version was trained with, for telling a refresh of the champion from a different candidate. */
export interface Configuration {
  artifact: { trainer: unknown; plan: { target: string; timeColumn?: string; horizon: number; features: unknown } };
  params: Record<string, unknown>;
}

/** Same trainer, parameters and feature spec (the learned category vocabularies aside). */
export function sameConfiguration(a: Configuration, b: Configuration): boolean {
  const key = ({ artifact: { trainer, plan }, params }: Configuration) =>
    canonicalJson({ trainer, params, target: plan.target, timeColumn: plan.timeColumn, horizon: plan.horizon, features: plan.features });
  return key(a) === key(b);
}

/**
 * The champion's own configuration decides without scoring: trained on data that ends later it
 * is a refresh, on the same data there is nothing to gain. Undefined when the candidate differs
 * (or the champion's training data is not recorded): then both are scored.
 */
export function configurationVerdict(champion: ChampionFacts, candidateThrough: RowKey | undefined): ChampionComparison | undefined {
  const { version, trainedThrough } = champion;
  if (!champion.sameConfiguration || trainedThrough === undefined || candidateThrough === undefined) return undefined;
  return compareKeys(candidateThrough, trainedThrough) > 0 ? { kind: 'refresh', version, trainedThrough, candidateThrough } : { kind: 'same-data', version };
}

/**
 * Compares on the holdout examples the champion never saw when there are at least `minHoldout`
 * of them; otherwise on the whole holdout, counting how many the champion had seen (its score
 * there is optimistic, which errs toward keeping it).
 */
export function scoreAgainstChampion(champion: ChampionFacts, paired: PairedPredictions, rules: ComparisonRules): ChampionComparison {
  const { trainedThrough } = champion;
  const unseen = trainedThrough === undefined ? [] : indicesWhere(paired.keys, (key) => compareKeys(key, trainedThrough) > 0);
  const newerOnly = unseen.length >= rules.minHoldout;
  const picked = newerOnly ? unseen : paired.keys.map((_, i) => i);
  if (picked.length === 0) throw new Error(`champion v${champion.version} cannot be scored on any holdout example`);
  const pick = <T>(values: T[]) => picked.map((i) => values[i] as T);
  const actual = pick(paired.actual);
  const [candidate, championPredictions] = [pick<number | number[]>(paired.candidate), pick<number | number[]>(paired.champion)] as Predictions[];
  return {
    kind: 'scored',
    version: champion.version,
    examples: picked.length,
    seen: trainedThrough === undefined ? undefined : newerOnly ? 0 : picked.length - unseen.length,
    newerOnly,
    ...(champion.beforeRefit && { beforeRefit: true }),
    candidate: metricsOfEither(actual, candidate as Predictions),
    champion: metricsOfEither(actual, championPredictions as Predictions),
    interval: rules.bootstrap ? bootstrapEither(rules.metric, actual, candidate as Predictions, championPredictions as Predictions) : undefined,
  };
}

function indicesWhere(values: RowKey[], keep: (value: RowKey) => boolean): number[] {
  return values.flatMap((value, i) => (keep(value) ? [i] : []));
}

function bootstrapEither(metric: Metric, actual: number[], candidate: Predictions, champion: Predictions): ImprovementInterval {
  return isProbabilityRows(candidate) ? pairedBootstrapOfClasses(metric, actual, candidate, champion as number[][]) : pairedBootstrap(metric, actual, candidate, champion as number[]);
}
