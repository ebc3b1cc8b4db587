import { Context } from '@temporalio/activity';
import type { Row } from '../lib/data/typed-row';
import { saveEvaluation } from '../lib/db/evaluations';
import { getAliasedVersion, getVersion, versionIdOf } from '../lib/db/model-registry';
import { trainingData } from '../lib/arrival/windows';
import { loadPipelineData } from '../lib/db/pipeline-data';
import { loadSnapshotRows } from '../lib/db/snapshots';
import type { BacktestFold } from '../lib/model/backtest';
import { buildExamples, orderByTime } from '../lib/model/features';
import { regressionMetrics, type Metrics } from '../lib/model/metrics';
import { checkPredictions, holdoutExamples, type ModelArtifact } from '../lib/model/model-artifact';
import type { ModelTestResult } from '../lib/model-tests/classify';
import { garbageCases } from '../lib/model-tests/garbage-cases';
import { describeGates, evaluateGates, type GateResult } from '../lib/promotion/gates';
import type { Metric, PipelineSpec } from '../lib/spec/pipeline-spec';
import { DriftlineError } from '../lib/errors';
import type { ActivityDeps } from './deps';
import { runGarbageTests } from './model-tests/run-garbage-tests';
import { predictWith } from './training/predict';

export interface EvaluateInput {
  spec: PipelineSpec;
  snapshotId: number;
  candidateVersionId: number;
  holdoutStart: string;
  backtest: BacktestFold[];
}

/** The small summary that travels through workflow history; the full record is in `evaluations`. */
export interface Evaluation {
  evaluationId: number;
  primaryMetric: Metric;
  candidate: Metrics;
  /** Absent when the model has no champion yet. */
  champion?: { versionId: number; version: number; metrics: Metrics };
  gates: GateResult[];
  modelTests: { passed: number; failed: Pick<ModelTestResult, 'name' | 'behaviour' | 'detail'>[] };
  passed: boolean;
  reason: string;
}

export function makeEvaluate(deps: ActivityDeps) {
  /**
   * Scores candidate and champion on the same holdout, applies the promotion gates, and runs the
   * candidate's predict path against generated garbage. Stores the whole record.
   */
  return async function evaluateCandidate(input: EvaluateInput): Promise<Evaluation> {
    const { spec } = input;
    const signal = Context.current().cancellationSignal;
    // The rows the candidate was trained and held out on: the pipeline's training window, not one batch.
    const { rows } = trainingData(await loadPipelineData(deps.pool, spec, input.snapshotId), spec.arrival);
    const candidate = await getVersion(deps.pool, input.candidateVersionId);
    const champion = await getAliasedVersion(deps.pool, spec.model.name, 'champion');
    const candidateMetrics = await scoreFrom(candidate.artifact, rows, input.holdoutStart, signal);
    const championMetrics = champion && champion.id !== candidate.id ? await scoreFrom(champion.artifact, rows, input.holdoutStart, signal) : undefined;

    const gates = evaluateGates(candidateMetrics, championMetrics, spec.promotion.gates, spec.evaluation.primaryMetric);
    const recent = orderByTime(rows, spec.timeColumn);
    const modelTests = await runGarbageTests(candidate.artifact, spec.columns, garbageCases(recent, spec.columns, candidate.artifact.plan), signal);
    const failedTests = modelTests.filter((t) => !t.passed);
    const passed = gates.every((g) => g.passed) && failedTests.length === 0 && champion?.id !== candidate.id;

    const evaluationId = await saveEvaluation(deps.pool, {
      versionId: candidate.id,
      snapshotId: input.snapshotId,
      workflowId: Context.current().info.workflowExecution?.workflowId ?? 'unknown',
      championVersionId: championMetrics ? champion?.id : undefined,
      holdoutStart: input.holdoutStart,
      metrics: candidateMetrics,
      championMetrics,
      gates,
      modelTests,
      backtest: input.backtest,
      passed,
    });
    return {
      evaluationId,
      primaryMetric: spec.evaluation.primaryMetric,
      candidate: candidateMetrics,
      champion: championMetrics && champion ? { versionId: champion.id, version: champion.version, metrics: championMetrics } : undefined,
      gates,
      modelTests: { passed: modelTests.length - failedTests.length, failed: failedTests.map(({ name, behaviour, detail }) => ({ name, behaviour, detail })) },
      passed,
      reason: explain(gates, failedTests, champion?.version, modelTests.length),
    };
  };
}

/** Scores a stored model on the holdout rows, whichever trainer made it. */
async function scoreFrom(artifact: ModelArtifact, rows: Row[], holdoutStart: string, signal: AbortSignal): Promise<Metrics> {
  const { x, y } = holdoutExamples(artifact, rows, holdoutStart);
  const predictions = await predictWith(artifact, x, signal);
  checkPredictions(predictions, y.length);
  return regressionMetrics(y, predictions);
}

function explain(gates: GateResult[], failedTests: ModelTestResult[], championVersion: number | undefined, testCount: number): string {
  const parts = [championVersion === undefined ? 'no champion yet' : `vs champion v${championVersion}`];
  if (gates.length > 0) parts.push(describeGates(gates));
  parts.push(
    failedTests.length === 0
      ? `all ${testCount} garbage-data tests passed`
      : `garbage-data tests failed: ${failedTests.map((t) => `${t.name} (${t.behaviour})`).join(', ')}`,
  );
  return parts.join('; ');
}

export interface ScoreVersionInput {
  model: string;
  version: number;
  snapshotId: number;
}

export interface VersionScore extends ScoreVersionInput {
  examples: number;
  from: string;
  to: string;
  metrics: Metrics;
}

export function makeScoreVersion(deps: ActivityDeps) {
  /** Re-evaluates any stored version on any stored snapshot: every labelled example in it. */
  return async function scoreVersion(input: ScoreVersionInput): Promise<VersionScore> {
    const version = await getVersion(deps.pool, await versionIdOf(deps.pool, input.model, input.version));
    const rows = await loadSnapshotRows(deps.pool, input.snapshotId);
    const examples = buildExamples(rows, version.artifact.plan);
    if (examples.y.length === 0) throw new DriftlineError('InvalidInput', `snapshot ${input.snapshotId} has no rows this model can be scored on`);
    const predictions = await predictWith(version.artifact, examples.x, Context.current().cancellationSignal);
    checkPredictions(predictions, examples.y.length);
    return {
      ...input,
      examples: examples.y.length,
      from: examples.at[0] as string,
      to: examples.at.at(-1) as string,
      metrics: regressionMetrics(examples.y, predictions),
    };
  };
}
