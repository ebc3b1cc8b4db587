export { modelPipeline } from './pipeline';
export { retrainModel } from './retrain';
