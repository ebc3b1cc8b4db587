import type { Command } from 'commander';
import { z } from 'zod';
import { listModelNames, listVersions } from '../../../lib/db/model-registry';
import { headlineMetric, skillText } from '../../../lib/evaluation/format';
import { output, type CliContext } from '../context';
import { parseOptions } from '../usage-error';

const ModelsOptions = z.object({
  model: z.string().min(1).optional(),
  limit: z.coerce.number().int().positive().max(10_000).default(20),
  json: z.boolean().default(false),
});

export function registerModelsCommand(program: Command, ctx: CliContext): void {
  program
    .command('models')
    .description('List model versions, newest first, with their holdout RMSE, skill against the best naive baseline, and aliases (champion, challenger).')
    .option('-m, --model <name>', 'only this model')
    .option('--limit <n>', 'at most this many versions', '20')
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExample:\n  driftline models --model us-employment-nonfarm-change')
    .action(async (raw: unknown) => {
      const options = parseOptions(ModelsOptions, raw);
      const versions = await listVersions(ctx.pool, options.model, options.limit);
      if (options.model !== undefined && versions.length === 0) await mustBeKnownModel(ctx, options.model);
      output(options.json, versions, () =>
        versions.length === 0
          ? 'no model versions yet'
          : versions
              .map((v) => {
                const skill = v.baselines ? `${skillText(v.baselines.metric, v.baselines.skill)} vs ${v.baselines.best}` : '';
                return `  ${v.model} v${v.version}  ${v.trainer.padEnd(13)} ${headlineMetric(v.metrics).padEnd(14)}  ${skill.padEnd(28)}  ${v.createdAt.toISOString().slice(0, 19)}  ${v.aliases.join(', ')}`;
              })
              .join('\n'),
      );
    });
}

/** A model name nobody registered is an error that lists the names that exist, not an empty list. */
async function mustBeKnownModel(ctx: CliContext, model: string): Promise<void> {
  const known = await listModelNames(ctx.pool);
  if (!known.includes(model)) throw new Error(`no model "${model}" (known: ${known.length > 0 ? known.join(', ') : 'none yet'})`);
}
