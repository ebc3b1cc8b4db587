import type { Command } from 'commander';
import { z } from 'zod';
import { loadLineage, type Lineage } from '../../../lib/db/lineage';
import { listPredictions } from '../../../lib/db/served-data';
import type { VersionFits } from '../../../lib/db/model-registry';
import { describeBaselines, describeFit, describeMetrics } from '../../../lib/evaluation/format';
import { describeLevels } from '../../../lib/experiments/cell-config';
import type { Level } from '../../../lib/experiments/experiment-spec';
import type { Metrics } from '../../../lib/model/metrics';
import { workflowUiLink } from '../../support/temporal-client';
import { output, table, type CliContext } from '../context';
import { parseOptions, UsageError } from '../usage-error';

const LineageOptions = z
  .object({
    model: z.string().min(1).optional(),
    version: z.coerce.number().int().positive().optional(),
    prediction: z.string().min(1).max(200).optional(),
    diff: z.coerce.number().int().positive().optional(),
    json: z.boolean().default(false),
  })
  .refine((o) => o.prediction !== undefined || (o.model !== undefined && o.version !== undefined), { message: 'give --model and --version, or --prediction', path: ['model'] })
  .refine((o) => o.prediction === undefined || o.diff === undefined, { message: '--diff compares versions: give it with --model and --version', path: ['diff'] });

export function registerLineageCommand(program: Command, ctx: CliContext): void {
  program
    .command('lineage')
    .description('Trace a version end to end: training run → data snapshots → code and parameters → evaluation → who promoted it.')
    .option('-m, --model <name>', 'the registered model')
    .option('-v, --version <n>', 'the version to trace')
    .option('--prediction <id>', 'trace a logged prediction instead: the version that made it, its data, its code')
    .option('--diff <n>', 'compare with another version: parameters, features, metrics, data')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  driftline lineage --model us-employment-nonfarm-change --version 2\n  driftline lineage --model us-employment-nonfarm-change --version 2 --diff 1')
    .action(async (raw: unknown) => {
      const options = parseOptions(LineageOptions, raw);
      if (options.prediction !== undefined) return tracePrediction(ctx, options.prediction, options.json);
      const model = options.model as string;
      const load = async (version: number) => {
        const lineage = await loadLineage(ctx.pool, model, version);
        if (!lineage) throw new UsageError(`model "${model}" has no version ${version}`);
        return lineage;
      };
      const lineage = await load(options.version as number);
      if (options.diff === undefined) return output(options.json, lineage, () => renderLineage(ctx, lineage));
      const other = await load(options.diff);
      const diff = diffVersions(lineage, other);
      output(options.json, diff, () => diff.map(({ field, a, b }) => `  ${field}\n    v${options.version}: ${a}\n    v${options.diff}: ${b}`).join('\n') || '  no differences');
    });
}

/** A prediction's lineage: the prediction as logged, then the lineage of the version that made it. */
async function tracePrediction(ctx: CliContext, predictionId: string, json: boolean): Promise<void> {
  const [prediction] = await listPredictions(ctx.pool, { predictionId });
  if (!prediction) throw new UsageError(`no logged prediction has the id "${predictionId}"`);
  const lineage = await loadLineage(ctx.pool, prediction.model, prediction.version);
  if (!lineage) throw new UsageError(`prediction ${predictionId} names ${prediction.model} v${prediction.version}, which is not registered`);
  const answer = prediction.predictedClass ?? String(prediction.prediction);
  output(json, { prediction, lineage }, () =>
    [
      table([
        ['prediction', `${prediction.predictionId}: ${answer} for row ${prediction.rowKey}, ${prediction.source} (batch ${prediction.batchId}), logged ${prediction.loggedAt}`],
        ['input', `digest ${prediction.inputDigest}`],
        ['actual', prediction.actual === null ? 'not recorded yet' : String(prediction.actual)],
      ]),
      renderLineage(ctx, lineage),
    ].join('\n'),
  );
}

function renderLineage(ctx: CliContext, l: Lineage): string {
  const v = l.version;
  const rows: [string, string][] = [
    ['version', `${v.model} v${v.version} (id ${v.id})${l.aliases.length ? ` — ${l.aliases.join(', ')}` : ''}, created ${v.createdAt.toISOString()}`],
    ...l.trainingRuns.map((r): [string, string] => ['training run', `${r.workflowId}: ${r.outcome} in ${(r.durationMs / 1000).toFixed(1)} s${r.normMs ? ` (norm ${(r.normMs / 1000).toFixed(1)} s)` : ''} — ${workflowUiLink(ctx.config, r.workflowId, r.runId)}`]),
    ...l.snapshots.map((s): [string, string] => ['data', `snapshot #${s.id} sha256:${s.digest.slice(0, 16)}… ${s.rowCount} rows (${s.quarantinedCount} quarantined${s.filteredCount > 0 ? `, ${s.filteredCount} left out by source.where` : ''}) from ${JSON.stringify(s.source)}`]),
    ...(l.experiment ? [['experiment', `promoted from experiment ${l.experiment.name} (${l.experiment.experimentId}), cell ${l.experiment.cellIndex}: ${describeLevels(l.experiment.levels as Record<string, Level>)}, by ${l.experiment.requestedBy}`] as [string, string]] : []),
    ['code', `commit ${v.codeVersion}, trainer ${v.trainer} sha256:${v.trainerDigest.slice(0, 16)}…`],
    ['parameters', JSON.stringify(v.params)],
    ['features', v.features.join(', ')],
    ...v.transforms.map((line): [string, string] => ['transform', line]),
    ...fitRows(v.fits),
    ['holdout metrics', describeMetrics(v.metrics as Metrics)],
    ['artifact', `sha256:${v.artifactDigest}`],
    ...l.evaluations.flatMap((e): [string, string][] => [
      ['evaluation', `#${e.id} in ${e.workflowId}: ${e.passed ? 'passed' : 'failed'}${e.metricsBasis ? ` — ${e.metricsBasis}` : ''}`],
      ...(e.baselines ? [['baselines', describeBaselines(e.baselines)] as [string, string]] : []),
    ]),
    ...l.decisions.map((d): [string, string] => [d.action, `${d.at.toISOString()} by ${d.actor}: ${d.reason}`]),
  ];
  return table(rows);
}

/** The fit that was scored and, when the version was refitted, the fit that was registered. */
function fitRows(fits: VersionFits | null): [string, string][] {
  if (!fits) return [];
  if (!fits.refit) return [['fit', `${describeFit(fits.evaluated)} (scored and registered: not refitted)`]];
  return [
    ['evaluated fit', `${describeFit(fits.evaluated)} (scored on the holdout)`],
    ['refit', `${describeFit(fits.refit)} (registered: holdout included)`],
  ];
}

function diffVersions(a: Lineage, b: Lineage): { field: string; a: string; b: string }[] {
  const fields: [string, (l: Lineage) => unknown][] = [
    ['trainer', (l) => l.version.trainer],
    ['parameters', (l) => l.version.params],
    ['features', (l) => l.version.features],
    ['transforms', (l) => l.version.transforms],
    ['metrics', (l) => l.version.metrics],
    ['data', (l) => l.snapshots.map((s) => `#${s.id} ${s.digest.slice(0, 12)} ${s.rowCount} rows`)],
    ['code', (l) => `${l.version.codeVersion} / ${l.version.trainerDigest.slice(0, 12)}`],
  ];
  return fields
    .map(([field, pick]) => ({ field, a: JSON.stringify(pick(a)), b: JSON.stringify(pick(b)) }))
    .filter((d) => d.a !== d.b);
}
