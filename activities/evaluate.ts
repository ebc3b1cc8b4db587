import { getAliasedVersion, getVersion } from '../lib/db/model-registry';
import { loadSnapshotRows } from '../lib/db/snapshots';
import { improvement, regressionMetrics, type Metrics } from '../lib/model/metrics';
import { holdoutExamples, type ModelArtifact } from '../lib/model/model-artifact';
import type { Row } from '../lib/data/typed-row';
import type { Metric, PipelineSpec } from '../lib/spec/pipeline-spec';
import type { ActivityDeps } from './deps';
import { predictWith } from './training/predict';
import { Context } from '@temporalio/activity';

export interface EvaluateInput {
  spec: PipelineSpec;
  snapshotId: number;
  candidateVersionId: number;
  holdoutStart: string;
}

export interface Evaluation {
  primaryMetric: Metric;
  candidate: Metrics;
  /** Absent when the model has no champion yet. */
  champion?: { versionId: number; version: number; metrics: Metrics };
  /** Candidate minus champion on the primary metric, positive when the candidate is better. */
  improvement?: number;
  passed: boolean;
  reason: string;
}

export function makeEvaluate(deps: ActivityDeps) {
  /** Scores candidate and champion on the same holdout and applies the promotion gate. */
  return async function evaluateCandidate(input: EvaluateInput): Promise<Evaluation> {
    const { spec } = input;
    const metric = spec.evaluation.primaryMetric;
    const rows = await loadSnapshotRows(deps.pool, input.snapshotId);
    const candidate = await getVersion(deps.pool, input.candidateVersionId);
    const candidateMetrics = await scoreFrom(candidate.artifact, rows, input.holdoutStart);
    const champion = await getAliasedVersion(deps.pool, spec.model.name, 'champion');
    if (!champion) {
      return { primaryMetric: metric, candidate: candidateMetrics, passed: true, reason: 'no champion yet: the first version becomes champion' };
    }
    if (champion.id === candidate.id) {
      return { primaryMetric: metric, candidate: candidateMetrics, passed: false, reason: 'the candidate is already champion' };
    }
    const championMetrics = await scoreFrom(champion.artifact, rows, input.holdoutStart);
    const gain = improvement(metric, candidateMetrics[metric], championMetrics[metric]);
    const passed = gain > 0 && gain >= spec.promotion.minImprovement;
    const verdict = passed ? 'beats' : 'does not beat';
    return {
      primaryMetric: metric,
      candidate: candidateMetrics,
      champion: { versionId: champion.id, version: champion.version, metrics: championMetrics },
      improvement: gain,
      passed,
      reason: `${metric} ${fmt(candidateMetrics[metric])} ${verdict} champion v${champion.version}'s ${fmt(championMetrics[metric])} (improvement ${fmt(gain)}, required > 0 and ≥ ${spec.promotion.minImprovement})`,
    };
  };
}

/** Scores a stored model on the holdout rows, whichever trainer made it. */
async function scoreFrom(artifact: ModelArtifact, rows: Row[], holdoutStart: string): Promise<Metrics> {
  const { x, y } = holdoutExamples(artifact, rows, holdoutStart);
  return regressionMetrics(y, await predictWith(artifact, x, Context.current().cancellationSignal));
}

function fmt(value: number): string {
  return Number(value.toPrecision(4)).toString();
}
