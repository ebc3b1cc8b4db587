import { Context } from '@temporalio/activity';
import { compareKeys, type PipelineData, type RowKey } from '../lib/arrival/pipeline-data';
import { trainingData } from '../lib/arrival/windows';
import { saveEvaluation } from '../lib/db/evaluations';
import { getAliasedVersion, getVersion, versionIdOf, type ChampionRef, type ModelVersion } from '../lib/db/model-registry';
import { loadPipelineData } from '../lib/db/pipeline-data';
import { loadSnapshotRows } from '../lib/db/snapshots';
import { heartbeatWhile } from './heartbeat';
import { isTimeSeries, naiveForecasts, scoreBaselines, summarizeBaselines, type BaselineSummary } from '../lib/evaluation/baselines';
import {
  configurationVerdict,
  sameConfiguration,
  scoreAgainstChampion,
  type ChampionComparison,
  type ChampionFacts,
} from '../lib/evaluation/champion-comparison';
import { describeAt } from '../lib/evaluation/format';
import { describeGates, evaluateGates, versusBaselines, type GateResult } from '../lib/evaluation/gates';
import { splitFrom } from '../lib/evaluation/holdout';
import type { BacktestFold } from '../lib/model/backtest';
import { buildExamples, orderByTime, targetSeries, type Examples } from '../lib/model/features';
import { regressionMetrics, type Metrics } from '../lib/model/metrics';
import { checkPredictions, type ModelArtifact } from '../lib/model/model-artifact';
import type { ModelTestResult } from '../lib/model-tests/classify';
import { garbageCases } from '../lib/model-tests/garbage-cases';
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
   * (refitted) model's predict path against generated garbage. Stores the whole record.
   */
  return async function evaluateCandidate(input: EvaluateInput): Promise<Evaluation> {
    const { spec } = input;
    const metric = spec.evaluation.primaryMetric;
    const signal = Context.current().cancellationSignal;
    // The rows the candidate was trained and held out on: the pipeline's training window, not one batch.
    const data = trainingData(await heartbeatWhile(() => loadPipelineData(deps.pool, spec, input.snapshotId)), spec.arrival);
    const candidate = await getVersion(deps.pool, input.candidateVersionId);
    const champion = await getAliasedVersion(deps.pool, spec.model.name, 'champion');

    // The refit has seen the holdout: only the fit from before it can be scored there.
    const { train, test: holdout } = splitFrom(buildExamples(data.rows, candidate.evaluatedArtifact.plan), input.holdoutStart);
    const predictions = await predictWith(candidate.evaluatedArtifact, holdout.x, signal);
    const metrics = regressionMetrics(holdout.y, predictions);
    const baselines = baselinesOn(data, candidate, train, holdout, metrics, spec);
    const rival = champion && champion.id !== candidate.id ? await compareWithChampion(champion, candidate, data, holdout, predictions, spec, signal) : undefined;

    const gates = evaluateGates({
      primaryMetric: metric,
      gates: spec.promotion.gates,
      minHoldout: spec.evaluation.minHoldout,
      beatBaselines: spec.promotion.beatBaselines,
      candidate: metrics,
      holdoutExamples: holdout.y.length,
      baselines,
      champion: rival,
    });
    const recent = orderByTime(data.rows, spec.timeColumn);
    const modelTests = await runGarbageTests(candidate.artifact, spec.columns, garbageCases(recent, spec.columns, candidate.artifact.plan), signal);
    const failedTests = modelTests.filter((t) => !t.passed);
    const passed = gates.every((g) => g.passed) && failedTests.length === 0 && champion?.id !== candidate.id;
    const championMetrics = rival?.kind === 'scored' ? rival.champion : undefined;

    const evaluationId = await saveEvaluation(deps.pool, {
      versionId: candidate.id,
      snapshotId: input.snapshotId,
      workflowId: Context.current().info.workflowExecution?.workflowId ?? 'unknown',
      championVersionId: rival ? champion?.id : undefined,
      holdoutStart: input.holdoutStart,
      holdoutExamples: holdout.y.length,
      metrics,
      metricsBasis: metricsBasis(candidate, holdout),
      baselines,
      championMetrics,
      championComparison: rival,
      gates,
      modelTests,
      backtest: input.backtest,
      passed,
    });
    return {
      evaluationId,
      primaryMetric: metric,
      candidate: metrics,
      holdoutExamples: holdout.y.length,
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

/** Last value, seasonal naive and the training mean, scored on the candidate's holdout examples. */
function baselinesOn(data: PipelineData, candidate: ModelVersion, train: Examples, holdout: Examples, metrics: Metrics, spec: PipelineSpec): BaselineSummary {
  const { plan } = candidate.evaluatedArtifact;
  const forecasts = naiveForecasts({
    target: targetSeries(data.rows, plan),
    rows: holdout.row,
    horizon: plan.horizon,
    season: spec.evaluation.season,
    trainingLabels: train.y,
    timeSeries: isTimeSeries(plan),
  });
  return summarizeBaselines(spec.evaluation.primaryMetric, metrics, scoreBaselines(holdout.y, forecasts));
}

/**
 * A refresh of the champion's own configuration is decided without scoring; any other candidate is
 * compared with the champion (as served: refitted on its whole window) on the same holdout examples.
 */
async function compareWithChampion(
  champion: ModelVersion,
  candidate: ModelVersion,
  data: PipelineData,
  holdout: Examples,
  candidatePredictions: number[],
  spec: PipelineSpec,
  signal: AbortSignal,
): Promise<ChampionComparison> {
  const facts: ChampionFacts = {
    version: champion.version,
    trainedThrough: champion.trainingWindow?.to ?? undefined,
    sameConfiguration: sameConfiguration(candidate, champion),
  };
  const verdict = configurationVerdict(facts, candidate.trainingWindow?.to ?? undefined);
  if (verdict) return verdict;

  const keyOf = (i: number): RowKey => (data.by === 'time' ? (holdout.at[i] as string) : (data.keys[holdout.row[i] as number] as number));
  const fit = championFitToScore(champion, facts, holdout.row.map((_, i) => keyOf(i)), data.by === 'time', spec.evaluation.minHoldout);
  // Each model builds its own examples from the same rows; they pair by row.
  const theirs = buildExamples(data.rows, fit.artifact.plan);
  const indexOfRow = new Map(theirs.row.map((row, i) => [row, i]));
  const pairs = holdout.row.flatMap((row, i) => {
    const j = indexOfRow.get(row);
    return j === undefined ? [] : [[i, j] as const];
  });
  const championPredictions = await predictWith(fit.artifact, pairs.map(([, j]) => theirs.x[j] as number[]), signal);
  const metric = spec.evaluation.primaryMetric;
  return scoreAgainstChampion(
    fit.facts,
    {
      keys: pairs.map(([i]) => keyOf(i)),
      actual: pairs.map(([i]) => holdout.y[i] as number),
      candidate: pairs.map(([i]) => candidatePredictions[i] as number),
      champion: championPredictions,
    },
    { metric, minHoldout: spec.evaluation.minHoldout, bootstrap: spec.promotion.gates[metric]?.minRelativeChange === undefined },
  );
}

/**
 * The champion as served (its refit) when at least `minHoldout` holdout examples are newer than all
 * it trained on; else its fit from before the refit, when that one had not seen enough of them: a
 * candidate trained on the same data would otherwise meet a champion that had learned its holdout,
 * and whichever was promoted first would stay. Else the served champion on the whole holdout.
 */
function championFitToScore(champion: ModelVersion, facts: ChampionFacts, keys: RowKey[], byTime: boolean, minHoldout: number): { artifact: ModelArtifact; facts: ChampionFacts } {
  const served = { artifact: champion.artifact, facts };
  const unseenAfter = (through: RowKey | undefined) => (through === undefined ? 0 : keys.filter((key) => compareKeys(key, through) > 0).length);
  // Fits record their ends as example times: comparable with the keys of data that has a time column.
  if (!champion.fits?.refit || !byTime || unseenAfter(facts.trainedThrough) >= minHoldout) return served;
  const evaluatedThrough = champion.fits.evaluated.to;
  if (unseenAfter(evaluatedThrough) < minHoldout) return served;
  return { artifact: champion.evaluatedArtifact, facts: { ...facts, trainedThrough: evaluatedThrough, beforeRefit: true } };
}

/** "fit before the refit (78 examples, 2006-06-01 … 2012-12-01), scored on 35 held-out examples (2013-01-01 … 2015-11-01); registered: refit on all 113" */
function metricsBasis(candidate: ModelVersion, holdout: Examples): string {
  const held = `scored on ${holdout.y.length} held-out examples (${span(holdout.at[0], holdout.at.at(-1))})`;
  const { fits } = candidate;
  if (!fits) return `metrics of the registered fit, ${held}`;
  const evaluated = `${fits.evaluated.examples} examples, ${span(fits.evaluated.from, fits.evaluated.to)}`;
  if (!fits.refit) return `metrics of the registered fit (trained on ${evaluated}, not refitted), ${held}`;
  return `metrics of the fit before the refit (trained on ${evaluated}), ${held}; the registered version was then refitted on all ${fits.refit.examples} examples`;
}

function span(from: string | undefined, to: string | undefined): string {
  return from === undefined || to === undefined ? 'none' : `${describeAt(from)} … ${describeAt(to)}`;
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
    const rows = await heartbeatWhile(() => loadSnapshotRows(deps.pool, input.snapshotId));
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
