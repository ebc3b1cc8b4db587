import { z } from 'zod';
import { higherIsBetter, improvement, metricOf, type Metrics } from '../model/metrics';
import type { Metric } from '../spec/pipeline-spec';
import type { BaselineSummary } from './baselines';
import type { ChampionComparison } from './champion-comparison';
import { describeAt, formatMetric, formatPercent, skillText } from './format';

/**
 * One metric's gate, in MLflow's terms: an absolute threshold the candidate must meet, and the
 * minimum absolute and relative improvement over the champion.
 */
export const MetricGate = z
  .object({
    /** Lower-is-better metrics must be ≤ this, r2 must be ≥ this. */
    threshold: z.number().optional(),
    /** Improvement over the champion, in the metric's own units. */
    minAbsoluteChange: z.number().nonnegative().optional(),
    /**
     * Improvement over the champion as a share of the champion's value (0.05 = 5 %). On the
     * primary metric it replaces the bootstrap test of the improvement.
     */
    minRelativeChange: z.number().nonnegative().optional(),
  })
  .strict();
export type MetricGate = z.infer<typeof MetricGate>;

export type GateName = 'min_holdout' | 'beats_baselines' | 'threshold' | 'min_absolute_change' | 'min_relative_change' | 'beats_champion';

export interface GateResult {
  metric: Metric;
  gate: GateName;
  required: number;
  observed: number;
  passed: boolean;
  /** The gate in words, when numbers alone do not say it: "rmse 0.491 vs last-value 0.572: skill 14 %". */
  detail?: string;
}

export interface GateInputs {
  primaryMetric: Metric;
  gates: Partial<Record<Metric, MetricGate>>;
  minHoldout: number;
  beatBaselines: boolean;
  /** The candidate's metrics on its whole holdout (its fit before the refit). */
  candidate: Metrics;
  holdoutExamples: number;
  baselines: BaselineSummary;
  /** Absent when the model has no champion yet. */
  champion?: ChampionComparison;
}

/**
 * Every gate for a candidate: a holdout large enough to mean something, better than the best
 * naive baseline, the declared thresholds, and — against a champion — an improvement beyond noise.
 */
export function evaluateGates(input: GateInputs): GateResult[] {
  const { primaryMetric: metric, candidate } = input;
  const results: GateResult[] = [holdoutGate(input)];
  if (input.beatBaselines) results.push(baselineGate(candidate, input.baselines));
  for (const [name, gate] of declared(input.gates)) {
    if (gate.threshold === undefined) continue;
    const observed = metricOf(candidate, name);
    const passed = higherIsBetter(name) ? observed >= gate.threshold : observed <= gate.threshold;
    results.push({ metric: name, gate: 'threshold', required: gate.threshold, observed, passed });
  }
  if (input.champion) results.push(...championGates(input.champion, input.gates, metric));
  return results;
}

function holdoutGate({ holdoutExamples: n, minHoldout, primaryMetric }: GateInputs): GateResult {
  const passed = n >= minHoldout;
  return {
    metric: primaryMetric,
    gate: 'min_holdout',
    required: minHoldout,
    observed: n,
    passed,
    detail: passed ? `holdout has ${n} examples (at least ${minHoldout})` : `holdout has ${n} examples, at least ${minHoldout} needed`,
  };
}

function baselineGate(candidate: Metrics, baselines: BaselineSummary): GateResult {
  const { metric, skill } = baselines;
  return { metric, gate: 'beats_baselines', required: 0, observed: skill, passed: skill > 0, detail: versusBaselines(candidate, baselines) };
}

/** "rmse 0.491 vs last-value 0.572: skill 14 %" — the candidate against the best naive baseline. */
export function versusBaselines(candidate: Metrics, baselines: BaselineSummary): string {
  const { metric, best, skill } = baselines;
  const bestValue = metricOf((baselines.scores.find((s) => s.name === best) as { metrics: Metrics }).metrics, metric);
  return `${metric} ${formatMetric(metricOf(candidate, metric))} vs ${best} ${formatMetric(bestValue)}: ${skillText(metric, skill)}`;
}

function championGates(comparison: ChampionComparison, gates: GateInputs['gates'], metric: Metric): GateResult[] {
  const whole = { metric, gate: 'beats_champion' as const, required: 0 };
  if (comparison.kind === 'refresh') {
    const detail = `refit of champion v${comparison.version}'s configuration on newer data (through ${describeAt(comparison.candidateThrough)})`;
    return [{ ...whole, observed: 0, passed: true, detail }];
  }
  if (comparison.kind === 'same-data') {
    return [{ ...whole, observed: 0, passed: false, detail: `same configuration and data as champion v${comparison.version}: nothing to gain` }];
  }
  const results: GateResult[] = [];
  for (const [name, gate] of declared(gates)) {
    const gain = improvement(name, metricOf(comparison.candidate, name), metricOf(comparison.champion, name));
    if (gate.minAbsoluteChange !== undefined) {
      results.push({ metric: name, gate: 'min_absolute_change', required: gate.minAbsoluteChange, observed: gain, passed: gain >= gate.minAbsoluteChange });
    }
    if (gate.minRelativeChange !== undefined) {
      const base = metricOf(comparison.champion, name);
      const relative = base === 0 ? (gain > 0 ? Infinity : 0) : gain / Math.abs(base);
      const detail = `${versusChampion(comparison, name)}: relative improvement ${formatPercent(relative)} ≥ ${formatPercent(gate.minRelativeChange)}`;
      results.push({ metric: name, gate: 'min_relative_change', required: gate.minRelativeChange, observed: relative, passed: relative >= gate.minRelativeChange, detail });
    }
  }
  const { interval } = comparison;
  if (interval) {
    const detail =
      `${versusChampion(comparison, metric)}: improvement ${formatMetric(interval.estimate)}, ` +
      `${Math.round(interval.confidence * 100)} % interval ${formatMetric(interval.low)} … ${formatMetric(interval.high)}`;
    results.push({ ...whole, observed: interval.low, passed: interval.low > 0, detail });
  }
  return results;
}

/** "rmse 81.5 vs champion v1 84.0 on 35 holdout examples, 35 of which it had trained on (its score is optimistic)" */
function versusChampion(c: Extract<ChampionComparison, { kind: 'scored' }>, metric: Metric): string {
  const which = c.beforeRefit ? ' (its fit before the refit)' : '';
  return `${metric} ${formatMetric(metricOf(c.candidate, metric))} vs champion v${c.version}${which} ${formatMetric(metricOf(c.champion, metric))} ${comparedOn(c)}`;
}

function comparedOn(c: Extract<ChampionComparison, { kind: 'scored' }>): string {
  if (c.newerOnly) return `on the ${c.examples} holdout examples newer than its training data`;
  if (c.seen === undefined) return `on ${c.examples} holdout examples (its training window is not recorded)`;
  if (c.seen === 0) return `on ${c.examples} holdout examples`;
  return `on ${c.examples} holdout examples, ${c.seen} of which it had trained on (its score is optimistic)`;
}

/** "rmse 81.5 ≤ 150 ✓; holdout has 35 examples (at least 30) ✓; …" — why a candidate passed or failed. */
export function describeGates(results: GateResult[]): string {
  return results.map((r) => `${r.detail ?? numericGate(r)} ${r.passed ? '✓' : '✗'}`).join('; ');
}

function numericGate(r: GateResult): string {
  const op = r.gate === 'threshold' && higherIsBetter(r.metric) ? '≥' : r.gate === 'threshold' ? '≤' : '≥';
  const what = r.gate === 'threshold' ? r.metric : r.gate === 'min_relative_change' ? `${r.metric} relative improvement` : `${r.metric} improvement`;
  return `${what} ${formatMetric(r.observed)} ${op} ${formatMetric(r.required)}`;
}

function declared(gates: GateInputs['gates']): [Metric, MetricGate][] {
  return Object.entries(gates) as [Metric, MetricGate][];
}
