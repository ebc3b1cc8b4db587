import type { Command } from 'commander';
import { z } from 'zod';
import { listPredictions, type LoggedPrediction } from '../../../lib/db/served-data';
import { output, type CliContext } from '../context';
import { parseOptions, UsageError } from '../usage-error';

const PredictionsOptions = z
  .object({
    model: z.string().min(1).max(200),
    since: z
      .string()
      .refine((text) => !Number.isNaN(Date.parse(text)), { message: 'must be a date or time, e.g. 2026-12-01 or 2026-12-01T10:00:00Z' })
      .optional(),
    limit: z.coerce.number().int().positive().max(1_000_000).default(100),
    json: z.boolean().default(false),
    csv: z.boolean().default(false),
  })
  .strict()
  .refine((o) => !(o.json && o.csv), { message: '--json and --csv exclude each other', path: ['csv'] });

export function registerPredictionsCommand(program: Command, ctx: CliContext): void {
  program
    .command('predictions')
    .description('List or export the predictions a model logged (batch and online), newest first, with the outcome recorded for each row key.')
    .requiredOption('-m, --model <name>', 'the registered model')
    .option('--since <time>', 'only predictions logged at or after this date or time (ISO 8601)')
    .option('--limit <n>', 'at most this many (default 100)')
    .option('--json', 'print as JSON')
    .option('--csv', 'print as CSV (a header line, one prediction per line)')
    .addHelpText('after', '\nExamples:\n  driftline predictions --model penguin-species --since 2026-12-01\n  driftline predictions --model penguin-species --limit 100000 --csv > predictions.csv\n\nTrace one: driftline lineage --prediction <id>')
    .action(async (raw: unknown) => {
      const options = parseOptions(PredictionsOptions, raw);
      const since = options.since === undefined ? undefined : new Date(options.since).toISOString();
      const rows = await listPredictions(ctx.pool, { model: options.model, since, limit: options.limit });
      if (rows.length === 0 && !options.json && !options.csv) throw new UsageError(`model "${options.model}" logged no predictions${since ? ` since ${since}` : ''}`);
      if (options.csv) return void process.stdout.write(predictionsCsv(rows));
      output(options.json, rows, () => predictionsTable(rows));
    });
}

/** The answer of a prediction: its class (and probability) or its number. */
function answerOf(p: LoggedPrediction): string {
  if (p.predictedClass === null) return String(p.prediction);
  const probability = p.probabilities?.[p.predictedClass];
  return probability === undefined ? p.predictedClass : `${p.predictedClass} (${probability.toFixed(3)})`;
}

function predictionsTable(rows: LoggedPrediction[]): string {
  const lines = rows.map((p) => [p.loggedAt.slice(0, 19).replace('T', ' '), `v${p.version}`, p.source, p.rowKey, answerOf(p), p.actual === null ? '–' : String(p.actual), p.predictionId]);
  const header = ['logged (UTC)', 'version', 'source', 'row key', 'prediction', 'actual', 'prediction id'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] as string).length)));
  return [header, ...lines].map((cells) => `  ${cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ')}`.trimEnd()).join('\n');
}

const CSV_COLUMNS: [string, (p: LoggedPrediction) => unknown][] = [
  ['prediction_id', (p) => p.predictionId],
  ['logged_at', (p) => p.loggedAt],
  ['model', (p) => p.model],
  ['version', (p) => p.version],
  ['source', (p) => p.source],
  ['batch_id', (p) => p.batchId],
  ['row_key', (p) => p.rowKey],
  ['at', (p) => p.at],
  ['prediction', (p) => p.prediction],
  ['predicted_class', (p) => p.predictedClass],
  ['probabilities', (p) => (p.probabilities ? JSON.stringify(p.probabilities) : null)],
  ['actual', (p) => p.actual],
  ['input_digest', (p) => p.inputDigest],
];

function predictionsCsv(rows: LoggedPrediction[]): string {
  const line = (cells: unknown[]) => `${cells.map((c) => csvField(c === null || c === undefined ? '' : String(c))).join(',')}\n`;
  return line(CSV_COLUMNS.map(([name]) => name)) + rows.map((p) => line(CSV_COLUMNS.map(([, pick]) => pick(p)))).join('');
}

/** Quoted when it holds a separator, a quote or a line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
