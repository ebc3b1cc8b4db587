import type { Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from '../context';
import { parseOptions } from '../usage-error';

const WorkerOptions = z.object({
  queues: z
    .string()
    .transform((text) => text.split(',').map((q) => q.trim()))
    .pipe(z.array(z.enum(['main', 'training'], { message: 'lists main and/or training' })).min(1)),
});

export function registerWorkerCommand(program: Command, ctx: CliContext): void {
  program
    .command('worker')
    .description('Run a worker until Ctrl-C (graceful shutdown). JSON logs on stdout; Prometheus metrics on DRIFTLINE_METRICS_ADDRESS.')
    .option('--queues <list>', 'main (workflows, ingest, evaluation) and/or training (CPU-heavy; needs DRIFTLINE_TRAINING_TASK_QUEUE)', 'main,training')
    .addHelpText('after', '\nExamples:\n  driftline worker\n  DRIFTLINE_TRAINING_TASK_QUEUE=driftline-training driftline worker --queues training')
    .action(async (raw: unknown) => {
      const { queues } = parseOptions(WorkerOptions, raw);
      // Loaded here, not at start: the worker's SDK and activities would slow every other command's start.
      const { runWorker } = await import('../../../workers/run-worker');
      await runWorker(ctx.config, queues);
    });
}
