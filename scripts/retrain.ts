import { runMain } from './support/exit-on-error';
import { startAndFollow } from './support/start-run';

const USAGE = `Trigger a retrain of a pipeline's model now, optionally with other parameters.
The candidate is evaluated against the champion and promoted only if it beats it.

usage: npm run pipeline:retrain -- --pipeline NAME [--param name=value …] [--no-wait]

example: npm run pipeline:retrain -- --pipeline us-employment --param alpha=0.5`;

runMain(() => startAndFollow('retrain', USAGE));
