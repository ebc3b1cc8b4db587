import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { Person } from '../../../lib/people/person';
import { PipelineName } from '../../../workflows/pipeline-input';
import { scoreBatch } from '../../../workflows/score-batch';
import type { ScoringTotals } from '../../../activities/scoring';
import { workflowUiLink } from '../../support/temporal-client';
import { failureMessage } from '../../support/workflow-failure';
import { output, table, type CliContext } from '../context';
import { BY_OPTION, currentUser } from '../identity';
import { parseOptions } from '../usage-error';

const ScoreOptions = z.object({
  pipeline: PipelineName,
  source: z.string().min(1).optional(),
  output: z.string().min(1).optional(),
  alias: z.string().min(1).default('champion'),
  batch: z.string().min(1).optional(),
  wait: z.boolean().default(false),
  json: z.boolean().default(false),
  by: Person,
});

/** A file named on the command line, as a scoring source: its format from its extension. */
function fileSource(file: string) {
  const format = /\.jsonl$|\.ndjson$/i.test(file) ? 'jsonl' : /\.json$/i.test(file) ? 'json' : 'csv';
  return { kind: 'file', path: path.resolve(file), format };
}

export function registerScoreCommand(program: Command, ctx: CliContext): void {
  program
    .command('score')
    .description("Score a batch of rows with the pipeline's champion (workflow scoreBatch): every prediction written to PostgreSQL, and to a file with --output.")
    .requiredOption('-p, --pipeline <name>', 'the pipeline spec, e.g. us-employment')
    .option('--source <file>', "a CSV, JSON Lines or JSON file to score instead of the spec's scoring source")
    .option('--output <file>', 'also write the predictions to this CSV or JSON Lines (.jsonl) file')
    .option('--alias <name>', 'score with the version under this alias (default: champion)')
    .option('--batch <id>', 'the batch id (default: the workflow id); the same id again writes nothing twice')
    .option('--wait', 'follow the run to its end and print what it scored')
    .option('--json', 'print the result as JSON')
    .option(...BY_OPTION)
    .addHelpText('after', '\nExample:\n  driftline score --pipeline us-employment --source new-months.csv --output predictions.csv --wait')
    .action(async (raw: { by?: string }) => {
      const options = parseOptions(ScoreOptions, { ...raw, by: raw.by ?? currentUser() });
      const client = await ctx.client();
      const handle = await client.workflow.start(scoreBatch, {
        taskQueue: ctx.config.TEMPORAL_TASK_QUEUE,
        workflowId: options.batch ?? `${options.pipeline}-score-${Date.now()}`,
        args: [
          {
            pipeline: options.pipeline,
            alias: options.alias,
            requestedBy: options.by,
            ...(options.batch && { batchId: options.batch }),
            ...(options.source && { source: fileSource(options.source) }),
            ...(options.output && { output: { path: path.resolve(options.output) } }),
          },
        ],
        staticSummary: `${options.pipeline}: batch scoring with the ${options.alias}, for ${options.by}`,
      });
      const link = workflowUiLink(ctx.config, handle.workflowId, handle.firstExecutionRunId);
      if (!options.wait) return output(options.json, { workflowId: handle.workflowId, link }, () => `started ${handle.workflowId}\n  ${link}`);
      if (!options.json) console.log(`started ${handle.workflowId}\n  ${link}`);
      try {
        const result = await handle.result();
        output(options.json, { workflowId: handle.workflowId, link, ...result }, () =>
          table([
            ['batch', result.batchId],
            ['version', `${result.model} v${result.version}`],
            ['outcome', result.outcome],
            ['rows', result.totals ? rowsLine(result.totals) : '-'],
            ['took', `${(result.elapsedMs / 1000).toFixed(1)} s${result.normMs === undefined ? '' : ` (norm ${(result.normMs / 1000).toFixed(1)} s)`}`],
          ]),
        );
        if (result.outcome !== 'succeeded') process.exitCode = 1;
      } catch (error) {
        const message = failureMessage(error);
        output(options.json, { workflowId: handle.workflowId, link, error: message }, () => `failed: ${message}`);
        process.exitCode = 1;
      }
    });
}

/** What a run did with the source's rows, naming the chunks an earlier attempt wrote and the keys it found logged already. */
function rowsLine(totals: ScoringTotals): string {
  const skipped = totals.chunksSkipped > 0 ? `, ${totals.chunksSkipped} of ${totals.chunks} chunks written before (not scored again)` : '';
  const repeated = totals.rowsKeyAlreadyLogged > 0 ? `, ${totals.rowsKeyAlreadyLogged} with a key already logged in this batch (first prediction kept)` : '';
  return `${totals.rowsScored} scored (${totals.rowsWritten} new)${repeated}, ${totals.rowsQuarantined} quarantined, ${totals.rowsFiltered} filtered out${skipped}`;
}
