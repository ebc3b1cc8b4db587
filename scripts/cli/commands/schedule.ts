import type { Command } from 'commander';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { z } from 'zod';
import { loadPipelineSpec } from '../../../lib/spec/load-spec';
import { PipelineName } from '../../../workflows/pipeline-input';
import { applySchedule, applyScoringSchedule, scheduleIdOf, scoringScheduleIdOf } from '../../support/schedules';
import { output, table, type CliContext } from '../context';
import { parseOptions, UsageError } from '../usage-error';

const PipelineOptions = z.object({ pipeline: PipelineName, json: z.boolean().default(false), note: z.string().optional() });
const BackfillOptions = PipelineOptions.extend({ from: z.coerce.date(), to: z.coerce.date() }).refine((o) => o.from < o.to, {
  message: 'must start before --to',
  path: ['from'],
});

export function registerScheduleCommand(program: Command, ctx: CliContext): void {
  const schedule = program.command('schedule').description("Manage a pipeline's Temporal Schedule (declared under `schedule` in its spec).");
  const handleOf = async (pipeline: string) => (await ctx.client()).schedule.getHandle(scheduleIdOf(pipeline));
  /** A schedule that does not exist gets a sentence saying why, not the server's internal workflow id. */
  const onSchedule = async <T>(pipeline: string, act: () => Promise<T>): Promise<T> => {
    try {
      return await act();
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      const { spec } = await loadPipelineSpec(pipeline, ctx.config.DRIFTLINE_PIPELINES_DIR);
      throw new UsageError(
        spec.schedule
          ? `pipeline "${pipeline}" has no schedule yet: create it with driftline schedule apply --pipeline ${pipeline}`
          : `pipeline "${pipeline}" is not scheduled: its spec declares no schedule`,
      );
    }
  };
  const sub = (name: string, description: string, example: string) =>
    schedule
      .command(name)
      .description(description)
      .requiredOption('-p, --pipeline <name>', 'the pipeline')
      .option('--json', 'print as JSON')
      .addHelpText('after', `\nExample:\n  ${example}`);

  sub('apply', 'Create the schedule from the spec, or update it to match (safe to repeat).', 'driftline schedule apply --pipeline us-employment').action(async (raw: unknown) => {
    const options = parseOptions(PipelineOptions, raw);
    const { spec } = await loadPipelineSpec(options.pipeline, ctx.config.DRIFTLINE_PIPELINES_DIR);
    const client = await ctx.client();
    // A spec may schedule only its batch scoring; with neither schedule, applySchedule says so.
    const result = spec.schedule || !spec.scoring?.schedule ? await applySchedule(client, ctx.config, spec) : undefined;
    const scoring = await applyScoringSchedule(client, ctx.config, spec);
    const scoringLine = scoring && { scheduleId: scoringScheduleIdOf(spec.name), result: scoring };
    output(options.json, { ...(result && { scheduleId: scheduleIdOf(spec.name), result }), ...(scoringLine && { scoring: scoringLine }) }, () =>
      [result && `${scheduleIdOf(spec.name)}: ${result}`, scoringLine && `${scoringLine.scheduleId}: ${scoringLine.result}`].filter(Boolean).join('\n'),
    );
  });

  sub('show', 'Show the schedule: its spec, whether it is paused, its next and recent runs.', 'driftline schedule show --pipeline us-employment').action(async (raw: unknown) => {
    const options = parseOptions(PipelineOptions, raw);
    const d = await onSchedule(options.pipeline, async () => (await handleOf(options.pipeline)).describe());
    const summary = {
      scheduleId: d.scheduleId,
      paused: d.state.paused,
      note: d.state.note,
      nextRuns: d.info.nextActionTimes.slice(0, 5).map((t) => t.toISOString()),
      recentRuns: d.info.recentActions.map((a) => ({ at: a.takenAt.toISOString(), workflowId: a.action.workflow.workflowId })),
    };
    output(options.json, summary, () =>
      table([
        ['schedule', `${summary.scheduleId}${summary.paused ? ` (paused${summary.note ? `: ${summary.note}` : ''})` : ''}`],
        ['next runs', summary.nextRuns.join(', ') || '-'],
        ['recent runs', summary.recentRuns.map((r) => `${r.at} ${r.workflowId}`).join('\n' + ' '.repeat(15)) || '-'],
      ]),
    );
  });

  for (const [name, description] of [
    ['pause', 'Pause the schedule (with --note saying why).'],
    ['unpause', 'Resume the schedule.'],
    ['trigger', 'Start one run now, whatever the schedule says.'],
    ['delete', 'Delete the schedule (runs already started are not affected).'],
  ] as const) {
    const command = sub(name, description, `driftline schedule ${name} --pipeline us-employment${name === 'pause' ? ' --note "source is being migrated"' : ''}`);
    if (name === 'pause' || name === 'unpause') command.option('--note <text>', 'why; shown with the schedule');
    command.action(async (raw: unknown) => {
      const options = parseOptions(PipelineOptions, raw);
      const handle = await handleOf(options.pipeline);
      await onSchedule(options.pipeline, async () => {
        if (name === 'pause') await handle.pause(options.note);
        else if (name === 'unpause') await handle.unpause(options.note);
        else if (name === 'trigger') await handle.trigger(ScheduleOverlapPolicy.ALLOW_ALL);
        else await handle.delete();
      });
      output(options.json, { scheduleId: handle.scheduleId, done: name }, () => `${handle.scheduleId}: ${name} done`);
    });
  }

  sub('backfill', 'Run the pipeline for every scheduled time in a past range.', 'driftline schedule backfill --pipeline us-employment --from 2026-11-01 --to 2026-11-08')
    .requiredOption('--from <date>', 'start of the range (ISO date or time)')
    .requiredOption('--to <date>', 'end of the range')
    .action(async (raw: unknown) => {
      const options = parseOptions(BackfillOptions, raw);
      const handle = await handleOf(options.pipeline);
      await onSchedule(options.pipeline, () => handle.backfill({ start: options.from, end: options.to, overlap: ScheduleOverlapPolicy.ALLOW_ALL }));
      output(options.json, { scheduleId: handle.scheduleId, from: options.from, to: options.to }, () => `${handle.scheduleId}: backfilling ${options.from.toISOString()} … ${options.to.toISOString()}`);
    });
}
