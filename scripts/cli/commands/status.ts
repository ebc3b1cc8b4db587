import type { Command } from 'commander';
import { z } from 'zod';
import { retrainStatusQuery, statusQuery, type PipelineStatus, type RetrainStatus } from '../../../workflows/messages';
import { workflowUiLink } from '../../support/temporal-client';
import { output, table, type CliContext } from '../context';
import { parseOptions } from '../usage-error';

const StatusOptions = z.object({ json: z.boolean().default(false) });

export function registerStatusCommands(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('Show a run\'s stage and the ids produced so far (the workflow\'s `status` query).')
    .argument('<workflow-id>', 'a modelPipeline or retrainModel run')
    .option('--json', 'print the status as JSON')
    .addHelpText('after', '\nExample:\n  driftline status us-employment-2026-11-23T18-00-00-000Z --json')
    .action(async (workflowId: string, raw: unknown) => {
      const { json } = parseOptions(StatusOptions, raw);
      const snapshot = await readStatus(ctx, workflowId);
      output(json, snapshot, () => render(ctx, workflowId, snapshot));
    });

  program
    .command('watch')
    .description('Follow a run live, printing each change of stage or progress, until it ends.')
    .argument('<workflow-id>', 'a modelPipeline or retrainModel run')
    .addHelpText('after', '\nExample:\n  driftline watch us-employment-2026-11-23T18-00-00-000Z')
    .action(async (workflowId: string) => {
      let last = '';
      for (;;) {
        const snapshot = await readStatus(ctx, workflowId);
        const line = describeProgress(snapshot.status);
        if (line !== last) console.log(`${new Date().toISOString().slice(11, 19)}  ${line}`);
        last = line;
        if (snapshot.workflowStatus !== 'RUNNING') {
          console.log(`run ${snapshot.workflowStatus.toLowerCase()}`);
          if (snapshot.workflowStatus !== 'COMPLETED') process.exitCode = 1;
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    });
}

type AnyStatus = PipelineStatus | RetrainStatus;

async function readStatus(ctx: CliContext, workflowId: string): Promise<{ workflowStatus: string; runId: string; status: AnyStatus }> {
  const handle = (await ctx.client()).workflow.getHandle(workflowId);
  const description = await handle.describe();
  const status = description.type === 'retrainModel' ? await handle.query(retrainStatusQuery) : await handle.query(statusQuery);
  return { workflowStatus: description.status.name, runId: description.runId, status };
}

function describeProgress(status: AnyStatus): string {
  const progress = 'progress' in status && status.progress ? ` ${Math.round(status.progress.fraction * 100)}% ${status.progress.message}` : '';
  return `${status.stage}${progress}`;
}

function render(ctx: CliContext, workflowId: string, { workflowStatus, runId, status }: Awaited<ReturnType<typeof readStatus>>): string {
  const rows: [string, string][] = [['run', `${workflowId}: ${workflowStatus}, stage "${describeProgress(status)}"`]];
  if ('completed' in status && status.completed.length > 0) rows.push(['done', status.completed.join(' → ')]);
  if ('snapshot' in status && status.snapshot) rows.push(['snapshot', `#${status.snapshot.id}: ${status.snapshot.rows} rows, ${status.snapshot.quarantined} quarantined`]);
  if ('norm' in status && status.norm) rows.push(['norm', status.norm.explanation]);
  if ('candidate' in status && status.candidate) rows.push(['candidate', `version ${status.candidate.version}, RMSE ${status.candidate.metrics.rmse.toFixed(1)}`]);
  if ('awaitingApproval' in status && status.awaitingApproval) rows.push(['waiting for', `${status.awaitingApproval.summary} (until ${status.awaitingApproval.deadline})`]);
  if ('decision' in status && status.decision) rows.push(['decision', `${status.promoted ? 'promoted' : 'not promoted'}: ${status.decision}`]);
  if (status.lastError) rows.push(['last error', status.lastError]);
  rows.push(['Temporal UI', workflowUiLink(ctx.config, workflowId, runId)]);
  return table(rows);
}
