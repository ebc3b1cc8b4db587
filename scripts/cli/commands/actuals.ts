import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { championLiveAccuracy, type LiveAccuracy } from '../../../lib/serving/live-accuracy';
import { ROW_KEY_COLUMN, type RefusedActual } from '../../../lib/serving/read-actuals';
import { recordActualsFile, type RecordedActuals } from '../../../lib/serving/record-actuals-file';
import { loadPipelineSpec } from '../../../lib/spec/load-spec';
import { PipelineName, RequestedBy } from '../../../workflows/pipeline-input';
import { recordActuals } from '../../../workflows/record-actuals';
import { workflowUiLink } from '../../support/temporal-client';
import { output, table, type CliContext } from '../context';
import { BY_OPTION, currentUser } from '../identity';
import { parseOptions } from '../usage-error';

const ActualsOptions = z
  .object({
    pipeline: PipelineName,
    file: z.string().min(1),
    format: z.enum(['csv', 'jsonl', 'json']).optional(),
    key: z.string().min(1).max(200).default(ROW_KEY_COLUMN),
    by: RequestedBy,
    json: z.boolean().default(false),
    workflow: z.boolean().default(false),
  })
  .strict();

export function registerActualsCommand(program: Command, ctx: CliContext): void {
  program
    .command('actuals')
    .description("Record observed outcomes for logged predictions (joined by row key), then show the champion's live accuracy.")
    .requiredOption('-p, --pipeline <name>', 'the pipeline')
    .requiredOption('-f, --file <path>', 'a CSV (header line), JSONL or JSON file with the row key and the target column')
    .option('--format <format>', 'csv, jsonl or json (default: from the file extension)')
    .option('--key <column>', 'the column holding the row key', ROW_KEY_COLUMN)
    .option(...BY_OPTION)
    .option('--json', 'print as JSON')
    .option('--workflow', 'record through the recordActuals workflow (a worker reads the file), which also applies the drift policy to accuracy decay: notify, retrain')
    .addHelpText(
      'after',
      '\nWithout --workflow the outcomes are recorded from here (no worker needed) and live accuracy is shown;\nwith it, decay is acted on as the pipeline\'s drift policy says.\n\nExamples:\n  driftline actuals --pipeline house-prices --file outcomes.csv\n  driftline actuals --pipeline house-prices --file outcomes.csv --workflow',
    )
    .action(async (raw: { by?: string }) => {
      const options = parseOptions(ActualsOptions, { ...raw, by: raw.by ?? currentUser() });
      const { spec } = await loadPipelineSpec(options.pipeline, ctx.config.DRIFTLINE_PIPELINES_DIR);
      const actuals = { file: path.resolve(options.file), format: options.format, key: options.key, recordedBy: options.by };
      if (options.workflow) {
        const client = await ctx.client();
        const handle = await client.workflow.start(recordActuals, {
          taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
          workflowId: `actuals-${spec.name}-${Date.now()}`,
          args: [{ pipeline: spec.name, file: actuals.file, ...(actuals.format && { format: actuals.format }), key: actuals.key, requestedBy: options.by }],
          staticSummary: `${spec.name}: record outcomes from ${path.basename(actuals.file)}, for ${options.by}`,
        });
        const result = await handle.result();
        const link = workflowUiLink(ctx.config, handle.workflowId, handle.firstExecutionRunId);
        const counts = result.recorded as RecordedActuals;
        return output(options.json, { workflowId: handle.workflowId, ...counts, live: result.live ?? undefined, action: result.action, retrain: result.retrain }, () =>
          table([
            ...describeRecorded(counts),
            ['live accuracy', describeLive(result.live ?? undefined)],
            ['policy', result.action.why],
            ...(result.retrain ? [['retrain', `${result.retrain.workflowId}: ${result.retrain.result.decision}`] as [string, string]] : []),
            ['workflow', link],
          ]),
        );
      }
      const counts = await recordActualsFile(ctx.pool, spec, actuals);
      const live = await championLiveAccuracy(ctx.pool, spec);
      output(options.json, { ...counts, live }, () =>
        table([
          ...describeRecorded(counts),
          ['live accuracy', describeLive(live)],
          ...(live?.decay?.decayed ? [['policy', 'not applied from here: run with --workflow (or let the monitor run) to notify or retrain'] as [string, string]] : []),
        ]),
      );
    });
}

function describeRecorded(counts: RecordedActuals): [string, string][] {
  return [
    ['recorded', `${counts.recorded} outcomes, ${counts.matched} of them for logged predictions`],
    ['refused', counts.refused === 0 ? 'none' : describeRefused(counts.refused, counts.refusedLines)],
  ];
}

function describeRefused(count: number, listedLines: RefusedActual[]): string {
  const listed = listedLines.map(({ line, reason }) => `line ${line}: ${reason}`);
  const more = count - listed.length;
  return `${count} ${count === 1 ? 'line' : 'lines'} (${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''})`;
}

/** "v3, rmse 4.87 on 50 of 60 outcomes (promoted at 5.02): no decay" */
function describeLive(live: LiveAccuracy | undefined): string {
  if (!live) return 'no champion yet';
  const { decay } = live;
  if (!decay) return `v${live.version}: no outcomes joined to its predictions yet`;
  const verdict = decay.insufficient ? `too few to judge (${decay.minExamples} needed)` : decay.decayed ? 'DECAYED' : 'no decay';
  return `v${live.version}, ${decay.metric} ${decay.current.toPrecision(4)} on ${live.examples} of ${live.available} outcomes (promoted at ${decay.promoted.toPrecision(4)}): ${verdict}`;
}
