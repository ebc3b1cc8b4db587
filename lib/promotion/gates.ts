import { z } from 'zod';
import { higherIsBetter, improvement, type Metrics } from '../model/metrics';
import type { Metric } from '../spec/pipeline-spec';

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
    /** Improvement over the champion as a share of the champion's value (0.05 = 5 %). */
    minRelativeChange: z.number().nonnegative().optional(),
  })
  .strict();
export type MetricGate = z.infer<typeof MetricGate>;

export interface GateResult {
  metric: Metric;
  gate: 'threshold' | 'min_absolute_change' | 'min_relative_change' | 'beats_champion';
  required: number;
  observed: number;
  passed: boolean;
}

/**
 * Every gate for a candidate. With a champion, the primary metric must also strictly improve,
 * so retraining on the same data never churns the champion for nothing.
 */
export function evaluateGates(
  candidate: Metrics,
  champion: Metrics | undefined,
  gates: Partial<Record<Metric, MetricGate>>,
  primaryMetric: Metric,
): GateResult[] {
  const results: GateResult[] = [];
  for (const [metric, gate] of Object.entries(gates) as [Metric, MetricGate][]) {
    const observed = candidate[metric];
    if (gate.threshold !== undefined) {
      const passed = higherIsBetter(metric) ? observed >= gate.threshold : observed <= gate.threshold;
      results.push({ metric, gate: 'threshold', required: gate.threshold, observed, passed });
    }
    if (!champion) continue;
    const gain = improvement(metric, observed, champion[metric]);
    if (gate.minAbsoluteChange !== undefined) {
      results.push({ metric, gate: 'min_absolute_change', required: gate.minAbsoluteChange, observed: gain, passed: gain >= gate.minAbsoluteChange });
    }
    if (gate.minRelativeChange !== undefined) {
      const relative = champion[metric] === 0 ? (gain > 0 ? Infinity : 0) : gain / Math.abs(champion[metric]);
      results.push({ metric, gate: 'min_relative_change', required: gate.minRelativeChange, observed: relative, passed: relative >= gate.minRelativeChange });
    }
  }
  if (champion) {
    const gain = improvement(primaryMetric, candidate[primaryMetric], champion[primaryMetric]);
    results.push({ metric: primaryMetric, gate: 'beats_champion', required: 0, observed: gain, passed: gain > 0 });
  }
  return results;
}

/** "rmse 87.8 ≤ 100 ✓; rmse improvement 3.16 ≥ 1 ✓; …" — why a candidate passed or failed. */
export function describeGates(results: GateResult[]): string {
  return results
    .map((r) => {
      const op = r.gate === 'threshold' ? (higherIsBetter(r.metric) ? '≥' : '≤') : r.gate === 'beats_champion' ? '>' : '≥';
      const what = r.gate === 'threshold' ? r.metric : r.gate === 'min_relative_change' ? `${r.metric} relative improvement` : `${r.metric} improvement`;
      return `${what} ${fmt(r.observed)} ${op} ${fmt(r.required)} ${r.passed ? '✓' : '✗'}`;
    })
    .join('; ');
}

function fmt(value: number): string {
  return Number.isFinite(value) ? Number(value.toPrecision(4)).toString() : String(value);
}
