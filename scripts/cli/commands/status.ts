import type { Command } from 'commander';
import { z } from 'zod';
import { retrainStatusQuery, statusQuery, type PipelineStatus, type RetrainStatus, type StageEntry, type TrainingProgress } from '../../../workflows/messages';
import { quarantineText } from '../../support/pipeline-run';
import { workflowUiLink } from '../../support/temporal-client';
import { output, table, type CliContext } from '../context';
import { parseOptions } from '../usage-error';
import { headlineMetric } from '../../../lib/evaluation/format';

const StatusOptions = z.object({ json: z.boolean().default(false) });

/** How often `watch` asks; stages shorter than this are still shown, from the run's stage history. */
const WATCH_POLL_MS = 500;

export function registerStatusCommands(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('Show a run\'s stage, the stages it went through and the ids produced so far (the workflow\'s `status` query).')
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
    .description('Follow a run live, printing every stage it enters (with its time) and the training\'s progress, until it ends.')
    .argument('<workflow-id>', 'a modelPipeline or retrainModel run')
    .addHelpText('after', '\nExample:\n  driftline watch us-employment-2026-11-23T18-00-00-000Z')
    .action(async (workflowId: string) => {
      const follower = stageFollower();
      for (;;) {
        const snapshot = await readStatus(ctx, workflowId);
        for (const line of follower(snapshot.status)) console.log(line);
        if (snapshot.workflowStatus !== 'RUNNING') {
          console.log(`run ${snapshot.workflowStatus.toLowerCase()}`);
          if (snapshot.workflowStatus !== 'COMPLETED') process.exitCode = 1;
          return;
        }
        await new Promise((r) => setTimeout(r, WATCH_POLL_MS));
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

/**
 * The lines `watch` prints for each status it reads: every stage entered since the last read (from
 * the run's history, so a stage that began and ended between two reads is not missed), then the
 * training's progress when it moved. A run without a history (started before it was kept) shows
 * its current stage.
 */
export function stageFollower(now: () => string = () => new Date().toISOString()): (status: AnyStatus) => string[] {
  let printed = 0;
  let lastStage = '';
  let lastProgress = '';
  return (status) => {
    const entered: StageEntry<string>[] = status.history
      ? status.history.slice(printed)
      : status.stage === lastStage ? [] : [{ stage: status.stage, at: now() }];
    printed = status.history?.length ?? 0;
    lastStage = status.stage;
    const lines = entered.map((entry) => `${clock(entry.at)}  ${entry.stage}`);
    const progress = progressOf(status);
    const progressLine = progress ? `${Math.round(progress.fraction * 100)}% ${progress.message}` : '';
    if (progressLine !== '' && progressLine !== lastProgress) lines.push(`${clock(now())}    ${progressLine}`);
    lastProgress = progressLine;
    return lines;
  };
}

function clock(iso: string): string {
  return iso.slice(11, 19);
}

/** The trainer's progress while the run trains, its own or its child's; nothing once training ended. */
function progressOf(status: AnyStatus): TrainingProgress | undefined {
  if (status.stage !== 'training') return undefined;
  // Only a pipeline run keeps `completed`: it shows its child's progress, a retrain run its own.
  return 'completed' in status ? status.training?.progress : status.progress;
}

function describeProgress(status: AnyStatus): string {
  const progress = progressOf(status);
  return progress ? `${status.stage} ${Math.round(progress.fraction * 100)}% ${progress.message}` : status.stage;
}

function render(ctx: CliContext, workflowId: string, { workflowStatus, runId, status }: Awaited<ReturnType<typeof readStatus>>): string {
  const rows: [string, string][] = [['run', `${workflowId}: ${workflowStatus}, stage "${describeProgress(status)}"`]];
  if (status.history && status.history.length > 0) rows.push(['stages', status.history.map((entry) => `${clock(entry.at)} ${entry.stage}`).join(' → ')]);
  else if ('completed' in status && status.completed.length > 0) rows.push(['done', status.completed.join(' → ')]);
  if ('logicalDate' in status && status.logicalDate) rows.push(['logical date', `${status.logicalDate} (the scheduled time this run stands for)`]);
  if ('snapshot' in status && status.snapshot) {
    const { id, rows: accepted, quarantined, quarantineReasons } = status.snapshot;
    rows.push(['snapshot', `#${id}: ${accepted} rows, ${quarantined} quarantined${quarantineReasons ? ` (${quarantineText(quarantineReasons)})` : ''}`]);
  }
  if ('norm' in status && status.norm) rows.push(['norm', status.norm.explanation]);
  if ('candidate' in status && status.candidate) rows.push(['candidate', `version ${status.candidate.version}, ${headlineMetric(status.candidate.metrics)}`]);
  if ('version' in status && status.version) rows.push(['candidate', `version ${status.version.version}, ${headlineMetric(status.version.metrics)}`]);
  if ('awaitingApproval' in status && status.awaitingApproval) rows.push(['waiting for', `${status.awaitingApproval.summary} (until ${status.awaitingApproval.deadline})`]);
  if ('decision' in status && status.decision) rows.push(['decision', `${status.promoted ? 'promoted' : 'not promoted'}: ${status.decision}`]);
  if (status.lastError) rows.push(['last error', status.lastError]);
  rows.push(['Temporal UI', workflowUiLink(ctx.config, workflowId, runId)]);
  return table(rows);
}
