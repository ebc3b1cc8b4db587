import type { ActivityDeps } from './deps';
import { makeDrift } from './drift';
import { makeEvaluate, makeScoreVersion } from './evaluate';
import { makeExperiment } from './experiment';
import { surfaceFailures } from './failures';
import { makeIngest } from './ingest';
import { makeLoadPipeline } from './load-pipeline';
import { makeNorms } from './norms';
import { makeNotify } from './notify';
import { makePrepareTraining } from './prepare-training';
import { makePromote } from './promote';
import { makeScoring } from './scoring';
import { makeTrain } from './train';
import { makeValidate } from './validate';
import { makeActuals } from './serving/actuals';
import { makeServingDrift } from './serving/serving-drift';

export type { ActivityDeps } from './deps';

/** Every activity the pipeline workflows schedule, built around one pool and config. */
export function createActivities(deps: ActivityDeps) {
  const { promoteCandidate, markChallenger, recordRejection } = makePromote(deps);
  const norms = makeNorms(deps);
  const notify = makeNotify(deps);
  const drift = makeDrift(deps);
  const experiment = makeExperiment(deps);
  const actuals = makeActuals(deps);
  const scoring = makeScoring(deps);
  return {
    loadPipeline: surfaceFailures(makeLoadPipeline(deps)),
    ingestSnapshot: surfaceFailures(makeIngest(deps)),
    validateSnapshot: surfaceFailures(makeValidate(deps)),
    trainCandidate: surfaceFailures(makeTrain(deps)),
    evaluateCandidate: surfaceFailures(makeEvaluate(deps)),
    scoreVersion: surfaceFailures(makeScoreVersion(deps)),
    promoteCandidate: surfaceFailures(promoteCandidate),
    markChallenger: surfaceFailures(markChallenger),
    recordRejection: surfaceFailures(recordRejection),
    computeRuntimeNorm: surfaceFailures(norms.computeRuntimeNorm),
    recordTrainingOutcome: surfaceFailures(norms.recordTrainingOutcome),
    resolveSnapshot: surfaceFailures(norms.resolveSnapshot),
    prepareTraining: surfaceFailures(makePrepareTraining(deps)),
    enqueueNotification: surfaceFailures(notify.enqueueNotification),
    deliverNotification: surfaceFailures(notify.deliverNotification),
    deliverPendingNotifications: surfaceFailures(notify.deliverPendingNotifications),
    checkDrift: surfaceFailures(drift.checkDrift),
    recordAnnotation: surfaceFailures(drift.recordAnnotation),
    recordActualsFromFile: surfaceFailures(actuals.recordActualsFromFile),
    judgeLiveAccuracy: surfaceFailures(actuals.judgeLiveAccuracy),
    checkServingDrift: surfaceFailures(makeServingDrift(deps).checkServingDrift),
    startExperiment: surfaceFailures(experiment.startExperiment),
    evaluateExperimentBatch: surfaceFailures(experiment.evaluateExperimentBatch),
    endBatchCells: surfaceFailures(experiment.endBatchCells),
    analyseExperimentResults: surfaceFailures(experiment.analyseExperimentResults),
    recordExperimentFailure: surfaceFailures(experiment.recordExperimentFailure),
    prepareScoring: surfaceFailures(scoring.prepareScoring),
    pinScoringVersion: surfaceFailures(scoring.pinScoringVersion),
    computeScoringNorm: surfaceFailures(scoring.computeScoringNorm),
    scoreBatchRows: surfaceFailures(scoring.scoreBatchRows),
    recordScoringOutcome: surfaceFailures(scoring.recordScoringOutcome),
  };
}

export type Activities = ReturnType<typeof createActivities>;
