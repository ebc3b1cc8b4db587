import { runMain } from './support/exit-on-error';
import { startAndFollow } from './support/start-run';

const USAGE = `Start a modelPipeline run (ingest → train → evaluate → promote) on the running worker.

usage: npm run pipeline:run -- --pipeline NAME [--param name=value …] [--no-wait]
  --pipeline NAME     the pipeline spec to run, e.g. us-employment
  --param k=v         override a model parameter for this run, e.g. --param alpha=10
  --no-wait           print the workflow id and return without following the run

example: npm run pipeline:run -- --pipeline us-employment`;

runMain(() => startAndFollow('manual', USAGE));
