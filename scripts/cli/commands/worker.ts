import type { Command } from 'commander';
import { runWorker } from '../../../workers/run-worker';
import type { CliContext } from '../context';

export function registerWorkerCommand(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('Run a worker for the configured task queue until Ctrl-C (graceful shutdown).')
    .addHelpText('after', '\nExample:\n  TEMPORAL_ADDRESS=temporal.internal:7233 driftline worker')
    .action(() => runWorker(ctx.config));
}
