import type { Command } from 'commander';
import { z } from 'zod';
import { experimentCells, findExperiment, recordPromotion } from '../../../lib/db/experiments';
import type { ExperimentAnalysis } from '../../../lib/experiments/analysis';
import { describeLevels, paramOverridesOf } from '../../../lib/experiments/cell-config';
import type { ExperimentSpec } from '../../../lib/experiments/experiment-spec';
import { parseExperimentSpec, readExperimentFile } from '../../../lib/experiments/load-experiment';
import { PipelineSpec } from '../../../lib/spec/pipeline-spec';
import { Person } from '../../../lib/people/person';
import { runExperiment } from '../../../workflows/experiment';
import { ExperimentName } from '../../../workflows/experiment-input';
import { experimentStatusQuery, stopExperimentUpdate, type ExperimentStatus } from '../../../workflows/experiment-messages';
import { followRun, printSummary, startPipeline } from '../../support/pipeline-run';
import { workflowUiLink } from '../../support/temporal-client';
import { output, table, type CliContext } from '../context';
import { BY_OPTION, currentUser } from '../identity';
import { parseOptions, UsageError } from '../usage-error';

const RunOptions = z.object({
  name: ExperimentName.optional(),
  file: z.string().min(1).optional(),
  snapshot: z.coerce.number().int().positive().optional(),
  wait: z.boolean(),
  json: z.boolean().default(false),
  by: Person,
});

const StopOptions = z.object({ workflowId: z.string().min(1).max(400), reason: z.string().max(2_000).optional(), by: Person, json: z.boolean().default(false) });
const RefOptions = z.object({ ref: z.string().min(1).max(400), json: z.boolean().default(false) });
const PromoteOptions = RefOptions.extend({ by: Person, wait: z.boolean() });

/** `driftline experiment run|status|stop|report`: designed experiments on a pipeline (workflows/experiment.ts). */
export function registerExperimentCommand(program: Command, ctx: CliContext): void {
  const experiment = program.command('experiment').description('Design of experiments: which parameters, features and interactions matter, and how much the score varies.');

  experiment
    .command('run')
    .description('Run experiments/<name>.json (beside the pipeline specs), or a spec file given with --file.')
    .argument('[name]', 'the experiment file name under experiments/')
    .option('--file <path>', 'an experiment spec file anywhere, passed inline')
    .option('--snapshot <id>', "score every cell on this snapshot (default: the pipeline's newest)")
    .option('--no-wait', 'print the workflow id and return')
    .option('--json', 'print the result as JSON')
    .option(...BY_OPTION)
    .addHelpText('after', '\nExample:\n  driftline experiment run employment-factorial --by ana')
    .action(async (name: string | undefined, raw: { by?: string }) => {
      const options = parseOptions(RunOptions, { ...raw, name, by: raw.by ?? currentUser() });
      if ((options.name === undefined) === (options.file === undefined)) throw new UsageError('name an experiment, or give --file (not both)');
      // A file is checked here, so a misspelt key is named before any workflow starts.
      const spec: string | ExperimentSpec = options.file === undefined ? (options.name as string) : await readExperimentFile(options.file);
      const label = typeof spec === 'string' ? spec : spec.name;
      const client = await ctx.client();
      const handle = await client.workflow.start(runExperiment, {
        taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
        workflowId: `experiment-${label}-${Date.now()}`,
        args: [{ experiment: spec, requestedBy: options.by, ...(options.snapshot ? { snapshotId: options.snapshot } : {}) }],
        staticSummary: `experiment ${label}, for ${options.by}`,
      });
      const link = workflowUiLink(ctx.config, handle.workflowId, handle.firstExecutionRunId);
      if (!options.wait) return output(options.json, { workflowId: handle.workflowId, link }, () => `started ${handle.workflowId}\n  ${link}`);
      if (!options.json) console.log(`started ${handle.workflowId}\n  ${link}`);
      const summary = await handle.result();
      output(options.json, { workflowId: handle.workflowId, link, ...summary }, () =>
        table([
          ['experiment', String(summary.experimentId)],
          ['status', summary.status],
          ['cells', `${summary.counts.done} done, ${summary.counts.failed} failed, ${summary.counts.cancelled} cancelled`],
          ['best', summary.best ? `cell ${summary.best.cellIndex} (${summary.best.levels}): ${summary.best.mean.toPrecision(4)}` : '-'],
          ['expected', summary.expectedRange ?? '-'],
          ['recommendation', summary.recommendation],
          ['report', `driftline experiment report ${summary.experimentId}`],
        ]),
      );
    });

  experiment
    .command('status')
    .description('Cells done / running / failed / cancelled and the best so far, of a running experiment.')
    .argument('<workflowId>')
    .option('--json', 'print the status as JSON')
    .action(async (ref: string, raw: object) => {
      const options = parseOptions(RefOptions, { ...raw, ref });
      const status = await (await ctx.client()).workflow.getHandle(options.ref).query(experimentStatusQuery);
      output(options.json, status, () => statusTable(status));
    });

  experiment
    .command('stop')
    .description('Stop an experiment: running cells are cancelled and counted, the finished ones analysed.')
    .argument('<workflowId>')
    .option('--reason <text>', 'why, for the record')
    .option('--json', 'print the receipt as JSON')
    .option(...BY_OPTION)
    .action(async (workflowId: string, raw: { by?: string }) => {
      const options = parseOptions(StopOptions, { ...raw, workflowId, by: raw.by ?? currentUser() });
      const receipt = await (await ctx.client()).workflow
        .getHandle(options.workflowId)
        .executeUpdate(stopExperimentUpdate, { args: [{ by: options.by, ...(options.reason ? { reason: options.reason } : {}) }] });
      output(options.json, receipt, () => `stopping ${options.workflowId}: ${receipt.done} cells done, ${receipt.running} being cancelled`);
    });

  experiment
    .command('promote')
    .description("Turn an experiment's recommendation into a candidate: a normal pipeline run with the recommended cell's parameters, through evaluation, gates, approval and promotion.")
    .argument('<experiment>', 'id, workflow id or name (its newest run)')
    .option('--no-wait', 'print the workflow id and return')
    .option('--json', 'print the result as JSON')
    .option(...BY_OPTION)
    .action(async (ref: string, raw: { by?: string }) => {
      const options = parseOptions(PromoteOptions, { ...raw, ref, by: raw.by ?? currentUser() });
      const record = await findExperiment(ctx.pool, options.ref);
      if (!record) throw new UsageError(`no experiment "${options.ref}"`);
      const recommendation = (record.analysis as ExperimentAnalysis | undefined)?.recommendation;
      if (recommendation?.action !== 'adopt') throw new UsageError(`experiment ${record.id} recommends no change: ${recommendation?.reason ?? 'not analysed yet'}`);
      const params = paramOverridesOf(PipelineSpec.parse(record.pipelineSpec), parseExperimentSpec(record.spec).factors, { index: recommendation.cell, levels: recommendation.levels });
      const handle = await startPipeline(await ctx.client(), ctx.config, { pipeline: record.pipeline, params, trigger: 'manual', requestedBy: `${options.by} (experiment ${record.id}, cell ${recommendation.cell})` });
      // The versions this run trains name the experiment and cell in their lineage.
      await recordPromotion(ctx.pool, { workflowId: handle.workflowId, experimentId: record.id, cellIndex: recommendation.cell, levels: recommendation.levels, requestedBy: options.by });
      const link = workflowUiLink(ctx.config, handle.workflowId, handle.firstExecutionRunId);
      if (!options.wait) return output(options.json, { workflowId: handle.workflowId, link, params }, () => `started ${handle.workflowId} with ${JSON.stringify(params)}\n  ${link}`);
      if (!options.json) console.log(`started ${handle.workflowId} with ${JSON.stringify(params)} (experiment ${record.id}, cell ${recommendation.cell})\n  ${link}`);
      const outcome = await followRun(handle, options.json ? () => undefined : console.log);
      if (options.json) console.log(JSON.stringify({ workflowId: handle.workflowId, link, params, ...outcome }, null, 2));
      else printSummary(ctx.config, handle, outcome);
      if (outcome.error) process.exitCode = 1;
    });

  experiment
    .command('report')
    .description('The analysis of an experiment (by id, workflow id or name: the newest run): main effects, interactions, cells, expected range, recommendation.')
    .argument('<experiment>')
    .option('--json', 'print the experiment, its cells and analysis as JSON')
    .action(async (ref: string, raw: object) => {
      const options = parseOptions(RefOptions, { ...raw, ref });
      const record = await findExperiment(ctx.pool, options.ref);
      if (!record) throw new UsageError(`no experiment "${options.ref}"`);
      const cells = await experimentCells(ctx.pool, record.id);
      const { spec, ...experiment } = record;
      output(options.json, { experiment, spec, cells }, () => report(record.name, record.status, experiment.analysis as ExperimentAnalysis | undefined, cells));
    });
}

function statusTable(status: ExperimentStatus): string {
  return table([
    ['experiment', `${status.name ?? '-'} (${status.experimentId ?? '-'}) on ${status.pipeline ?? '-'}`],
    ['stage', status.stopped ? `${status.stage}: ${status.stopped}` : status.stage],
    ['cells', `${status.done} done, ${status.running} running, ${status.failed} failed, ${status.cancelled} cancelled of ${status.cells ?? '?'}`],
    ['best so far', status.best ? `cell ${status.best.cellIndex}: ${status.metric ?? ''} ${status.best.mean.toPrecision(4)}` : '-'],
  ]);
}

const fixed = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '-' : n.toPrecision(4));

function report(name: string, status: string, analysis: ExperimentAnalysis | undefined, cells: Awaited<ReturnType<typeof experimentCells>>): string {
  if (!analysis) return `experiment ${name}: ${status}, not analysed yet (${cells.length} cells ended)`;
  // No cell finished, or the experiment failed outright: nothing was analysed, only why.
  if (!analysis.cells) return `experiment ${name}: ${status}, ${cells.length} cells ended\nrecommendation: ${analysis.recommendation.reason}`;
  const lines = [`experiment ${name}: ${status}; ${analysis.metric} (${analysis.lowerIsBetter ? 'lower' : 'higher'} is better)`, ''];
  const effects = analysis.effects ?? [];
  const mains = effects.filter((e) => e.factors.length === 1);
  const pairs = effects.filter((e) => e.factors.length === 2 && e.significant);
  const row = (e: (typeof effects)[number]) =>
    `  ${e.term.padEnd(28)} ${fixed(e.effect).padStart(10)}  ${e.ci95 ? `[${fixed(e.ci95[0])}, ${fixed(e.ci95[1])}]` : ''.padEnd(20)}  p ${fixed(e.p)}  ${(e.shareOfVariance * 100).toFixed(1)}% ${e.significant ? '*' : ''}`;
  if (mains.length > 0) lines.push('main effects (effect, 95% CI, p, share of variance; * significant):', ...mains.map(row), '');
  lines.push(pairs.length > 0 ? 'significant interactions:' : 'significant interactions: none', ...pairs.map(row), '');
  if (analysis.note) lines.push(`note: ${analysis.note}`, '');
  if (analysis.aliases.length > 0) lines.push(`aliases (resolution ${analysis.resolution}): ${analysis.aliases.map((chain) => chain.join(' = ')).join('; ')}`, '');
  lines.push('cells (mean ± sd over replicates):');
  for (const cell of cells) {
    const summary = analysis.cells.find((c) => c.index === cell.cellIndex);
    const score = summary ? `${fixed(summary.mean)} ± ${fixed(summary.sd)}` : `${cell.status}${cell.reason ? `: ${cell.reason}` : ''}`;
    lines.push(`  ${String(cell.cellIndex).padStart(4)}  ${describeLevels(cell.levels as Record<string, never>).padEnd(50)} ${score}`);
  }
  lines.push('', `expected: ${analysis.expectedRange.text}`, `recommendation: ${analysis.recommendation.reason}`);
  return lines.join('\n');
}
