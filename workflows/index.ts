export { modelPipeline } from './pipeline';
export { retrainModel } from './retrain';
export { evaluateVersion } from './evaluate-version';
export { monitorPipeline } from './monitor';
export { deliverNotifications } from './deliver-notifications';
export { runExperiment } from './experiment';
export { experimentCell } from './experiment-cell';
export { scoreBatch } from './score-batch';
