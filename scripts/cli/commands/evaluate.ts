import type { Command } from 'commander';
import { z } from 'zod';
import { evaluateVersion } from '../../../workflows/evaluate-version';
import { describeMetrics } from '../../../lib/evaluation/format';
import { output, table, type CliContext } from '../context';
import { parseOptions } from '../usage-error';

const EvaluateOptions = z.object({
  model: z.string().min(1),
  version: z.coerce.number().int().positive(),
  snapshot: z.coerce.number().int().positive(),
  json: z.boolean().default(false),
});

export function registerEvaluateCommand(program: Command, ctx: CliContext): void {
  program
    .command('evaluate')
    .description('Re-evaluate any stored model version on any stored snapshot (runs the evaluateVersion workflow).')
    .requiredOption('-m, --model <name>', 'the registered model')
    .requiredOption('-v, --version <n>', 'the version to score')
    .requiredOption('-s, --snapshot <id>', 'the snapshot to score it on')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExample:\n  driftline evaluate --model us-employment-nonfarm-change --version 1 --snapshot 3')
    .action(async (raw: unknown) => {
      const options = parseOptions(EvaluateOptions, raw);
      const score = await (await ctx.client()).workflow.execute(evaluateVersion, {
        taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
        workflowId: `evaluate-${options.model}-v${options.version}-s${options.snapshot}-${Date.now()}`,
        args: [{ model: options.model, version: options.version, snapshotId: options.snapshot }],
      });
      output(options.json, score, () =>
        table([
          ['version', `${score.model} v${score.version} on snapshot #${score.snapshotId}`],
          ['examples', `${score.examples} (${score.from.slice(0, 10)} … ${score.to.slice(0, 10)})`],
          ['metrics', describeMetrics(score.metrics)],
        ]),
      );
    });
}
