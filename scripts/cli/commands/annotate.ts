import type { Command } from 'commander';
import { z } from 'zod';
import { insertAnnotation } from '../../../lib/db/annotations';
import { AnnotationInput } from '../../../lib/drift/annotation';
import { PipelineName } from '../../../workflows/pipeline-input';
import { output, table, type CliContext } from '../context';
import { parseOptions } from '../usage-error';

const AnnotateOptions = z.object({ pipeline: PipelineName, json: z.boolean().default(false) }).and(AnnotationInput);

export function registerAnnotateCommand(program: Command, ctx: CliContext): void {
  program
    .command('annotate')
    .description('Mark a known event on a pipeline; drift reports whose window it overlaps list it, and its effect applies.')
    .requiredOption('-p, --pipeline <name>', 'the pipeline')
    .requiredOption('--label <text>', 'what happened, e.g. "Black Friday promotion"')
    .requiredOption('--from <time>', 'start: an ISO date or date-time')
    .requiredOption('--to <time>', 'end: an ISO date or date-time')
    .option('--note <text>', 'anything a reader of the report should know')
    .option('--effect <effect>', 'none, suppress_alerts (expected: do not alert) or retrain_now', 'none')
    .option('--by <name>', 'who marks it (default: $USER)')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExample:\n  driftline annotate --pipeline us-employment --label "2008 recession" --from 2008-01-01 --to 2009-12-31 --effect suppress_alerts')
    .action(async (raw: { by?: string }) => {
      const { pipeline, json, ...annotation } = parseOptions(AnnotateOptions, { ...raw, createdBy: raw.by ?? process.env.USER ?? 'cli' });
      const stored = await insertAnnotation(ctx.pool, pipeline, annotation);
      output(json, stored, () =>
        table([
          ['annotation', `#${stored.id} on ${stored.pipeline}: ${stored.label}`],
          ['period', `${stored.startsAt} … ${stored.endsAt}`],
          ['effect', stored.effect],
        ]),
      );
    });
}
