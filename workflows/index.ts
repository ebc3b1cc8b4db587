export { modelPipeline } from './pipeline';
