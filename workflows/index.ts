export { modelPipeline } from './pipeline';
export { retrainModel } from './retrain';
export { evaluateVersion } from './evaluate-version';
export { monitorPipeline } from './monitor';
export { deliverNotifications } from './deliver-notifications';
export { runExperiment } from './experiment';
export { experimentBatch } from './experiment-batch';
export { scoreBatch } from './score-batch';
