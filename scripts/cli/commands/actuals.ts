import path from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { DataSource } from '../../../lib/data/source-spec';
import { openSource } from '../../../lib/data/sources/open-source';
import { inTransaction } from '../../../lib/db/pool';
import { recordActuals } from '../../../lib/db/predictions';
import { DriftlineError } from '../../../lib/errors';
import { championLiveAccuracy, type LiveAccuracy } from '../../../lib/serving/live-accuracy';
import { actualsColumns, readActuals, ROW_KEY_COLUMN, type RefusedActual } from '../../../lib/serving/read-actuals';
import { loadPipelineSpec } from '../../../lib/spec/load-spec';
import { taskOf } from '../../../lib/spec/pipeline-spec';
import { PipelineName, RequestedBy } from '../../../workflows/pipeline-input';
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
  })
  .strict();

/** How many refused lines are listed; the rest are counted. */
const LISTED_REFUSALS = 5;

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
    .addHelpText('after', '\nExample:\n  driftline actuals --pipeline house-prices --file outcomes.csv')
    .action(async (raw: { by?: string }) => {
      const options = parseOptions(ActualsOptions, { ...raw, by: raw.by ?? currentUser() });
      const { spec } = await loadPipelineSpec(options.pipeline, ctx.config.DRIFTLINE_PIPELINES_DIR);
      const targetSpec = spec.columns[spec.target];
      if (!targetSpec) throw new DriftlineError('InvalidInput', `pipeline "${spec.name}" declares no column for its target "${spec.target}"`);
      if (options.key === spec.target) throw new DriftlineError('InvalidInput', `--key names the target "${spec.target}": it must name the column holding each outcome's row key`);
      const columns = actualsColumns(spec.target, targetSpec, options.key);
      const file = path.resolve(options.file);
      const source = DataSource.parse({ kind: 'file', path: file, format: options.format ?? formatOf(file) });
      const opened = openSource(source, columns, { specDir: process.cwd(), pool: ctx.pool });
      const refused: RefusedActual[] = [];
      // All of the file's outcomes, or none: a failure halfway leaves nothing recorded.
      const counts = await inTransaction(ctx.pool, async (client) => {
        const total = { recorded: 0, matched: 0 };
        for await (const rows of readActuals(opened, columns, taskOf(spec) === 'classification', refused)) {
          const written = await recordActuals(client, spec.name, rows, options.by);
          total.recorded += written.recorded;
          total.matched += written.matched;
        }
        return total;
      });
      const live = await championLiveAccuracy(ctx.pool, spec);
      output(options.json, { ...counts, refused: refused.length, refusedLines: refused.slice(0, LISTED_REFUSALS), live }, () =>
        table([
          ['recorded', `${counts.recorded} outcomes, ${counts.matched} of them for logged predictions`],
          ['refused', refused.length === 0 ? 'none' : describeRefused(refused)],
          ['live accuracy', describeLive(live)],
        ]),
      );
    });
}

function formatOf(file: string): 'csv' | 'jsonl' | 'json' {
  const extension = path.extname(file).toLowerCase();
  return extension === '.jsonl' || extension === '.ndjson' ? 'jsonl' : extension === '.json' ? 'json' : 'csv';
}

function describeRefused(refused: RefusedActual[]): string {
  const listed = refused.slice(0, LISTED_REFUSALS).map(({ line, reason }) => `line ${line}: ${reason}`);
  const more = refused.length - listed.length;
  return `${refused.length} ${refused.length === 1 ? 'line' : 'lines'} (${listed.join('; ')}${more > 0 ? `; and ${more} more` : ''})`;
}

/** "v3, rmse 4.87 on 50 of 60 outcomes (promoted at 5.02): no decay" */
function describeLive(live: LiveAccuracy | undefined): string {
  if (!live) return 'no champion yet';
  const { decay } = live;
  if (!decay) return `v${live.version}: no outcomes joined to its predictions yet`;
  const verdict = decay.insufficient ? `too few to judge (${decay.minExamples} needed)` : decay.decayed ? 'DECAYED' : 'no decay';
  return `v${live.version}, ${decay.metric} ${decay.current.toPrecision(4)} on ${live.examples} of ${live.available} outcomes (promoted at ${decay.promoted.toPrecision(4)}): ${verdict}`;
}
