import { Context } from '@temporalio/activity';
import { trainingData } from '../lib/arrival/windows';
import { loadSnapshotColumns } from '../lib/data/columns/load-snapshot-columns';
import { saveEvaluation } from '../lib/db/evaluations';
import { getAliasedVersion, getVersion, versionIdOf, type ChampionRef } from '../lib/db/model-registry';
import { loadPipelineData } from '../lib/db/pipeline-data';
import type { BaselineSummary } from '../lib/evaluation/baselines';
import { describeGates, evaluateGates, versusBaselines, type GateResult } from '../lib/evaluation/gates';
import type { BacktestFold } from '../lib/model/backtest';
import type { Metrics } from '../lib/model/metrics';
import { columnsReadBy } from '../lib/serving/check-batch';
import type { ModelTestResult } from '../lib/model-tests/classify';
import type { Metric, PipelineSpec } from '../lib/spec/pipeline-spec';
import type { ActivityDeps } from './deps';
import { scoreInThread, scoreVersionInThread } from './evaluation/evaluate-in-thread';
import { evaluationColumns, scoreCandidate, type CandidateScores, type Contenders } from './evaluation/score-candidate';
import { scoreVersionOn, type SnapshotScore } from './evaluation/score-version';
import { heartbeatWhile } from './heartbeat';
import { runGarbageTests } from './model-tests/run-garbage-tests';
import { databaseUrlOf } from './train';

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
  /** The candidate's fit before its refit, on the held-out examples. */
  candidate: Metrics;
  holdoutExamples: number;
  /** Naive forecasts on the same holdout, and the candidate's skill against the best of them. */
  baselines: BaselineSummary;
  /** Absent when the model has no champion yet, or when the candidate refreshes the champion's configuration (not scored). */
  champion?: { versionId: number; version: number; metrics: Metrics };
  /**
   * The champion when the candidate was judged, scored or not (`null`: none): promotion switches
   * only while it is still champion, else the candidate is judged again.
   */
  evaluatedAgainst: ChampionRef | null;
  gates: GateResult[];
  modelTests: { passed: number; failed: Pick<ModelTestResult, 'name' | 'behaviour' | 'detail'>[] };
  passed: boolean;
  reason: string;
}

export function makeEvaluate(deps: ActivityDeps) {
  /**
   * Scores the candidate's fit from before its refit on the holdout, beside naive baselines and
   * the champion on the same examples, applies the promotion gates, and runs the registered
   * (refitted) model's predict path against generated garbage. Stores the whole record. The rows
   * are loaded and scored once, in a pooled thread; this event loop only heartbeats.
   */
  return async function evaluateCandidate(input: EvaluateInput): Promise<Evaluation> {
    const { spec } = input;
    const metric = spec.evaluation.primaryMetric;
    const signal = Context.current().cancellationSignal;
    const { candidate, champion, scores, modelTests } = await heartbeatWhile(async () => {
      const candidate = await getVersion(deps.pool, input.candidateVersionId);
      const champion = await getAliasedVersion(deps.pool, spec.model.name, 'champion');
      const contenders = { candidate, champion: champion && champion.id !== candidate.id ? champion : undefined };
      const scores = await scoreOnce(deps, input, contenders, signal);
      const modelTests = await runGarbageTests(candidate.artifact, spec.columns, scores.garbage, signal);
      return { candidate, champion, scores, modelTests };
    });
    const { metrics, baselines, rival } = scores;

    const gates = evaluateGates({
      primaryMetric: metric,
      gates: spec.promotion.gates,
      minHoldout: spec.evaluation.minHoldout,
      beatBaselines: spec.promotion.beatBaselines,
      candidate: metrics,
      holdoutExamples: scores.holdoutExamples,
      baselines,
      champion: rival,
    });
    const failedTests = modelTests.filter((t) => !t.passed);
    const passed = gates.every((g) => g.passed) && failedTests.length === 0 && champion?.id !== candidate.id;
    const championMetrics = rival?.kind === 'scored' ? rival.champion : undefined;

    const evaluationId = await saveEvaluation(deps.pool, {
      versionId: candidate.id,
      snapshotId: input.snapshotId,
      workflowId: Context.current().info.workflowExecution?.workflowId ?? 'unknown',
      championVersionId: rival ? champion?.id : undefined,
      holdoutStart: input.holdoutStart,
      holdoutExamples: scores.holdoutExamples,
      metrics,
      metricsBasis: scores.metricsBasis,
      baselines,
      championMetrics,
      championComparison: rival,
      gates,
      modelTests,
      backtest: input.backtest,
      passed,
      classReport: scores.classReport,
    });
    return {
      evaluationId,
      primaryMetric: metric,
      candidate: metrics,
      holdoutExamples: scores.holdoutExamples,
      baselines,
      champion: championMetrics && champion ? { versionId: champion.id, version: champion.version, metrics: championMetrics } : undefined,
      evaluatedAgainst: champion ? { versionId: champion.id, version: champion.version } : null,
      gates,
      modelTests: { passed: modelTests.length - failedTests.length, failed: failedTests.map(({ name, behaviour, detail }) => ({ name, behaviour, detail })) },
      passed,
      reason: explain(gates, failedTests, champion?.version, modelTests.length, spec.promotion.beatBaselines ? undefined : versusBaselines(metrics, baselines)),
    };
  };
}

/**
 * Loads the rows once and scores them in a pooled thread; a command trainer's model predicts
 * through its own process, which only this event loop can stop, so it is scored here.
 */
async function scoreOnce(deps: ActivityDeps, input: EvaluateInput, contenders: Contenders, signal: AbortSignal): Promise<CandidateScores> {
  const { spec, snapshotId, holdoutStart } = input;
  const byCommand = [contenders.candidate, contenders.champion].some((version) => version?.artifact.trainer.kind === 'command');
  if (!byCommand) return scoreInThread({ databaseUrl: databaseUrlOf(deps), spec, snapshotId, holdoutStart, ...contenders }, signal);
  const data = trainingData(await loadPipelineData(deps.pool, spec, snapshotId, { columns: evaluationColumns(contenders, spec) }), spec.arrival);
  return scoreCandidate(data, contenders, spec, holdoutStart, signal);
}

/** The decision, gate by gate; a baseline comparison the pipeline does not require is still stated. */
function explain(gates: GateResult[], failedTests: ModelTestResult[], championVersion: number | undefined, testCount: number, ungatedBaselines?: string): string {
  const parts = [championVersion === undefined ? 'no champion yet' : `vs champion v${championVersion}`];
  if (gates.length > 0) parts.push(describeGates(gates));
  if (ungatedBaselines) parts.push(`${ungatedBaselines} (baseline gate off)`);
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

export interface VersionScore extends ScoreVersionInput, SnapshotScore {}

export function makeScoreVersion(deps: ActivityDeps) {
  /**
   * Re-evaluates any stored version on any stored snapshot: every labelled example in it, loaded
   * and scored in a pooled thread (a command trainer's model on this event loop, which can stop its process).
   */
  return async function scoreVersion(input: ScoreVersionInput): Promise<VersionScore> {
    const signal = Context.current().cancellationSignal;
    const score = await heartbeatWhile(async () => {
      const version = await getVersion(deps.pool, await versionIdOf(deps.pool, input.model, input.version));
      if (version.artifact.trainer.kind !== 'command') return scoreVersionInThread({ databaseUrl: databaseUrlOf(deps), version, snapshotId: input.snapshotId }, signal);
      const table = await loadSnapshotColumns(deps.pool, input.snapshotId, columnsReadBy(version.artifact.plan));
      return scoreVersionOn(table, version, input.snapshotId, signal);
    });
    return { ...input, ...score };
  };
}
