import type { Command } from 'commander';
import { z } from 'zod';
import { insertAnnotation } from '../../../lib/db/annotations';
import { AnnotationInput } from '../../../lib/drift/annotation';
import { loadPipelineSpec } from '../../../lib/spec/load-spec';
import { PipelineName } from '../../../workflows/pipeline-input';
import { output, table, type CliContext } from '../context';
import { BY_OPTION, currentUser } from '../identity';
import { parseOptions } from '../usage-error';

const AnnotateOptions = AnnotationInput.safeExtend({ pipeline: PipelineName, json: z.boolean().default(false) });

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
    .option(...BY_OPTION)
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExample:\n  driftline annotate --pipeline us-employment --label "2008 recession" --from 2008-01-01 --to 2009-12-31 --effect suppress_alerts')
    .action(async (raw: { by?: string }) => {
      const { pipeline, json, ...annotation } = parseOptions(AnnotateOptions, { ...raw, by: raw.by ?? currentUser() });
      // An unknown pipeline is an error that lists the known ones, not an annotation nobody will see.
      await loadPipelineSpec(pipeline, ctx.config.DRIFTLINE_PIPELINES_DIR);
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
