import { compareKeys, frameOf, keyAt, type PipelineData, type RowKey } from '../../lib/arrival/pipeline-data';
import type { Frame } from '../../lib/data/columns/frame';
import type { ModelVersion } from '../../lib/db/model-registry';
import { isTimeSeries, naiveForecasts, scoreBaselines, summarizeBaselines, type BaselineSummary } from '../../lib/evaluation/baselines';
import {
  configurationVerdict,
  sameConfiguration,
  scoreAgainstChampion,
  type ChampionComparison,
  type ChampionFacts,
} from '../../lib/evaluation/champion-comparison';
import { classBaselines, scoreClassBaselines } from '../../lib/evaluation/class-baselines';
import { classReport, type ClassReport } from '../../lib/evaluation/class-report';
import { describeAt } from '../../lib/evaluation/format';
import { splitFrom } from '../../lib/evaluation/holdout';
import { buildExamples, groupSeries, targetSeries, type Examples } from '../../lib/model/features';
import type { Metrics } from '../../lib/model/metrics';
import { scorePredictions, type ModelArtifact, type Predictions } from '../../lib/model/model-artifact';
import { garbageCases, type GarbageCase } from '../../lib/model-tests/garbage-cases';
import { columnsReadBy } from '../../lib/serving/check-batch';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { predictAnyWith } from '../training/predict';

/** The versions an evaluation judges: the candidate, and the champion when it is another version. */
export interface Contenders {
  candidate: ModelVersion;
  champion?: ModelVersion;
}

/** Everything an evaluation computes from the pipeline's rows: small, so it leaves the thread cheaply. */
export interface CandidateScores {
  /** The candidate's fit before its refit, on the held-out examples. */
  metrics: Metrics;
  holdoutExamples: number;
  metricsBasis: string;
  baselines: BaselineSummary;
  /** Absent without a champion other than the candidate. */
  rival?: ChampionComparison;
  /** A classifier's holdout by class; absent for a regressor. */
  classReport?: ClassReport;
  /** Garbage built from the newest rows, for the registered model's predict path. */
  garbage: GarbageCase[];
}

/** The columns an evaluation reads: those either contender's fits read, and the time that orders the rows. */
export function evaluationColumns({ candidate, champion }: Contenders, spec: PipelineSpec): string[] {
  const plans = [candidate, ...(champion ? [champion] : [])].flatMap((version) => [version.artifact.plan, version.evaluatedArtifact.plan]);
  // A holdout by column reads that column to find the rows it marks.
  const marking = spec.evaluation.holdout.column;
  return [...new Set([...(spec.timeColumn ? [spec.timeColumn] : []), ...plans.flatMap(columnsReadBy), ...(marking ? [marking] : [])])];
}

/**
 * Scores the candidate's fit from before its refit on the holdout, beside naive baselines and the
 * champion on the same examples, and builds the garbage cases: everything that reads the rows, so
 * the rows are loaded once (by whoever calls this) and never leave that place.
 */
export async function scoreCandidate(
  data: PipelineData,
  { candidate, champion }: Contenders,
  spec: PipelineSpec,
  holdoutStart: string,
  signal: AbortSignal,
): Promise<CandidateScores> {
  const frame = frameOf(data);
  // The refit has seen the holdout: only the fit from before it can be scored there.
  const { plan } = candidate.evaluatedArtifact;
  const { train, test: holdout } = splitFrom(buildExamples(frame, plan), holdoutStart, { frame, plan });
  const predictions = await predictAnyWith(candidate.evaluatedArtifact, holdout.x, signal);
  const metrics = scorePredictions(plan, holdout.y, predictions);
  return {
    metrics,
    holdoutExamples: holdout.y.length,
    metricsBasis: metricsBasis(candidate, holdout),
    baselines: plan.classes ? classBaselinesOn(plan.classes.values.length, train, holdout, metrics, spec) : baselinesOn(frame, candidate, train, holdout, metrics, spec),
    ...(plan.classes ? { classReport: classReport(plan.classes.values, holdout.y, predictions as number[][]) } : {}),
    rival: champion ? await compareWithChampion(champion, candidate, data, frame, holdout, predictions, spec, signal) : undefined,
    // Only the columns loaded: those the registered model reads.
    garbage: garbageCases(frame, columnsOf(spec, columnsReadBy(candidate.artifact.plan)), candidate.artifact.plan),
  };
}

function columnsOf(spec: PipelineSpec, names: string[]): PipelineSpec['columns'] {
  return Object.fromEntries(names.flatMap((name) => (spec.columns[name] ? [[name, spec.columns[name]]] : [])));
}

/** The majority class and the class prior of the training labels, scored on the candidate's holdout examples. */
function classBaselinesOn(classes: number, train: Examples, holdout: Examples, metrics: Metrics, spec: PipelineSpec): BaselineSummary {
  const forecasts = classBaselines(train.y, classes, holdout.y.length);
  return summarizeBaselines(spec.evaluation.primaryMetric, metrics, scoreClassBaselines(holdout.y, forecasts));
}

/** Last value, seasonal naive and the training mean, scored on the candidate's holdout examples. */
function baselinesOn(frame: Frame, candidate: ModelVersion, train: Examples, holdout: Examples, metrics: Metrics, spec: PipelineSpec): BaselineSummary {
  const { plan } = candidate.evaluatedArtifact;
  const forecasts = naiveForecasts({
    target: targetSeries(frame, plan),
    rows: holdout.row,
    horizon: plan.horizon,
    season: spec.evaluation.season,
    trainingLabels: train.y,
    timeSeries: isTimeSeries(plan),
    group: groupSeries(frame, plan),
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
  frame: Frame,
  holdout: Examples,
  candidatePredictions: Predictions,
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

  const keyOf = (i: number): RowKey => (data.by === 'time' ? (holdout.at[i] as string) : keyAt(data, holdout.row[i] as number));
  const fit = championFitToScore(champion, facts, holdout.row.map((_, i) => keyOf(i)), data.by === 'time', spec.evaluation.minHoldout);
  // Each model builds its own examples from the same rows; they pair by row.
  const theirs = buildExamples(frame, fit.artifact.plan);
  // Rows are positions in the frame: an array indexes them in a few MB where a Map of a million entries takes tens.
  const exampleOfRow = new Int32Array(frame.rowCount).fill(-1);
  theirs.row.forEach((row, i) => (exampleOfRow[row] = i));
  const pairs = holdout.row.flatMap((row, i) => {
    const j = exampleOfRow[row] as number;
    return j < 0 ? [] : [[i, j] as const];
  });
  const championPredictions = await predictAnyWith(fit.artifact, pairs.map(([, j]) => theirs.x[j] as number[]), signal);
  const metric = spec.evaluation.primaryMetric;
  return scoreAgainstChampion(
    fit.facts,
    {
      keys: pairs.map(([i]) => keyOf(i)),
      actual: pairs.map(([i]) => holdout.y[i] as number),
      candidate: pairs.map(([i]) => candidatePredictions[i]) as Predictions,
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
