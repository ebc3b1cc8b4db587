import { windowText } from '../arrival/pipeline-data';
import { assembleDriftCheck, type DriftCheck } from '../drift/drift-check';
import type { PerformanceEstimate } from './estimated-performance';

export type ServedSides = NonNullable<DriftCheck['served']>;

/** "served inputs since …: 412 predictions, 2026-12-01 10:00 … 2026-12-06 09:12 UTC (v4), inputs of 412 rows: … vs training data of v4 (…)" */
export function servedText(served: ServedSides): string {
  const span = `${served.from.slice(0, 16).replace('T', ' ')} … ${served.to.slice(0, 16).replace('T', ' ')} UTC`;
  const since = served.since === null ? 'since the first prediction' : `since ${served.since.slice(0, 16).replace('T', ' ')} UTC`;
  const versions = served.versions.map((v) => `v${v}`).join(', ');
  return `served inputs ${since}: ${served.predictions} predictions, ${span} (${versions})${served.inputs ? `, ${inputsText(served.inputs)}` : ''} vs training data of v${served.championVersion} (${windowText(served.reference)})`;
}

/** "inputs of 5060 rows: 60 logged with their predictions, 5000 from 1 scored chunk" */
function inputsText({ logged, scored, chunks }: NonNullable<ServedSides['inputs']>): string {
  return `inputs of ${logged + scored} rows: ${logged} logged with their predictions, ${scored} from ${chunks} scored ${chunks === 1 ? 'chunk' : 'chunks'}`;
}

/** "estimated accuracy 0.912 on 300 served predictions (reference 0.950; alert below 0.871)" */
export function estimateText(estimate: PerformanceEstimate): string {
  const { lower, upper } = estimate.thresholds;
  const bounds = [lower === null ? undefined : `below ${lower.toFixed(3)}`, upper === null ? undefined : `above ${upper.toFixed(3)}`].filter(Boolean).join(' or ');
  return `estimated ${estimate.metric} ${estimate.estimated.toPrecision(4)} on ${estimate.rows} served predictions (reference ${estimate.reference.realised.toPrecision(4)}${bounds ? `; alert ${bounds}` : ''})`;
}

/**
 * A serving check's stored report: the drift check's signals assembled with its usual rules, the
 * sides described first among the reasons, and an estimated performance beyond its reference
 * thresholds adds a warning (an estimate is never proof, so it warns rather than fails).
 */
export function assembleServingCheck(parts: Omit<DriftCheck, 'verdict' | 'reasons'> & { served: ServedSides }): DriftCheck {
  const check = assembleDriftCheck(parts);
  const estimate = parts.served.estimate;
  const reasons = [servedText(parts.served), ...check.reasons];
  if (estimate?.alert) {
    reasons.push(`${estimateText(estimate)}: beyond the reference thresholds`);
    return { ...check, verdict: check.verdict === 'ok' ? 'warn' : check.verdict, reasons };
  }
  return { ...check, reasons };
}
