import type { Command } from 'commander';
import { z } from 'zod';
import { Person } from '../../../lib/people/person';
import { PipelineName } from '../../../workflows/pipeline-input';
import { retrainModel } from '../../../workflows/retrain';
import { ParamFlags } from '../../support/args';
import { followRun, printSummary, startPipeline } from '../../support/pipeline-run';
import { workflowUiLink } from '../../support/temporal-client';
import { output, table, type CliContext } from '../context';
import { BY_OPTION, currentUser } from '../identity';
import { parseOptions, UsageError } from '../usage-error';

const RunOptions = z.object({
  pipeline: PipelineName,
  param: ParamFlags,
  wait: z.boolean(),
  json: z.boolean().default(false),
  trainOnly: z.boolean().default(false),
  by: Person,
  /** `manual` always trains; `schedule` trains only when the drift policy says so, as a scheduled run does. */
  trigger: z.enum(['manual', 'schedule'], { message: 'must be manual or schedule' }).default('manual'),
});

/** `--if-drifted` is `--trigger schedule` by another name; both at once must agree. */
function runTrigger(raw: { trigger?: string; ifDrifted?: boolean }): string | undefined {
  if (!raw.ifDrifted) return raw.trigger;
  if (raw.trigger !== undefined && raw.trigger !== 'schedule') throw new UsageError(`--if-drifted runs as --trigger schedule, not --trigger ${raw.trigger}`);
  return 'schedule';
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerRunCommands(program: Command, ctx: CliContext): void {
  for (const [name, trigger, description] of [
    ['run', 'manual', 'Start a pipeline run: ingest → validate → check drift → train → evaluate → promote.'],
    ['retrain', 'retrain', 'Retrain a pipeline\'s model now, on fresh data, optionally with other parameters.'],
  ] as const) {
    const example = name === 'retrain' ? `driftline retrain --pipeline us-employment --param alpha=5 --by ana` : `driftline run --pipeline us-employment\n  driftline run --pipeline us-employment --if-drifted`;
    const command = program
      .command(name)
      .description(description)
      .requiredOption('-p, --pipeline <name>', 'the pipeline spec, e.g. us-employment')
      .option('--param <name=value>', 'override a model parameter for this run (repeatable)', collect, [])
      .option('--no-wait', 'print the workflow id and return without following the run')
      .option('--json', 'print the result as JSON')
      .option(...BY_OPTION)
      .addHelpText('after', `\nExample:\n  ${example}`);
    if (name === 'retrain') {
      command.option('--train-only', 'only train a candidate (retrainModel on the newest snapshot), no evaluation or promotion');
    } else {
      command
        .option('--trigger <kind>', 'manual: always train; schedule: train only when the drift policy says so, as a scheduled run does (default: manual)')
        .option('--if-drifted', 'the same as --trigger schedule: a drift-gated run');
    }
    command.action(async (raw: { by?: string; trigger?: string; ifDrifted?: boolean }) => {
      const options = parseOptions(RunOptions, { ...raw, trigger: runTrigger(raw), by: raw.by ?? currentUser() });
      const params = Object.keys(options.param).length > 0 ? options.param : undefined;
      const client = await ctx.client();
      const requestedBy = options.by;
      if (options.trainOnly) {
        const handle = await client.workflow.start(retrainModel, {
          taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
          workflowId: `${options.pipeline}-train-${Date.now()}`,
          args: [{ pipeline: options.pipeline, params, requestedBy }],
          staticSummary: `${options.pipeline}: train a candidate only, for ${requestedBy}`,
        });
        if (!options.wait) return output(options.json, { workflowId: handle.workflowId }, () => `started ${handle.workflowId}`);
        const result = await handle.result();
        return output(options.json, result, () => table([['outcome', result.outcome], ['version', result.candidate ? `version ${result.candidate.version}` : '-']]));
      }
      const handle = await startPipeline(client, ctx.config, { pipeline: options.pipeline, params, trigger: name === 'run' ? options.trigger : trigger, requestedBy });
      const link = workflowUiLink(ctx.config, handle.workflowId, handle.firstExecutionRunId);
      if (!options.wait) return output(options.json, { workflowId: handle.workflowId, link }, () => `started ${handle.workflowId}\n  ${link}`);
      if (!options.json) console.log(`started ${handle.workflowId}\n  ${link}`);
      const outcome = await followRun(handle, options.json ? () => undefined : console.log);
      if (options.json) console.log(JSON.stringify({ workflowId: handle.workflowId, link, ...outcome }, null, 2));
      else printSummary(ctx.config, handle, outcome);
      if (outcome.error) process.exitCode = 1;
    });
  }
}
